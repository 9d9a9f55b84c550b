"""Deployment detection rules per repository, and linking deployments to the PRs and commits they shipped."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flowgauge.rules import BadRules, DetectionConfig, DetectionRules, load_rules
from flowgauge.rules.defaults import DETECTION_RULES as RULES
from flowgauge.rules.patterns import re2_search

__all__ = [
    "RULES",
    "BadDetectionConfig",
    "DetectionConfig",
    "DetectionRules",
    "RepoHistory",
    "detect_deployments",
    "link_deployments",
    "load_detection_config",
]

# The --config file is a rules file now (flowgauge.rules); these names stay for the loaders' callers.
BadDetectionConfig = BadRules


def load_detection_config(path: str | Path | None) -> DetectionConfig:
    """The deployment detection of the rules file at path (None: the built-in rules)."""
    return load_rules(path).detection


@dataclass
class RepoHistory:
    """What detection reads for one repository, as canonical rows."""

    repo_id: str
    default_branch: str | None
    api_deployments: list[dict[str, Any]]
    releases: list[dict[str, Any]]
    workflow_runs: list[dict[str, Any]]
    merged_pulls: list[dict[str, Any]]
    pr_commits: dict[str, list[str]]


def detect_deployments(rules: DetectionRules, history: RepoHistory) -> tuple[str | None, list[dict[str, Any]]]:
    """(rule used, deployment rows) from the first rule in rules.detect that finds any deployment."""
    for rule in rules.detect:
        rows = _DETECTORS[rule](rules, history)
        if rows:
            return rule, rows
    return None, []


def _from_api(rules: DetectionRules, h: RepoHistory) -> list[dict[str, Any]]:
    return [d for d in h.api_deployments if rules.is_production(d["environment"])]


def _from_releases(rules: DetectionRules, h: RepoHistory) -> list[dict[str, Any]]:
    chosen = [
        r
        for r in h.releases
        if not r["is_bare_tag"] and r["published_at"] and (rules.include_prereleases or not r["is_prerelease"])
    ]
    return [
        _derived(rules, h.repo_id, "release", r["tag_name"], r["sha"], r["tag_name"], r["published_at"]) for r in chosen
    ]


def _from_tags(rules: DetectionRules, h: RepoHistory) -> list[dict[str, Any]]:
    if not rules.tag:
        return []
    chosen = [r for r in h.releases if r["published_at"] and re2_search(rules.tag, r["tag_name"])]
    return [
        _derived(rules, h.repo_id, "tag", r["tag_name"], r["sha"], r["tag_name"], r["published_at"]) for r in chosen
    ]


def _from_runs(rules: DetectionRules, h: RepoHistory) -> list[dict[str, Any]]:
    if not rules.workflow:
        return []
    rows = []
    for run in h.workflow_runs:
        if run["status"] != "completed" or run["conclusion"] not in ("success", "failure"):
            continue  # cancelled and skipped runs deployed nothing
        if not re2_search(rules.workflow, run["name"] or "") or run["started_at"] is None:
            continue
        row = _derived(
            rules, h.repo_id, "workflow_run", run["run_id"], run["head_sha"], run["head_branch"], run["started_at"]
        )
        row.update(status=run["conclusion"], finished_at=run["finished_at"], deploy_kind=rules.kind_of(run["name"]))
        rows.append(row)
    return rows


def _from_merges(rules: DetectionRules, h: RepoHistory) -> list[dict[str, Any]]:
    branch = rules.production_branch or h.default_branch
    rows = []
    for pr in h.merged_pulls:
        if branch and pr["base_branch"] == branch and pr["merged_at"]:
            row = _derived(
                rules, h.repo_id, "merged_to_branch", pr["pr_id"], pr["merge_commit_sha"], branch, pr["merged_at"]
            )
            row.update(is_approximate=True, deploy_kind=rules.kind_of(f"{pr['title']} {pr['head_branch']}"))
            rows.append(row)
    return rows


_DETECTORS = {
    "deployments_api": _from_api,
    "release": _from_releases,
    "tag": _from_tags,
    "workflow_run": _from_runs,
    "merged_to_branch": _from_merges,
}


def _derived(
    rules: DetectionRules, repo_id: str, rule: str, key: str, sha: str | None, ref: str | None, at: datetime
) -> dict[str, Any]:
    return {
        "deployment_id": f"{repo_id}:{rule}:{key}",
        "repo_id": repo_id,
        "environment": "production",
        "sha": sha,
        "ref": ref,
        "status": "success",
        "deploy_kind": rules.kind_of(ref),
        "started_at": at,
        "finished_at": at,
        "detection_rule": rule,
        "is_approximate": False,
        "url": None,
    }


def link_deployments(
    deployments: list[dict[str, Any]], history: RepoHistory, branch: str | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(deployment_pull_requests, deployment_commits) rows for the successful deployments.

    A PR ships with the first successful deployment to the same environment at or after its
    merge ('merged_since_previous'), or exactly with the deployment of its merge commit
    ('commit_ancestry'). The earliest known deployment gets only exact matches, since what was
    deployed before it is unknown. Merges detected as deployments ship their own PR ('source').
    Only PRs merged into branch (the production branch) count; None accepts every base branch.
    """
    shipped = [pr for pr in history.merged_pulls if pr["merged_at"] and (branch is None or pr["base_branch"] == branch)]
    # By merge time, so each deployment finds the PRs merged since the previous one by bisection: a scan of every PR
    # per deployment took minutes for a repository with thousands of each.
    shipped.sort(key=lambda pr: pr["merged_at"])
    merged_times = [pr["merged_at"] for pr in shipped]
    pr_links: dict[tuple[str, str], dict[str, Any]] = {}
    by_sha = {pr["merge_commit_sha"]: pr for pr in shipped if pr["merge_commit_sha"]}
    by_env: dict[str, list[dict[str, Any]]] = {}
    for d in deployments:
        if d["status"] == "success":
            by_env.setdefault(d["environment"], []).append(d)
    for env_deployments in by_env.values():
        env_deployments.sort(key=lambda d: d["started_at"])
        previous: datetime | None = None
        for d in env_deployments:
            if d["detection_rule"] == "merged_to_branch":
                pr_id = d["deployment_id"].split(":merged_to_branch:", 1)[1]
                pr_links[(d["deployment_id"], pr_id)] = _link(d, pr_id, "source")
                continue
            exact = by_sha.get(d["sha"])
            if exact is not None:
                pr_links[(d["deployment_id"], exact["pr_id"])] = _link(d, exact["pr_id"], "commit_ancestry")
            if previous is not None:
                since = bisect_right(merged_times, previous)  # merged after the previous deployment started
                for pr in shipped[since : bisect_right(merged_times, d["started_at"], lo=since)]:
                    key = (d["deployment_id"], pr["pr_id"])
                    if key not in pr_links:
                        pr_links[key] = _link(d, pr["pr_id"], "merged_since_previous")
            previous = d["started_at"]
    commit_rows: dict[tuple[str, str], dict[str, Any]] = {}
    merge_sha = {pr["pr_id"]: pr["merge_commit_sha"] for pr in history.merged_pulls}
    for link in pr_links.values():
        shas = [*history.pr_commits.get(link["pr_id"], []), merge_sha.get(link["pr_id"])]
        for sha in filter(None, shas):
            commit_rows[(link["deployment_id"], sha)] = {
                "deployment_id": link["deployment_id"],
                "repo_id": history.repo_id,
                "sha": sha,
            }
    return list(pr_links.values()), list(commit_rows.values())


def _link(deployment: dict[str, Any], pr_id: str, rule: str) -> dict[str, Any]:
    return {"deployment_id": deployment["deployment_id"], "pr_id": pr_id, "link_rule": rule}
