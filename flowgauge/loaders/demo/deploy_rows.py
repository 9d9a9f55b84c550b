"""Arrow rows for deployments, their statuses, shipped PRs and commits, releases and CI workflow runs."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from flowgauge.loaders.demo import columns as col
from flowgauge.loaders.demo.commits import MERGE
from flowgauge.loaders.demo.delivery import PRODUCTION, ROLLBACK, SUCCESS
from flowgauge.loaders.demo.flow import Frame
from flowgauge.loaders.demo.org import Org
from flowgauge.loaders.demo.profiles import WEB
from flowgauge.loaders.demo.timeline import HOUR, Window

ENVIRONMENTS = ("production", "staging")
KINDS = ("regular", "hotfix", "rollback")
RULES = {"service": "deployments_api", "monorepo": "workflow_run", "infra": "workflow_run", "mobile": "release"}


def deployment_ids(org: Org, deploys: Frame) -> pa.Array:
    """'acme/repo:deploy:N', numbered per repository in start order (also stored as deploys['number'])."""
    repo = org.lane_repo[deploys["lane"]]
    deploys["number"] = col.rank_within(repo, deploys["started"] * 2 + deploys["env"])
    return col.join(col.pick(org.repo_ids, repo), ":deploy:", col.text(deploys["number"]))


def deployment_shas(deploys: Frame, prs: Frame, shipped_order: np.ndarray) -> np.ndarray:
    """Pool index of the commit each deployment ran: the tip of the last PR it shipped (or rolled back to)."""
    last = np.where(deploys["hi"] > deploys["lo"], deploys["hi"] - 1, deploys["lo"] - 1)
    last = np.where(deploys["kind"] == ROLLBACK, deploys["rollback_to"], last)
    lane_ok = (last >= 0) & (prs["lane"][shipped_order[np.maximum(last, 0)]] == deploys["lane"])
    return np.where(lane_ok, prs["tip_sha"][shipped_order[np.maximum(last, 0)]], -1)


def deployment_tables(
    rng: np.random.Generator, org: Org, window: Window, deploys: Frame, ids: pa.Array, sha: np.ndarray,
    prs: Frame, shipped_order: np.ndarray, pr_ids: pa.Array, pool: pa.Array,
) -> dict[str, pa.Table]:  # fmt: skip
    """Rows of deployments, deployment_statuses, deployment_pull_requests and deployment_commits."""
    n = len(ids)
    repo = org.lane_repo[deploys["lane"]]
    running = deploys["finished"] >= window.end
    status = np.where(running, 2, deploys["status"])
    tagged = deploys["tag"] >= 0
    ref = col.pick(org.repo_branch, repo)
    tags = col.join(
        "v",
        col.text(1 + deploys["tag"] // 50),
        ".",
        col.text(deploys["tag"] % 50),
        ".",
        col.text(np.minimum(deploys["kind"], 1)),
    )
    sha_array = pool.take(pa.array(np.maximum(sha, 0), mask=sha < 0))
    link_deploy, link_pos = col.expand_ranges(deploys["lo"], deploys["hi"] - deploys["lo"])
    link_pr = shipped_order[link_pos]
    # Commits shipped: each PR's default-branch commits, plus its branch commits when merged with a merge commit.
    main_owner, main_rows = col.expand_ranges(prs["main_start"][link_pr], prs["main_count"][link_pr])
    merge_links = np.flatnonzero(prs["method"][link_pr] == MERGE)
    branch_owner, branch_rows = col.expand_ranges(
        prs["branch_start"][link_pr[merge_links]], prs["branch_count"][link_pr[merge_links]]
    )
    commit_deploy = np.r_[link_deploy[main_owner], link_deploy[merge_links[branch_owner]]]
    commit_rows = np.r_[main_rows, branch_rows]
    queued = deploys["started"] - rng.integers(10, 120, n)
    final = np.flatnonzero(~running)
    return {
        "deployments": pa.table(
            {
                "deployment_id": ids,
                "repo_id": col.pick(org.repo_ids, repo),
                "service_id": col.pick(org.service_ids, org.lane_service[deploys["lane"]]),
                "environment": col.pick(ENVIRONMENTS, deploys["env"]),
                "sha": sha_array,
                "ref": pc.if_else(pa.array(tagged), tags, ref),
                "status": col.pick(("success", "failure", "in_progress"), status),
                "deploy_kind": col.pick(KINDS, deploys["kind"]),
                "started_at": col.timestamps(deploys["started"]),
                "finished_at": col.timestamps(np.where(running, -1, deploys["finished"])),
                "detection_rule": col.pick([RULES.get(k, "demo") for k in org.repo_kind], repo),
                "is_approximate": np.zeros(n, bool),
                "url": col.join(WEB, "/", col.pick(org.repo_ids, repo), "/deployments/", col.text(deploys["number"])),
            }
        ),
        "deployment_statuses": pa.table(
            {
                "deployment_id": pa.concat_arrays([ids, ids, ids.take(pa.array(final))]),
                "status": col.pick(
                    ("queued", "in_progress", "success", "failure"),
                    np.r_[np.zeros(n, int), np.ones(n, int), 2 + deploys["status"][final]],
                ),
                "status_at": col.timestamps(np.r_[queued, deploys["started"], deploys["finished"][final]]),
                "description": col.pick(
                    (
                        "Waiting for a runner",
                        "Deploying",
                        "Deployment finished",
                        "Deployment failed: health checks did not pass",
                    ),
                    np.r_[np.zeros(n, int), np.ones(n, int), 2 + deploys["status"][final]],
                ),
            }
        ),
        "deployment_pull_requests": pa.table(
            {
                "deployment_id": ids.take(pa.array(link_deploy)),
                "pr_id": pr_ids.take(pa.array(link_pr)),
                "link_rule": pa.array(["merged_since_previous"] * len(link_pr)),
            }
        ),
        "deployment_commits": pa.table(
            {
                "deployment_id": ids.take(pa.array(commit_deploy)),
                "repo_id": col.pick(org.repo_ids, repo[commit_deploy]),
                "sha": pool.take(pa.array(commit_rows)),
            }
        ),
    }


def assign_tags(org: Org, deploys: Frame) -> None:
    """Number the releases of tagged (mobile) repositories: one per successful production deployment."""
    tagged = org.lane_tagged[deploys["lane"]] & (deploys["env"] == PRODUCTION) & (deploys["status"] == SUCCESS)
    tagged &= deploys["kind"] != ROLLBACK
    repo = np.where(tagged, org.lane_repo[deploys["lane"]], -1)
    deploys["tag"] = np.where(tagged, col.rank_within(repo, deploys["started"]) - 1, -1)


def release_table(
    rng: np.random.Generator, org: Org, window: Window, deploys: Frame, sha: np.ndarray, prs: Frame, pool: pa.Array
) -> pa.Table:
    """Releases: a tag per mobile production deployment, and library releases every few merged PRs."""
    rows = np.flatnonzero(deploys["tag"] >= 0)
    tag = deploys["tag"][rows]
    library = np.flatnonzero(
        (prs["merged"] >= 0) & ~org.lane_deployable[prs["lane"]] & (rng.random(len(prs["lane"])) < 0.2)
    )
    lib_repo = org.lane_repo[prs["lane"][library]]
    lib_rank = col.rank_within(lib_repo, prs["merged"][library])
    pre = rng.random(len(library)) < 0.1
    bare = rng.random(len(library)) < 0.25
    published = prs["merged"][library] + (rng.uniform(0.1, 24, len(library)) * HOUR).astype(np.int64)
    keep = published < window.end
    library, lib_repo, lib_rank, pre, bare, published = (
        x[keep] for x in (library, lib_repo, lib_rank, pre, bare, published)
    )
    deploy_tags = col.join(
        "v", col.text(1 + tag // 50), ".", col.text(tag % 50), ".", col.text(np.minimum(deploys["kind"][rows], 1))
    )
    lib_tags = col.join("v0.", col.text(lib_rank), ".0", col.pick(("", "-rc.1"), pre.astype(int)))
    repo = np.r_[org.lane_repo[deploys["lane"][rows]], lib_repo]
    tags = pa.concat_arrays([deploy_tags, lib_tags])
    names = col.join(col.pick(org.repo_names, repo), tags, sep=" ")
    is_bare = np.r_[np.zeros(len(rows), bool), bare]
    shas = np.r_[sha[rows], prs["tip_sha"][library]]
    return pa.table(
        {
            "repo_id": col.pick(org.repo_ids, repo),
            "tag_name": tags,
            "name": pc.if_else(pa.array(is_bare), pa.scalar(None, pa.string()), names),
            "sha": pool.take(pa.array(np.maximum(shas, 0), mask=shas < 0)),
            "published_at": col.timestamps(np.r_[deploys["started"][rows], published]),
            "is_prerelease": np.r_[np.zeros(len(rows), bool), pre],
            "is_bare_tag": is_bare,
        }
    )
