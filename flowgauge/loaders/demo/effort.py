"""Where the demo's effort goes: the labels of its PRs and the kinds and epics of its work items, so effort allocation
shows something believable, and Checkout (the improving team) turns toward tech debt in its last nine months.

Every choice here reads uniform draws its callers make in the same number and order as before, so the rest of the
demo (every other team, and Checkout before the shift) stays as it was for a given seed.
"""

from __future__ import annotations

import numpy as np

from flowgauge.loaders.demo.timeline import DAY, Window

TECH_DEBT_TEAM = "checkout"
# Checkout's shift toward tech debt starts this many days before the demo's end (docs: the demo's story).
TECH_DEBT_SHIFT_DAYS = 270

# Human PR label sets (flow.LABEL_SETS 0-6: none, feature, bug, tech-debt, bug+customer-reported, refactor,
# documentation): usual weights, and Checkout's after the shift (more tech-debt and refactor, fewer features).
USUAL_LABEL_P = (0.38, 0.26, 0.15, 0.07, 0.05, 0.06, 0.03)
TECH_DEBT_LABEL_P = (0.34, 0.12, 0.13, 0.19, 0.04, 0.14, 0.04)
# Planned work items by kind (planning.STORY, TASK, BUG): usual, and Checkout's after the shift (more tasks).
USUAL_KIND_P = (0.6, 0.2, 0.2)
TECH_DEBT_KIND_P = (0.45, 0.37, 0.18)


def shift_start(window: Window) -> int:
    """Unix second Checkout's tech-debt period starts."""
    return window.end - TECH_DEBT_SHIFT_DAYS * DAY


def _draw(
    uniform: np.ndarray, usual: tuple[float, ...], shifted: tuple[float, ...], in_shift: np.ndarray
) -> np.ndarray:
    # The inverse-CDF draw numpy's Generator.choice(p=...) makes from the same uniforms.
    def inverse(p: tuple[float, ...]) -> np.ndarray:
        cdf = np.cumsum(p)
        return np.searchsorted(cdf / cdf[-1], uniform, side="right")

    return np.where(in_shift, inverse(shifted), inverse(usual))


def human_label_sets(uniform: np.ndarray, team_slugs: np.ndarray, created: np.ndarray, window: Window) -> np.ndarray:
    """Each human PR's label set (an index of flow.LABEL_SETS) from one uniform draw per PR."""
    in_shift = (team_slugs == TECH_DEBT_TEAM) & (created >= shift_start(window))
    return _draw(uniform, USUAL_LABEL_P, TECH_DEBT_LABEL_P, in_shift)


def planned_kinds(uniform: np.ndarray, team_slug: str, sprint_starts: np.ndarray, window: Window) -> np.ndarray:
    """The kind (planning.STORY, TASK, BUG) of each item planned into a team's sprints, from one uniform each."""
    in_shift = (team_slug == TECH_DEBT_TEAM) & (sprint_starts >= shift_start(window))
    return _draw(uniform, USUAL_KIND_P, TECH_DEBT_KIND_P, in_shift)


def tech_debt_epics(team_slug: str, epic_starts: np.ndarray, window: Window) -> np.ndarray:
    """Which of a team's epics are tech-debt epics (named so, and the default allocation rules read the name):
    every other Checkout epic started in the tech-debt period."""
    return (team_slug == TECH_DEBT_TEAM) & (epic_starts >= shift_start(window)) & (np.arange(len(epic_starts)) % 2 == 0)
