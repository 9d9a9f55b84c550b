"""Deployments: production cadence per service, failures and retries, staging, and what each one shipped.

A deployment ships every PR of its lane merged after the start of the previous successful production
deployment of that lane and at or before its own start (link rule 'merged_since_previous'). A failed
deployment lists what it tried to ship; the retry ships the same PRs again. Rollbacks ship nothing.
"""

from __future__ import annotations

import numpy as np

from flowgauge.loaders.demo.flow import Frame, concat
from flowgauge.loaders.demo.org import Org
from flowgauge.loaders.demo.timeline import DAY, HOUR, Window, day_weights, lognormal_hours

PRODUCTION, STAGING = 0, 1
REGULAR, HOTFIX, ROLLBACK = 0, 1, 2
SUCCESS, FAILURE = 0, 1
LANE_SHIFT = 34  # deployment and PR keys are lane << 34 | unix seconds


def production_schedule(
    rng: np.random.Generator, org: Org, window: Window, lanes: np.ndarray, prs: Frame, thin: float
) -> Frame:
    """Regular production deployments (empty ones dropped), some failing and retried a little later."""
    lanes = lanes[org.lane_deployable[lanes]]
    days = window.day_starts()
    weights = day_weights(window)  # quiet weekends, Christmas freeze and summer holidays
    frac = window.fraction(days + DAY // 2)
    team = org.lane_team[lanes]
    cadence = np.array([org.teams[t].deploys_per_week for t in team])
    trend_end = np.array([org.teams[t].trend_end for t in team])
    # Teams that speed up also deploy more often, and the other way round.
    per_day = (cadence[:, None] / 5) * np.exp(-1.5 * np.log(trend_end)[:, None] * frac[None, :]) * weights[None, :]
    counts = rng.poisson(per_day * min(1.0, thin * 1.5))
    lane = np.repeat(lanes, counts.sum(axis=1))
    day = np.repeat(np.tile(np.arange(len(days)), len(lanes)), counts.ravel())
    started = days[day] + (rng.uniform(9.5, 17.5, len(lane)) * HOUR).astype(np.int64)
    deploys = _deploys(rng, org, lane, started, np.full(len(lane), REGULAR), np.full(len(lane), SUCCESS))
    lo, hi = ship_ranges(deploys, prs)
    deploys = {k: v[hi > lo] for k, v in deploys.items()}

    base_rate = np.array([org.teams[t].failure_rate for t in org.lane_team[deploys["lane"]]])
    trend = np.log(trend_end_of(org, deploys["lane"])) * window.fraction(deploys["started"])
    failure_p = base_rate * np.exp(0.8 * trend)
    failed = rng.random(len(failure_p)) < failure_p
    deploys["status"] = np.where(failed, FAILURE, SUCCESS)
    deploys["finished"] = np.where(
        failed, deploys["started"] + (rng.uniform(2, 12, len(failed)) * 60).astype(np.int64), deploys["finished"]
    )
    rows = np.flatnonzero(failed)
    retry_at = deploys["finished"][rows] + (rng.uniform(0.5, 3.0, len(rows)) * HOUR).astype(np.int64)
    retries = _deploys(
        rng, org, deploys["lane"][rows], retry_at, np.full(len(rows), REGULAR), np.full(len(rows), SUCCESS)
    )
    return concat([deploys, retries])


def trend_end_of(org: Org, lanes: np.ndarray) -> np.ndarray:
    """The trend factor each lane's team reaches by the end of the window."""
    return np.array([org.teams[t].trend_end for t in org.lane_team[lanes]])


def _deploys(rng, org: Org, lane: np.ndarray, started: np.ndarray, kind: np.ndarray, status: np.ndarray) -> Frame:
    n = len(lane)
    mobile = np.array([org.repo_kind[r] == "mobile" for r in org.lane_repo[lane]], dtype=bool)
    duration = lognormal_hours(rng, np.where(mobile, 0.6, 0.12), 0.5, n)
    return {
        "lane": lane,
        "env": np.full(n, PRODUCTION),
        "kind": kind,
        "status": status,
        "started": started,
        "finished": started + np.maximum(duration, 60),
    }


def add_fix_deploys(rng, org: Org, lane: np.ndarray, started: np.ndarray, kind: np.ndarray) -> Frame:
    """Hotfix or rollback deployments, always successful."""
    return _deploys(rng, org, lane, started, kind, np.full(len(lane), SUCCESS))


def staging_deploys(rng: np.random.Generator, org: Org, production: Frame) -> Frame:
    """A staging deployment a few hours (mobile: a day or two) before each regular production deployment."""
    rows = np.flatnonzero(org.lane_staging[production["lane"]] & (production["kind"] == REGULAR))
    lane = production["lane"][rows]
    mobile = np.array([org.repo_kind[r] == "mobile" for r in org.lane_repo[lane]], dtype=bool)
    lead = np.where(mobile, rng.uniform(20, 50, len(rows)), rng.uniform(0.5, 5, len(rows))) * HOUR
    staging = _deploys(
        rng,
        org,
        lane,
        production["started"][rows] - lead.astype(np.int64),
        production["kind"][rows],
        np.where(rng.random(len(rows)) < 0.04, FAILURE, SUCCESS),
    )
    staging["env"] = np.full(len(rows), STAGING)
    return staging


def ship_ranges(deploys: Frame, prs: Frame) -> tuple[np.ndarray, np.ndarray]:
    """For each deployment, [lo, hi) into merged_order(prs): the PRs it shipped (empty for rollbacks)."""
    pr_keys = merged_keys(prs)[0]
    key = (deploys["lane"].astype(np.int64) << LANE_SHIFT) + deploys["started"]
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    base = (deploys["lane"][order].astype(np.int64)) << LANE_SHIFT
    ships = (deploys["status"][order] == SUCCESS) & (deploys["kind"][order] != ROLLBACK)
    # Start of the previous successful shipping deployment of the same lane (the lane's base if none):
    # lane bases grow with the lane, so a running maximum never leaks from one lane into the next.
    running = np.maximum.accumulate(np.where(ships, sorted_key, base))
    previous = np.maximum(np.r_[np.int64(-1), running[:-1]], base)
    lo = np.searchsorted(pr_keys, previous, side="right")
    hi = np.searchsorted(pr_keys, sorted_key, side="right")
    hi = np.where(deploys["kind"][order] == ROLLBACK, lo, hi)
    lo_out, hi_out = np.empty_like(lo), np.empty_like(hi)
    lo_out[order], hi_out[order] = lo, hi
    return lo_out, hi_out


def merged_keys(prs: Frame) -> tuple[np.ndarray, np.ndarray]:
    """Sorted lane-and-merge-time keys of merged PRs, and the PR rows in that order."""
    rows = np.flatnonzero(prs["merged"] >= 0)
    key = (prs["lane"][rows].astype(np.int64) << LANE_SHIFT) + prs["merged"][rows]
    order = np.argsort(key, kind="stable")
    return key[order], rows[order]
