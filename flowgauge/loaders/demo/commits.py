"""Commits: each PR's branch commits, the squash/merge/rebased commits on the default branch, and line ages.

Shas live in one pool per batch (branch commits, then default-branch commits, then one pre-history root
per repository that the earliest commits point at); commit rows refer to the pool by index.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from flowgauge.loaders.demo import columns as col
from flowgauge.loaders.demo.flow import BOT, HOTFIX, Frame
from flowgauge.loaders.demo.org import Org
from flowgauge.loaders.demo.timeline import Window

SQUASH, MERGE, REBASE = 0, 1, 2
SUBJECTS = ("Address review comments", "Add tests", "Fix lint", "WIP", "Update snapshots", "Fix typo",
            "Handle edge case", "Refactor helper", "Apply suggestions from code review", "Bump version")  # fmt: skip
TITLE, SQUASH_TITLE, MERGE_MESSAGE = -1, -2, -3  # subject kinds that are built from the PR
RECENT_DAYS = 21
REPO_SHIFT = 34


def build_commits(rng: np.random.Generator, org: Org, window: Window, prs: Frame) -> tuple[Frame, pa.Array]:
    """Commit rows (pool indices for shas and parents) and the sha pool; adds branch/tip columns to prs."""
    n = len(prs["lane"])
    repo_of_pr = org.lane_repo[prs["lane"]]
    count = np.where(
        prs["kind"] == BOT,
        1,
        np.where(
            prs["kind"] == HOTFIX, 1 + (rng.random(n) < 0.3), 1 + rng.poisson(0.8 + 0.45 * np.log1p(prs["size"] / 20))
        ),
    )
    count = np.minimum(count, 25)
    owner = np.repeat(np.arange(n), count)
    total = len(owner)
    start = np.cumsum(count) - count
    first = np.zeros(total, bool)
    first[start] = True
    limit = np.where(prs["ready"] >= 0, prs["ready"], window.end - 60)
    span = np.maximum(limit - prs["first_commit"], 1)
    authored = prs["first_commit"][owner] + np.where(first, 0, (rng.random(total) * span[owner]).astype(np.int64))
    authored = authored[np.lexsort((authored, owner))]  # owner is already grouped, so it stays aligned
    weights = rng.exponential(1.0, total)
    share = weights / np.bincount(owner, weights, minlength=n)[owner]
    # Branch commits are pool rows 0..total-1, in PR order.
    branch = {
        "pr": owner,
        "repo": repo_of_pr[owner],
        "author": prs["author"][owner],
        "authored": authored,
        "committed": authored,
        "added": np.round(prs["added"][owner] * share).astype(np.int64),
        "deleted": np.round(prs["deleted"][owner] * share).astype(np.int64),
        "files": np.maximum(1, np.round(prs["files"][owner] * np.minimum(1, share * 1.5))).astype(np.int64),
        "sha": np.arange(total),
        "parent0": np.where(first, -1, np.arange(total) - 1),
        "parent1": np.full(total, -1),
        "subject": np.where(first, TITLE, rng.integers(0, len(SUBJECTS), total)),
        "is_merge": np.zeros(total, bool),
    }
    main, tip = _default_branch(rng, org, prs, branch, start, count, total)
    n_repos = len(org.repo_names)
    pool_size = total + len(main["pr"]) + n_repos
    root = total + len(main["pr"]) + np.arange(n_repos)
    # A branch starts from the newest default-branch commit of its repository before its first commit.
    main_key = (main["repo"] << REPO_SHIFT) + main["committed"]
    order = np.argsort(main_key, kind="stable")
    base_pos = np.searchsorted(main_key[order], (repo_of_pr << REPO_SHIFT) + prs["first_commit"], side="right") - 1
    base_ok = (base_pos >= 0) & (main["repo"][order][np.maximum(base_pos, 0)] == repo_of_pr)
    base = np.where(base_ok, main["sha"][order][np.maximum(base_pos, 0)], root[repo_of_pr])
    branch["parent0"] = np.where(first, base[owner], branch["parent0"])
    main["parent0"] = np.where(main["parent0"] < 0, root[main["repo"]], main["parent0"])
    prs["branch_start"], prs["branch_count"] = start, count
    prs["head_sha"] = start + count - 1
    prs["tip_sha"] = tip
    # Default-branch rows of one PR are contiguous; remember where they start (as commit rows) and how many.
    main_start = np.full(n, -1)
    main_start[main["pr"][::-1]] = total + np.arange(len(main["pr"]))[::-1]
    prs["main_start"], prs["main_count"] = main_start, np.bincount(main["pr"], minlength=n)
    commits = {k: np.concatenate([branch[k], main[k]]) for k in branch}
    return commits, col.hex_ids(rng, pool_size)


def _default_branch(rng, org: Org, prs: Frame, branch: Frame, start, count, total) -> tuple[Frame, np.ndarray]:
    """Commits merged PRs left on the default branch, chained per repository in merge order."""
    merged = np.flatnonzero(prs["merged"] >= 0)
    method = prs["method"][merged]
    per_pr = np.where(method == REBASE, count[merged], 1)
    pr = np.repeat(merged, per_pr)
    position = np.arange(len(pr)) - np.repeat(np.cumsum(per_pr) - per_pr, per_pr)
    copied = start[pr] + position  # the branch commit a rebased copy reproduces
    rebased = prs["method"][pr] == REBASE
    repo = org.lane_repo[prs["lane"][pr]]
    order = np.lexsort((position, pr, prs["merged"][pr], repo))
    pr, position, copied, rebased, repo = pr[order], position[order], copied[order], rebased[order], repo[order]
    m = len(pr)
    sha = total + np.arange(m)
    same_repo = np.r_[False, repo[1:] == repo[:-1]]
    parent0 = np.where(same_repo, np.r_[-1, sha[:-1]], -1)
    is_merge = prs["method"][pr] == MERGE
    main = {
        "pr": pr,
        "repo": repo,
        "author": prs["author"][pr],
        "authored": np.where(rebased, branch["authored"][copied], prs["merged"][pr]),
        "committed": prs["merged"][pr],
        "added": np.where(rebased, branch["added"][copied], prs["added"][pr]),
        "deleted": np.where(rebased, branch["deleted"][copied], prs["deleted"][pr]),
        "files": np.where(rebased, branch["files"][copied], prs["files"][pr]),
        "sha": sha,
        "parent0": parent0,
        "parent1": np.where(is_merge, start[pr] + count[pr] - 1, -1),
        "subject": np.where(rebased, branch["subject"][copied], np.where(is_merge, MERGE_MESSAGE, SQUASH_TITLE)),
        "is_merge": is_merge,
    }
    tip = np.full(len(prs["lane"]), -1)
    tip[pr] = sha  # rows are in merge order, so the last write per PR is its last commit
    return main, tip


def line_ages(rng: np.random.Generator, org: Org, window: Window, prs: Frame, commits: Frame) -> Frame:
    """Rework (lines younger than 21 days replaced) and refactor (older lines replaced) per non-merge commit."""
    rows = np.flatnonzero(~commits["is_merge"])
    team = prs["team"][commits["pr"][rows]]
    level = np.array([t.level for t in org.teams])
    trend_end = np.array([t.trend_end for t in org.teams])
    refactor_base = rng.uniform(0.11, 0.22, len(org.teams))
    frac = window.fraction(commits["authored"][rows])
    rework = 0.05 * level[team] ** 0.4 * np.exp(0.6 * np.log(trend_end[team]) * frac)
    rework = np.clip(rework * np.exp(rng.normal(0, 0.5, len(rows))), 0.0, 0.4)
    refactor = np.clip(refactor_base[team] * np.exp(rng.normal(0, 0.4, len(rows))), 0.0, 0.55)
    bot = prs["kind"][commits["pr"][rows]] == BOT
    added = commits["added"][rows]
    recent = np.where(bot, 0, rng.binomial(added, rework))
    old = rng.binomial(added - recent, np.where(bot, 0.8, refactor / (1 - rework)))
    return {"row": rows, "new": added - recent - old, "recent": recent, "old": old}
