"""Deployment detection rules per repository, and linking deployments to the PRs and commits they shipped."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from flowgauge.errors import LoaderError

RULES = ("deployments_api", "release", "tag", "workflow_run", "merged_to_branch")
DEFAULT_DETECT = ("deployments_api", "release", "workflow_run", "tag", "merged_to_branch")
DEFAULT_ENVIRONMENT = r"(?i)^(prod|production)([-_ ].*)?$"
DEFAULT_INCIDENT_LABELS = ("incident",)


class BadDetectionConfig(LoaderError):
    """The deployment-detection TOML file is missing, malformed or names an unknown rule."""


@dataclass(frozen=True)
class DetectionRules:
    """How deployments are recognised in one repository; the first rule in detect that finds any wins."""

    detect: tuple[str, ...] = DEFAULT_DETECT
    environment: str = DEFAULT_ENVIRONMENT
    tag: str | None = None
    workflow: str | None = None
    production_branch: str | None = None
    include_prereleases: bool = False
    incident_labels: tuple[str, ...] = DEFAULT_INCIDENT_LABELS


@dataclass(frozen=True)
class DetectionConfig:
    """Rules for every repository: defaults, overridden per 'owner/name'."""

    default: DetectionRules = field(default_factory=DetectionRules)
    repos: dict[str, DetectionRules] = field(default_factory=dict)

    def for_repo(self, repo_id: str) -> DetectionRules:
        """The rules that apply to repo_id (case-insensitive match)."""
        return self.repos.get(repo_id.lower(), self.default)


def load_detection_config(path: str | Path | None) -> DetectionConfig:
    """Read a TOML config ([default] and [repos."owner/name"] tables); None gives the built-in defaults."""
    if path is None:
        return DetectionConfig()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadDetectionConfig(f"{path}: no such deployment-detection config file") from None
    except tomllib.TOMLDecodeError as error:
        raise BadDetectionConfig(f"{path}: not valid TOML ({error})") from None
    default = _rules(DetectionRules(), data.get("default", {}), f"{path} [default]")
    repos = {}
    for name, table in data.get("repos", {}).items():
        repos[name.lower()] = _rules(default, table, f'{path} [repos."{name}"]')
    return DetectionConfig(default, repos)


def _rules(base: DetectionRules, table: dict[str, Any], where: str) -> DetectionRules:
    known = {"detect", "environment", "tag", "workflow", "production_branch", "include_prereleases", "incident_labels"}
    unknown = set(table) - known
    if unknown:
        raise BadDetectionConfig(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}")
    values = dict(table)
    for key in ("detect", "incident_labels"):
        if key in values:
            values[key] = tuple(values[key])
    bad = [rule for rule in values.get("detect", ()) if rule not in RULES]
    if bad:
        raise BadDetectionConfig(f"{where}: unknown rule(s) {', '.join(bad)}; rules are {', '.join(RULES)}")
    for key in ("environment", "tag", "workflow"):
        try:
            re.compile(values.get(key) or "")
        except re.error as error:
            raise BadDetectionConfig(f"{where}: {key} is not a valid regular expression ({error})") from None
    return replace(base, **values)


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
    pattern = re.compile(rules.environment)
    return [d for d in h.api_deployments if pattern.search(d["environment"] or "")]


def _from_releases(rules: DetectionRules, h: RepoHistory) -> list[dict[str, Any]]:
    chosen = [
        r
        for r in h.releases
        if not r["is_bare_tag"] and r["published_at"] and (rules.include_prereleases or not r["is_prerelease"])
    ]
    return [_derived(h.repo_id, "release", r["tag_name"], r["sha"], r["tag_name"], r["published_at"]) for r in chosen]


def _from_tags(rules: DetectionRules, h: RepoHistory) -> list[dict[str, Any]]:
    if not rules.tag:
        return []
    pattern = re.compile(rules.tag)
    chosen = [r for r in h.releases if r["published_at"] and pattern.search(r["tag_name"])]
    return [_derived(h.repo_id, "tag", r["tag_name"], r["sha"], r["tag_name"], r["published_at"]) for r in chosen]


def _from_runs(rules: DetectionRules, h: RepoHistory) -> list[dict[str, Any]]:
    if not rules.workflow:
        return []
    pattern = re.compile(rules.workflow)
    rows = []
    for run in h.workflow_runs:
        if run["status"] != "completed" or run["conclusion"] not in ("success", "failure"):
            continue  # cancelled and skipped runs deployed nothing
        if not pattern.search(run["name"] or "") or run["started_at"] is None:
            continue
        row = _derived(h.repo_id, "workflow_run", run["run_id"], run["head_sha"], run["head_branch"], run["started_at"])
        row.update(status=run["conclusion"], finished_at=run["finished_at"], deploy_kind=_kind(run["name"]))
        rows.append(row)
    return rows


def _from_merges(rules: DetectionRules, h: RepoHistory) -> list[dict[str, Any]]:
    branch = rules.production_branch or h.default_branch
    rows = []
    for pr in h.merged_pulls:
        if branch and pr["base_branch"] == branch and pr["merged_at"]:
            row = _derived(h.repo_id, "merged_to_branch", pr["pr_id"], pr["merge_commit_sha"], branch, pr["merged_at"])
            row.update(is_approximate=True, deploy_kind=_kind(f"{pr['title']} {pr['head_branch']}"))
            rows.append(row)
    return rows


_DETECTORS = {
    "deployments_api": _from_api,
    "release": _from_releases,
    "tag": _from_tags,
    "workflow_run": _from_runs,
    "merged_to_branch": _from_merges,
}


def _kind(text: str | None) -> str:
    lowered = (text or "").lower()
    if "rollback" in lowered or "revert" in lowered:
        return "rollback"
    return "hotfix" if "hotfix" in lowered else "regular"


def _derived(repo_id: str, rule: str, key: str, sha: str | None, ref: str | None, at: datetime) -> dict[str, Any]:
    return {
        "deployment_id": f"{repo_id}:{rule}:{key}",
        "repo_id": repo_id,
        "environment": "production",
        "sha": sha,
        "ref": ref,
        "status": "success",
        "deploy_kind": _kind(ref),
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
                for pr in shipped:
                    key = (d["deployment_id"], pr["pr_id"])
                    if previous < pr["merged_at"] <= d["started_at"] and key not in pr_links:
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
