"""Pull-request timelines: when each PR was opened, reviewed, approved, merged or closed, and how big it is.

A batch's PRs are one "frame": a dict of equal-length numpy arrays, times in unix seconds (-1 = never).
"""

from __future__ import annotations

import numpy as np

from flowgauge.loaders.demo import effort
from flowgauge.loaders.demo.columns import rank_within
from flowgauge.loaders.demo.initiatives import review_factor
from flowgauge.loaders.demo.org import DEPENDABOT, MemberPicker, Org
from flowgauge.loaders.demo.planning import Planning
from flowgauge.loaders.demo.timeline import HOUR, WEEK, Window, day_weights, defer_weekend, weekday, working_seconds
from flowgauge.loaders.demo.timeline import lognormal_hours as hours

HUMAN, BOT, HOTFIX = 0, 1, 2
APPROVED, COMMENTED, CHANGES_REQUESTED = 0, 1, 2
MERGE_METHODS = ("squash", "merge", "rebase")
LABEL_SETS = (
    (), ("feature",), ("bug",), ("tech-debt",), ("bug", "customer-reported"), ("refactor",), ("documentation",),
    ("dependencies",), ("dependencies", "security"), ("hotfix", "bug"),
)  # fmt: skip
PRS_PER_PERSON_WEEK = 2.3
BOT_PRS_PER_REPO_WEEK = 0.9
Frame = dict[str, np.ndarray]


def human_prs(
    rng: np.random.Generator,
    org: Org,
    picker: MemberPicker,
    planning: Planning,
    window: Window,
    teams: np.ndarray,
    lanes: np.ndarray,
    thin: float,
) -> Frame:
    """PRs written by team members: weekday rhythm, skewed phase times shaped by each team's level and trend."""
    days = window.day_starts()
    intensity = picker.headcount(teams, days) * day_weights(window)[None, :] * (PRS_PER_PERSON_WEEK / 5 * thin)
    n = int(rng.poisson(intensity.sum()))
    flat = rng.choice(intensity.size, n, p=(intensity / intensity.sum()).ravel())
    local_team, day = flat // len(days), flat % len(days)
    created = days[day] + working_seconds(rng, n)
    team = teams[local_team]
    lane = _lane_for(rng, org, teams, lanes, local_team)
    author = picker.pick(team, created)

    level = np.array([t.level for t in org.teams])[team]
    trend_end = np.array([t.trend_end for t in org.teams])[team]
    factor = level * np.exp(np.log(trend_end) * window.fraction(created))
    size = np.clip(np.round(55 * np.exp(rng.normal(0, 1.25, n))), 1, 30000).astype(np.int64)
    size_factor = (size / 55.0) ** 0.25

    coding = np.maximum(hours(rng, 11 * factor * size_factor, 1.3, n), 120)
    draft = rng.random(n) < 0.18
    draft_part = np.where(draft, (coding * rng.uniform(0.3, 0.9, n)).astype(np.int64), 0)
    first_commit = created - (coding - draft_part)
    ready = np.where(draft, defer_weekend(rng, created + draft_part), created)
    first_review = defer_weekend(rng, ready + np.maximum(hours(rng, 4.5 * factor * size_factor**0.6, 1.15, n), 60))
    direct = np.clip(0.55 - 0.1 * level, 0.2, 0.6)
    u = rng.random(n)
    first_kind = np.where(u < direct, APPROVED, np.where(u < direct + 0.33, COMMENTED, CHANGES_REQUESTED))
    reviewing = review_factor(org, window, team, created, level, factor)
    approval = np.where(
        first_kind == APPROVED, first_review, defer_weekend(rng, first_review + hours(rng, 4 * reviewing, 1.1, n))
    )
    merged = defer_weekend(rng, approval + np.maximum(hours(rng, 1.5 * reviewing, 1.2, n), 60))
    no_review = rng.random(n) < np.array([t.no_review_share for t in org.teams])[team]
    merged = np.where(no_review, defer_weekend(rng, ready + hours(rng, 2 * factor, 1.0, n)), merged)
    frame = {
        "lane": lane,
        "team": team,
        "author": author,
        "kind": np.full(n, HUMAN),
        "created": created,
        "first_commit": first_commit,
        "ready": ready,
        "draft": draft,
        "first_review": np.where(no_review, -1, first_review),
        "first_kind": np.where(no_review, -1, first_kind),
        "approval": np.where(no_review, -1, approval),
        "merged": merged,
        "closed": defer_weekend(rng, ready + hours(rng, 40 * factor, 1.2, n)),
        "abandoned": rng.random(n) < 0.06,
        "stale": rng.random(n) < 0.008,
        "size": size,
        "label_set": effort.human_label_sets(rng.random(n), _slugs(org)[team], created, window),
        "issue": np.where(rng.random(n) < 0.86, planning.issue_for(rng, local_team, created), -1),
    }
    return _finish(rng, org, window, frame)


def bot_prs(rng: np.random.Generator, org: Org, window: Window, lanes: np.ndarray, thin: float) -> Frame:
    """Dependency-update PRs from Dependabot (Monday mornings) or Renovate: small, usually approved fast."""
    weeks = (window.end - window.start) / WEEK
    counts = rng.poisson(BOT_PRS_PER_REPO_WEEK * weeks * thin, len(lanes))
    lane = np.repeat(lanes, counts)
    n = len(lane)
    bot = org.repo_dependency_bot[org.lane_repo[lane]]
    days = window.day_starts()
    weekdays = days[weekday(days) < 5]
    mondays = days[weekday(days) == 0]
    on_monday = (bot == DEPENDABOT) & (rng.random(n) < 0.7)
    day = np.where(on_monday, mondays[rng.integers(0, len(mondays), n)], weekdays[rng.integers(0, len(weekdays), n)])
    created = day + (rng.uniform(1, 7, n) * HOUR).astype(np.int64)
    team = org.lane_team[lane]
    level = np.sqrt(np.array([t.level for t in org.teams])[team])
    first_review = defer_weekend(rng, created + np.maximum(hours(rng, 2.5 * level, 1.2, n), 60))
    first_kind = np.where(rng.random(n) < 0.85, APPROVED, COMMENTED)
    approval = np.where(first_kind == APPROVED, first_review, first_review + hours(rng, 1.0, 1.0, n))
    automerge = rng.random(n) < np.where(bot == DEPENDABOT, 0.1, 0.4)
    merged = np.where(
        automerge, created + (rng.uniform(0.2, 1.0, n) * HOUR).astype(np.int64), approval + hours(rng, 0.4, 1.0, n)
    )
    frame = {
        "lane": lane,
        "team": team,
        "author": bot,
        "kind": np.full(n, BOT),
        "created": created,
        "first_commit": created - rng.integers(5, 60, n),
        "ready": created,
        "draft": np.zeros(n, bool),
        "first_review": np.where(automerge, -1, first_review),
        "first_kind": np.where(automerge, -1, first_kind),
        "approval": np.where(automerge, -1, approval),
        "merged": merged,
        "closed": created + hours(rng, 100, 1.0, n),
        "abandoned": rng.random(n) < 0.15,  # superseded by a newer version bump
        "stale": np.zeros(n, bool),
        "size": np.clip(np.round(8 * np.exp(rng.normal(0, 0.8, n))), 2, 400).astype(np.int64),
        "label_set": np.where(rng.random(n) < 0.15, 8, 7),
        "issue": np.full(n, -1),
    }
    return _finish(rng, org, window, frame)


def hotfix_prs(
    rng: np.random.Generator, org: Org, picker: MemberPicker, window: Window, lane: np.ndarray, opened: np.ndarray
) -> Frame:
    """Small, quickly reviewed fixes opened right after an incident; merged minutes before the hotfix deploys."""
    n = len(lane)
    team = org.lane_team[lane]
    created = opened + (rng.uniform(0.2, 0.6, n) * HOUR).astype(np.int64)
    first_review = created + (rng.uniform(0.1, 0.5, n) * HOUR).astype(np.int64)
    frame = {
        "lane": lane,
        "team": team,
        "author": picker.pick(team, created),
        "kind": np.full(n, HOTFIX),
        "created": created,
        "first_commit": created - (rng.uniform(0.05, 0.3, n) * HOUR).astype(np.int64),
        "ready": created,
        "draft": np.zeros(n, bool),
        "first_review": first_review,
        "first_kind": np.full(n, APPROVED),
        "approval": first_review,
        "merged": first_review + (rng.uniform(0.05, 0.3, n) * HOUR).astype(np.int64),
        "closed": np.full(n, -1),
        "abandoned": np.zeros(n, bool),
        "stale": np.zeros(n, bool),
        "size": np.clip(np.round(12 * np.exp(rng.normal(0, 0.9, n))), 1, 300).astype(np.int64),
        "label_set": np.full(n, 9),
        "issue": np.full(n, -1),
    }
    return _finish(rng, org, window, frame)


def _slugs(org: Org) -> np.ndarray:
    return np.array([t.slug for t in org.teams])


def concat(frames: list[Frame]) -> Frame:
    """One frame holding the rows of several."""
    return {key: np.concatenate([f[key] for f in frames]) for key in frames[0]}


def take(frame: Frame, rows: np.ndarray) -> Frame:
    """The given rows of a frame."""
    return {key: values[rows] for key, values in frame.items()}


def _lane_for(rng, org: Org, teams: np.ndarray, lanes: np.ndarray, local_team: np.ndarray) -> np.ndarray:
    """A lane of the PR's team, chosen by lane weight."""
    local_of = np.full(len(org.teams), -1)
    local_of[teams] = np.arange(len(teams))
    lane_local = local_of[org.lane_team[lanes]]
    order = np.argsort(lane_local, kind="stable")
    weights = org.lane_weight[lanes][order]
    totals = np.bincount(lane_local, weights=org.lane_weight[lanes], minlength=len(teams))
    cumulative = np.cumsum(weights / totals[lane_local[order]])  # team j's lanes span (j, j + 1]
    pos = np.searchsorted(cumulative, local_team + rng.random(len(local_team)) * 0.999999, side="right")
    return lanes[order][np.minimum(pos, len(order) - 1)]


def _finish(rng: np.random.Generator, org: Org, window: Window, f: Frame) -> Frame:
    """Apply outcomes (abandoned, stale) and the end of the window; derive sizes, merge method and maturity."""
    n = len(f["lane"])
    end = window.end
    f["merged"] = np.where(f["abandoned"] | f["stale"], -1, f["merged"])
    f["closed"] = np.where(f["abandoned"], f["closed"], np.where(f["stale"], -1, f["merged"]))
    f["approval"] = np.where(f["abandoned"] & (f["approval"] > f["closed"]), -1, f["approval"])
    late_review = f["abandoned"] & (f["first_review"] > f["closed"])
    f["first_review"] = np.where(late_review, -1, f["first_review"])
    f["first_kind"] = np.where(late_review, -1, f["first_kind"])
    for key in ("ready", "first_review", "approval", "merged", "closed"):
        f[key] = np.where(f[key] >= end, -1, f[key])
    f["first_kind"] = np.where(f["first_review"] < 0, -1, f["first_kind"])
    f["approval"] = np.where(f["first_review"] < 0, -1, f["approval"])
    added_share = rng.beta(5, 2, n)
    f["added"] = np.round(f["size"] * added_share).astype(np.int64)
    f["deleted"] = f["size"] - f["added"]
    f["files"] = 1 + rng.poisson(np.sqrt(f["size"]) / 2.5)
    usual = org.repo_merge_method[org.lane_repo[f["lane"]]]
    f["method"] = np.where(rng.random(n) < 0.9, usual, rng.integers(0, 3, n))
    revised = rng.beta(np.where(f["first_kind"] == CHANGES_REQUESTED, 2.0, 1.0), np.where(f["draft"], 4.0, 9.0))
    revised = np.where((f["first_kind"] == APPROVED) & (rng.random(n) < 0.7), 0.0, revised)
    f["after_open"] = np.round(f["size"] * revised).astype(np.int64)
    f["title_noun"] = rng.integers(0, 1 << 20, n)
    f["version"] = rng.integers(0, 1 << 20, n)
    f["number"] = np.zeros(n, dtype=np.int64)
    return f


def number_prs(org: Org, frame: Frame) -> None:
    """Number PRs 1, 2, 3... per repository in creation order (all of a repository is in one batch)."""
    frame["number"] = rank_within(org.lane_repo[frame["lane"]], frame["created"] * 4 + frame["kind"])
