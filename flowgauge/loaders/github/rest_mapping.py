"""GitHub REST objects (deployments, statuses, releases, tags, runs, issues, teams) to canonical rows."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flowgauge.loaders.github.mapping import parse_time

# Deployment status states as the schema names them; GitHub's 'pending' is a queued deployment.
STATUS_STATES = {
    "pending": "queued",
    "queued": "queued",
    "in_progress": "in_progress",
    "success": "success",
    "failure": "failure",
    "error": "error",
    "inactive": "inactive",
}
FINAL_STATES = frozenset({"success", "failure", "error"})
SEVERITY_LABEL = re.compile(r"(?i)^(sev[-_ ]?\d|p\d|severity[:/ ]\S+)$")


def deployment_id(repo_id: str, number: int | str) -> str:
    """Canonical id of a GitHub deployment."""
    return f"{repo_id}:deploy:{number}"


def map_deployment(repo_id: str, deployment: dict[str, Any], statuses: list[dict[str, Any]]) -> dict[str, Any]:
    """A deployments row from a REST deployment and its statuses (any order)."""
    status, finished_at, url = deployment_outcome(repo_id, deployment["id"], statuses)
    text = " ".join(str(deployment.get(k) or "") for k in ("task", "description", "ref")).lower()
    return {
        "deployment_id": deployment_id(repo_id, deployment["id"]),
        "repo_id": repo_id,
        "environment": deployment.get("environment") or "",
        "sha": deployment.get("sha"),
        "ref": deployment.get("ref"),
        "status": status,
        "deploy_kind": "rollback" if "rollback" in text else "hotfix" if "hotfix" in text else "regular",
        "started_at": parse_time(deployment["created_at"]),
        "finished_at": finished_at,
        "detection_rule": "deployments_api",
        "is_approximate": False,
        "url": url,
    }


def deployment_outcome(
    repo_id: str, number: int, statuses: list[dict[str, Any]]
) -> tuple[str, datetime | None, str | None]:
    """(status, finished_at, url) of a deployment from its status history."""
    history = sorted(map_statuses(repo_id, number, statuses), key=lambda s: s["status_at"])
    final = next((s for s in history if s["status"] in FINAL_STATES), None)
    # 'inactive' only means a later deployment replaced this one: it says nothing about the outcome.
    meaningful = [s for s in history if s["status"] != "inactive"]
    status = final["status"] if final else (meaningful[-1]["status"] if meaningful else "queued")
    return ("in_progress" if status == "queued" else status), (final or {}).get("status_at"), _status_url(statuses)


def _status_url(statuses: list[dict[str, Any]]) -> str | None:
    """The log or target URL of the newest status that has one (where the deploy can be seen)."""
    for status in sorted(statuses, key=lambda s: s["created_at"], reverse=True):
        if status.get("log_url") or status.get("target_url"):
            return status.get("log_url") or status.get("target_url")
    return None


def map_statuses(repo_id: str, number: int, statuses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """deployment_statuses rows, one per (state, time): GitHub may repeat a state."""
    rows = {}
    for status in statuses:
        state = STATUS_STATES.get(status.get("state", ""), status.get("state", "error"))
        at = parse_time(status["created_at"])
        rows[(state, at)] = {
            "deployment_id": deployment_id(repo_id, number),
            "status": state,
            "status_at": at,
            "description": status.get("description"),
        }
    return list(rows.values())


def map_release(repo_id: str, release: dict[str, Any]) -> dict[str, Any] | None:
    """A releases row, or None for an unpublished draft."""
    if release.get("draft"):
        return None
    return {
        "repo_id": repo_id,
        "tag_name": release["tag_name"],
        "name": release.get("name"),
        "sha": None,  # the REST release names a branch (target_commitish); the tag stream fills the sha
        "published_at": parse_time(release.get("published_at") or release.get("created_at")),
        "is_prerelease": bool(release.get("prerelease")),
        "is_bare_tag": False,
    }


def map_tag(repo_id: str, ref: dict[str, Any]) -> dict[str, Any]:
    """A releases row for a tag ref from the GraphQL tags query (annotated or lightweight)."""
    target = ref.get("target") or {}
    tagger_date = None
    if target.get("__typename") == "Tag":
        tagger_date = (target.get("tagger") or {}).get("date")
        target = target.get("target") or {}
    return {
        "repo_id": repo_id,
        "tag_name": ref["name"],
        "name": None,
        "sha": target.get("oid"),
        "published_at": parse_time(tagger_date or target.get("committedDate")),
        "is_prerelease": False,
        "is_bare_tag": True,
    }


def map_workflow_run(repo_id: str, run: dict[str, Any]) -> dict[str, Any]:
    """A workflow_runs row from a REST workflow run."""
    completed = run.get("status") == "completed"
    return {
        "run_id": f"{repo_id}:run:{run['id']}",
        "repo_id": repo_id,
        "name": run.get("name") or run.get("display_title") or str(run.get("workflow_id")),
        "event": run.get("event"),
        "head_branch": run.get("head_branch"),
        "head_sha": run.get("head_sha"),
        "status": run.get("status"),
        "conclusion": run.get("conclusion"),
        "started_at": parse_time(run.get("run_started_at") or run.get("created_at")),
        "finished_at": parse_time(run.get("updated_at")) if completed else None,
    }


def map_incident(repo_id: str, issue: dict[str, Any]) -> dict[str, Any] | None:
    """An incidents row from an issue labelled as an incident; None for pull requests."""
    if "pull_request" in issue:
        return None  # the issues API lists PRs too
    labels = [label["name"] if isinstance(label, dict) else str(label) for label in issue.get("labels") or []]
    severity = next((label.upper() for label in labels if SEVERITY_LABEL.match(label)), None)
    return {
        "incident_id": f"github:{repo_id}#{issue['number']}",
        "source": "github",
        "title": issue.get("title"),
        "repo_id": repo_id,
        "severity": severity,
        "opened_at": parse_time(issue["created_at"]),
        "resolved_at": parse_time(issue.get("closed_at")),
        "url": issue.get("html_url"),
    }


def map_team(team: dict[str, Any]) -> dict[str, Any]:
    """A teams row from a REST team."""
    parent = team.get("parent") or {}
    return {"team_id": team["slug"], "name": team.get("name") or team["slug"], "parent_team_id": parent.get("slug")}
