"""Where each demo PR's code came from: coding agents adopted by two teams (Growth from half-way through the history,
Platform lightly throughout) and AI-assisted work growing in every team, with the behaviour LinearB's 2026 benchmarks
report: agents' PRs merged far less often and picked up for review several times later, though reviewed faster once
picked up; AI-assisted PRs picked up somewhat later and merged a little less often.

Draws come from a generator of their own (spawned from the batch's), so the rest of the demo draws as it did.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from flowgauge.loaders.demo.timeline import Window, defer_weekend
from flowgauge.loaders.demo.timeline import lognormal_hours as hours
from flowgauge.rules.code_origin import ORIGINS

if TYPE_CHECKING:
    from flowgauge.loaders.demo.org import Org

AGENTIC, AI_ASSISTED, UNASSISTED = (ORIGINS.index(name) for name in ("agentic", "ai_assisted", "unassisted"))


@dataclass(frozen=True)
class Agent:
    """A coding agent's account, the team that adopted it, when (fraction of the history) and how far it got."""

    login: str
    name: str
    email: str
    team: str
    adopted: float
    final_share: float  # share of the team's PRs the agent opens by the end of the history


AGENTS = (
    Agent("copilot-swe-agent[bot]", "Copilot", "198982749+Copilot@users.noreply.github.com", "growth", 0.5, 0.3),
    Agent(
        "devin-ai-integration[bot]",
        "Devin",
        "158243242+devin-ai-integration[bot]@users.noreply.github.com",
        "platform",
        0.0,
        0.12,
    ),
)
AGENT_ACCEPTANCE = 0.4  # share of an agent's PRs merged (LinearB 2026: about a third)
AGENT_PICKUP = (3.5, 6.5)  # pickup time multiplied by a factor in this range
AGENT_REVIEW = 0.5  # review time (first review to merge) multiplied by this
ASSISTED_SHARE = (0.06, 0.42)  # share of people's PRs with an AI trail at the start and end of the history
ASSISTED_PICKUP = (1.2, 2.2)
ASSISTED_REJECTED = 0.08  # share of people's AI-assisted PRs closed unmerged besides those abandoned anyway
# The trails AI-assisted demo PRs carry, as each tool writes them.
TRAILS = (
    ("commit message line", "Co-Authored-By: Claude <noreply@anthropic.com>"),
    ("commit message line", "Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>"),
    ("description line", "🤖 Generated with [Claude Code](https://claude.com/claude-code)"),
    ("description line", "Made with [Cursor](https://cursor.com)"),
    ("commit message line", "Co-authored-by: Cursor Agent <cursoragent@cursor.com>"),
    ("label", "ai-assisted"),
)


def assign_origins(rng: np.random.Generator, org: Org, window: Window, prs: dict[str, np.ndarray], human: int) -> None:
    """Give prs an 'origin' column (an index into ORIGINS); agents take over some people's PRs of their team, with
    the agents' and AI-assisted PRs' timelines reshaped. human is the kind code of people's PRs."""
    n = len(prs["lane"])
    prs["origin"] = np.full(n, UNASSISTED)
    people = prs["kind"] == human
    fraction = window.fraction(prs["created"])
    slugs = [team.slug for team in org.teams]
    for agent in AGENTS:
        if agent.team not in slugs:
            continue
        ramp = np.clip((fraction - agent.adopted) / (1 - agent.adopted), 0, 1) * 0.75 + 0.25
        share = np.where(fraction >= agent.adopted, agent.final_share * ramp, 0)
        chosen = people & (prs["team"] == slugs.index(agent.team)) & (rng.random(n) < share)
        prs["origin"][chosen] = AGENTIC
        prs["author"][chosen] = org.logins.index(agent.login)
    agentic = prs["origin"] == AGENTIC
    _reshape_agentic(rng, window, prs, np.flatnonzero(agentic))
    start, end = ASSISTED_SHARE
    assisted = people & ~agentic & (rng.random(n) < start + (end - start) * fraction)
    prs["origin"][assisted] = AI_ASSISTED
    _delay_pickup(rng, prs, np.flatnonzero(assisted), ASSISTED_PICKUP)
    merged = np.flatnonzero(assisted & (prs["merged"] >= 0))
    _reject(rng, prs, merged[rng.random(len(merged)) < ASSISTED_REJECTED])
    _clip_to_window(prs, window)


def _reshape_agentic(rng: np.random.Generator, window: Window, prs: dict[str, np.ndarray], rows: np.ndarray) -> None:
    reviewed = rows[prs["first_review"][rows] >= 0]
    review_span = prs["merged"][reviewed] - prs["first_review"][reviewed]
    approve_span = prs["approval"][reviewed] - prs["first_review"][reviewed]
    _delay_pickup(rng, prs, rows, AGENT_PICKUP)
    merged = reviewed[prs["merged"][reviewed] >= 0]
    keep = prs["merged"][reviewed] >= 0
    prs["merged"][merged] = prs["first_review"][merged] + (review_span[keep] * AGENT_REVIEW).astype(np.int64)
    approved = reviewed[prs["approval"][reviewed] >= 0]
    prs["approval"][approved] = prs["first_review"][approved] + (
        approve_span[prs["approval"][reviewed] >= 0] * AGENT_REVIEW
    ).astype(np.int64)
    prs["closed"][rows] = np.where(prs["merged"][rows] >= 0, prs["merged"][rows], prs["closed"][rows])
    _reject(rng, prs, rows[(rng.random(len(rows)) > AGENT_ACCEPTANCE) & ~prs["stale"][rows]])


def _reject(rng: np.random.Generator, prs: dict[str, np.ndarray], rejected: np.ndarray) -> None:
    """Close the rows unmerged about a day after their first review (or after they became ready)."""
    seen = np.maximum(prs["first_review"][rejected], prs["ready"][rejected])
    prs["merged"][rejected] = -1
    prs["closed"][rejected] = defer_weekend(rng, seen + hours(rng, 18, 1.0, len(rejected)))
    late = rejected[prs["approval"][rejected] > prs["closed"][rejected]]
    prs["approval"][late] = -1
    unseen = rejected[prs["first_review"][rejected] > prs["closed"][rejected]]
    prs["first_review"][unseen] = -1


def _delay_pickup(rng: np.random.Generator, prs: dict[str, np.ndarray], rows: np.ndarray, factor: tuple) -> None:
    """Push the first review and everything after it back, so pickup takes factor times as long."""
    reviewed = rows[prs["first_review"][rows] >= 0]
    pickup = prs["first_review"][reviewed] - prs["ready"][reviewed]
    shift = (pickup * (rng.uniform(*factor, len(reviewed)) - 1)).astype(np.int64)
    for key in ("first_review", "approval", "merged", "closed"):
        values = prs[key][reviewed]
        prs[key][reviewed] = np.where(values >= 0, values + shift, values)


def _clip_to_window(prs: dict[str, np.ndarray], window: Window) -> None:
    for key in ("first_review", "approval", "merged", "closed"):
        prs[key] = np.where(prs[key] >= window.end, -1, prs[key])
    prs["approval"] = np.where(prs["first_review"] < 0, -1, prs["approval"])
    prs["first_kind"] = np.where(prs["first_review"] < 0, -1, prs["first_kind"])


def origin_table(rng: np.random.Generator, org: Org, prs: dict[str, np.ndarray], pr_ids: pa.Array) -> pa.Table:
    """Rows of pr_code_origins: every demo PR's origin, with an agent's login or the trail an assisted PR carries."""
    origin = prs["origin"]
    trail = rng.integers(0, len(TRAILS), len(origin))
    logins = np.array(org.logins, dtype=object)[prs["author"]]
    kind = np.where(origin == AGENTIC, "author login", np.array([t[0] for t in TRAILS], dtype=object)[trail])
    evidence = np.where(origin == AGENTIC, logins, np.array([t[1] for t in TRAILS], dtype=object)[trail])
    plain = origin == UNASSISTED
    return pa.table(
        {
            "pr_id": pr_ids,
            "origin": pa.array(np.array(ORIGINS, dtype=object)[origin], pa.string()),
            "evidence_kind": pa.array(np.where(plain, None, kind), pa.string()),
            "evidence": pa.array(np.where(plain, None, evidence), pa.string()),
        }
    )
