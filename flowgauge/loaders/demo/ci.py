"""CI workflow runs: one per PR (checks on its head commit) and one per deployment (the deploy job)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from flowgauge.loaders.demo import columns as col
from flowgauge.loaders.demo.delivery import REGULAR
from flowgauge.loaders.demo.flow import Frame
from flowgauge.loaders.demo.org import Org
from flowgauge.loaders.demo.timeline import Window, lognormal_hours

CONCLUSIONS = ("success", "failure", "cancelled")


def workflow_run_table(
    rng: np.random.Generator, org: Org, window: Window, prs: Frame, branch: pa.Array, deploys: Frame,
    deploy_sha: np.ndarray, pool: pa.Array, first_number: int,
) -> pa.Table:  # fmt: skip
    """Rows of workflow_runs; run numbers count up from first_number in start order."""
    n = len(prs["lane"])
    opened = np.where(prs["ready"] >= 0, prs["ready"], prs["created"])
    pr_start = opened + rng.integers(30, 300, n)
    pr_end = pr_start + np.maximum(lognormal_hours(rng, 0.15, 0.5, n), 60)
    pr_conclusion = rng.choice(3, n, p=[0.88, 0.09, 0.03])
    started = np.r_[pr_start, deploys["started"] - 60]
    finished = np.r_[pr_end, deploys["finished"]]
    keep = np.flatnonzero(started < window.end)
    running = finished[keep] >= window.end
    conclusion = np.r_[pr_conclusion, deploys["status"]][keep]
    repo = np.r_[org.lane_repo[prs["lane"]], org.lane_repo[deploys["lane"]]][keep]
    deploy_names = col.join("Deploy ", col.pick(("production", "staging"), deploys["env"]))
    names = pa.concat_arrays([pa.array(["CI"] * n), deploy_names]).take(pa.array(keep))
    events = col.pick(
        ("pull_request", "push", "workflow_dispatch"),
        np.r_[np.zeros(n, int), np.where(deploys["kind"] == REGULAR, 1, 2)][keep],
    )
    branches = pa.concat_arrays([branch, col.pick(org.repo_branch, org.lane_repo[deploys["lane"]])]).take(
        pa.array(keep)
    )
    head = np.r_[prs["head_sha"], deploy_sha][keep]
    number = first_number + col.rank_within(np.zeros(len(keep), dtype=np.int64), started[keep]) - 1
    return pa.table(
        {
            "run_id": col.join(col.pick(org.repo_ids, repo), ":run:", col.text(number)),
            "repo_id": col.pick(org.repo_ids, repo),
            "name": names,
            "event": events,
            "head_branch": branches,
            "head_sha": pool.take(pa.array(np.maximum(head, 0), mask=head < 0)),
            "status": col.pick(("completed", "in_progress"), running.astype(int)),
            "conclusion": col.pick(CONCLUSIONS, np.where(running, -1, conclusion)),
            "started_at": col.timestamps(started[keep]),
            "finished_at": col.timestamps(np.where(running, -1, finished[keep])),
        }
    )
