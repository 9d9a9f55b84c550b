"""The demo's initiatives and goals, and the effect planted for them: a story the impact analysis can be checked on.

"Checkout review rota" really cuts Checkout's review time (first review to merge) by 30% from its start, about nine
months before the demo ends. "Platform pairing fortnight" changes nothing. The planted effect is a multiplier on the
approval and merge waits of the PRs a team opens; for the planted team those waits hold at the team's level until the
start instead of following its gradual trend, so the step is the only change in review time and the planted -30%
is what the analysis should find.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from flowgauge.loaders.demo.org import Org
from flowgauge.loaders.demo.timeline import DAY, Window

DEMO_EDITOR = "flowgauge demo"


@dataclass(frozen=True)
class PlantedInitiative:
    """An initiative of the demo: its team, start (days before the demo's last day), metrics and review effect."""

    name: str
    team: str  # team slug (the snapshot's team_id)
    days_before_end: int
    metrics: tuple[str, ...]
    review_multiplier: float  # on approval and merge waits of the team's PRs opened from the start; 1 = no effect
    note: str
    window_days: int | None = None


PLANTED = (
    PlantedInitiative(
        "Checkout review rota",
        "checkout",
        270,
        ("review_time",),
        0.7,
        "A daily reviewer on rota and a 4-hour review promise. Planted in the demo: review time 30% shorter from "
        "the start. Compared over 240 days on each side: one team's 90 days of PRs cannot tell 30% from noise.",
        240,
    ),
    PlantedInitiative(
        "Platform pairing fortnight",
        "platform",
        240,
        ("review_time",),
        1.0,
        "Two weeks of pairing on reviews. Planted in the demo: no effect at all.",
    ),
)


def review_factor(
    org: Org, window: Window, team: np.ndarray, created: np.ndarray, level: np.ndarray, factor: np.ndarray
) -> np.ndarray:
    """Multiplier on the approval and merge waits of PRs opened at created by team: each team's level and trend
    (factor), except that a team with a planted initiative holds at its level and steps by the planted effect."""
    result = np.asarray(factor, dtype=np.float64).copy()
    slugs = np.array([profile.slug for profile in org.teams])
    for planted in PLANTED:
        mine = slugs[team] == planted.team
        start = window.end - planted.days_before_end * DAY
        result[mine] = level[mine] * np.where(created[mine] >= start, planted.review_multiplier, 1.0)
    return result


def save_demo_organisation(snapshot_path: str | os.PathLike, end_on: date) -> None:
    """Write the demo's initiatives and goals beside its snapshot, dated from end_on (the demo's last day); an
    organisation's own initiatives and goals there are kept."""
    from flowgauge.organisation_data import Goal, Initiative, save_changes  # deferred: not needed to make the data

    last = end_on + timedelta(days=1)
    initiatives = [
        Initiative(
            name=planted.name,
            start=last - timedelta(days=planted.days_before_end),
            teams=(planted.team,),
            metrics=planted.metrics,
            note=planted.note,
            window_days=planted.window_days,
        )
        for planted in PLANTED
    ]
    goals = [
        Goal("checkout", "review_time", 3.0, "median", end_on + timedelta(days=90), end_on - timedelta(days=60)),
        Goal("platform", "deploy_frequency", 10.0, "rate", end_on + timedelta(days=60), end_on - timedelta(days=30)),
    ]
    save_changes(snapshot_path, initiatives, goals, DEMO_EDITOR)
