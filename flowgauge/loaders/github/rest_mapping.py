"""GitHub REST objects (deployments, statuses, releases, tags, runs, issues, teams) to canonical rows.

Each map_* reads its object through flowgauge.loaders.http.fields: optional fields the object lacks become NULL
and are counted in the FieldNotes passed in; an object lacking what its row cannot be built without raises
SkipItem, which the caller counts.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flowgauge.loaders.github.mapping import parse_time
from flowgauge.loaders.http.fields import FieldNotes, Item, SkipItem
from flowgauge.rules.detection import DEFAULT_DETECTION, DetectionRules

# GitHub deployment status states in the snapshot's vocabulary (schema.sql); 'pending' is a queued deployment.
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
# A deployment's state when it never reported a status (or only 'inactive', which says nothing of its outcome).
UNKNOWN_STATE = "unknown"
SEVERITY_LABEL = re.compile(r"(?i)^(sev[-_ ]?\d|p\d|severity[:/ ]\S+)$")


def deployment_id(repo_id: str, number: int | str) -> str:
    """Canonical id of a GitHub deployment."""
    return f"{repo_id}:deploy:{number}"


def status_state(raw: Any) -> str | None:
    """A GitHub deployment status state in the snapshot's vocabulary; None for a state GitHub does not document."""
    return STATUS_STATES.get(str(raw).lower()) if raw is not None else None


def map_deployment(
    repo_id: str,
    deployment: dict[str, Any],
    statuses: list[dict[str, Any]],
    notes: FieldNotes | None = None,
    rules: DetectionRules = DEFAULT_DETECTION,
) -> dict[str, Any]:
    """A deployments row from a REST deployment and its statuses (any order); SkipItem without id or created_at.
    The rules give the hotfix and rollback patterns."""
    d = Item(deployment, notes, "deployments")
    number = d.need("id")
    started_at = parse_time(d.need("created_at"))
    status, finished_at, url = deployment_outcome(repo_id, number, statuses, notes)
    text = " ".join(str(d.get(k) or "") for k in ("task", "description", "ref"))
    return {
        "deployment_id": deployment_id(repo_id, number),
        "repo_id": repo_id,
        "environment": d.want("environment") or "",
        "sha": d.want("sha"),
        "ref": d.want("ref"),
        "status": status,
        "deploy_kind": rules.kind_of(text),
        "started_at": started_at,
        "finished_at": finished_at,
        "detection_rule": "deployments_api",
        "is_approximate": False,
        "url": url,
    }


def deployment_outcome(
    repo_id: str, number: int, statuses: list[dict[str, Any]], notes: FieldNotes | None = None
) -> tuple[str, datetime | None, str | None]:
    """(status, finished_at, url) of a deployment from its status history, in the same states as its status rows.

    The first final status (success, failure, error) decides; before one, the latest status other than
    'inactive'; with none at all the state is 'unknown'.
    """
    history = sorted(map_statuses(repo_id, number, statuses, notes), key=lambda s: s["status_at"])
    final = next((s for s in history if s["status"] in FINAL_STATES), None)
    # 'inactive' only means a later deployment replaced this one: it says nothing about the outcome.
    meaningful = [s for s in history if s["status"] != "inactive"]
    status = final["status"] if final else (meaningful[-1]["status"] if meaningful else UNKNOWN_STATE)
    return status, (final or {}).get("status_at"), _status_url(statuses)


def _status_url(statuses: list[dict[str, Any]]) -> str | None:
    """The log or target URL of the newest status that has one (where the deploy can be seen)."""
    for status in sorted(statuses, key=lambda s: str(s.get("created_at") or ""), reverse=True):
        if status.get("log_url") or status.get("target_url"):
            return status.get("log_url") or status.get("target_url")
    return None


def map_statuses(
    repo_id: str, number: int, statuses: list[dict[str, Any]], notes: FieldNotes | None = None
) -> list[dict[str, Any]]:
    """deployment_statuses rows, one per (state, time): GitHub may repeat a state.

    A status without a state GitHub documents, or without a time, is left out (and counted in notes).
    """
    notes = notes if notes is not None else FieldNotes()
    rows = {}
    for data in statuses:
        status = Item(data, notes, "deployment statuses")
        where = f"{deployment_id(repo_id, number)} status {data.get('id') or '(no id)'}"
        try:
            raw = status.need("state")
            state = status_state(raw)
            if state is None:
                raise SkipItem("deployment statuses", f"documented state (got {str(raw)[:40]!r})")
            at = parse_time(status.need("created_at"))
        except SkipItem as skip:
            notes.note_skipped(skip, where)
            continue
        rows[(state, at)] = {
            "deployment_id": deployment_id(repo_id, number),
            "status": state,
            "status_at": at,
            "description": status.get("description"),
        }
    return list(rows.values())


def map_release(repo_id: str, release: dict[str, Any], notes: FieldNotes | None = None) -> dict[str, Any] | None:
    """A releases row, or None for an unpublished draft; SkipItem without tag_name."""
    r = Item(release, notes, "releases")
    if r.get("draft"):
        return None
    tag_name = r.need("tag_name")
    published = r.get("published_at") or r.want("created_at")
    return {
        "repo_id": repo_id,
        "tag_name": tag_name,
        "name": r.get("name"),
        "sha": None,  # the REST release names a branch (target_commitish); the tag stream fills the sha
        "published_at": parse_time(published),
        "is_prerelease": bool(r.get("prerelease")),
        "is_bare_tag": False,
    }


def map_tag(repo_id: str, ref: dict[str, Any], notes: FieldNotes | None = None) -> dict[str, Any]:
    """A releases row for a tag ref from the GraphQL tags query (annotated or lightweight); SkipItem without name."""
    tag = Item(ref, notes, "tags")
    name = tag.need("name")
    target = tag.sub("target")
    tagger_date = None
    if target.want("__typename") == "Tag":
        tagger_date = target.want("tagger", "date")
        target = target.sub("target")
    return {
        "repo_id": repo_id,
        "tag_name": name,
        "name": None,
        "sha": target.want("oid"),
        "published_at": parse_time(tagger_date or target.want("committedDate")),
        "is_prerelease": False,
        "is_bare_tag": True,
    }


def map_workflow_run(repo_id: str, run: dict[str, Any], notes: FieldNotes | None = None) -> dict[str, Any]:
    """A workflow_runs row from a REST workflow run; SkipItem without id."""
    r = Item(run, notes, "workflow runs")
    run_id = r.need("id")
    completed = r.want("status") == "completed"
    # run_started_at is missing on older GitHub Enterprise servers (counted); the creation time stands in.
    started = r.get("run_started_at") or r.want("created_at")
    return {
        "run_id": f"{repo_id}:run:{run_id}",
        "repo_id": repo_id,
        "name": r.get("name") or r.get("display_title") or _workflow_name(r),
        "event": r.get("event"),
        "head_branch": r.get("head_branch"),
        "head_sha": r.want("head_sha"),
        "status": r.want("status"),
        "conclusion": r.get("conclusion"),
        "started_at": parse_time(started),
        "finished_at": parse_time(r.want("updated_at")) if completed else None,
    }


def _workflow_name(run: Item) -> str:
    workflow = run.want("workflow_id")
    return str(workflow) if workflow is not None else "(unnamed workflow)"


def map_incident(repo_id: str, issue: dict[str, Any], notes: FieldNotes | None = None) -> dict[str, Any] | None:
    """An incidents row from an issue labelled as an incident; None for pull requests; SkipItem without number or
    created_at."""
    i = Item(issue, notes, "issues")
    if i.data.get("pull_request") is not None:
        return None  # the issues API lists PRs too
    number = i.need("number")
    opened_at = parse_time(i.need("created_at"))
    labels = [label.get("name") if isinstance(label, dict) else str(label) for label in i.want("labels") or []]
    labels = [label for label in labels if label]
    severity = next((label.upper() for label in labels if SEVERITY_LABEL.match(label)), None)
    return {
        "incident_id": f"github:{repo_id}#{number}",
        "source": "github",
        "title": i.get("title"),
        "repo_id": repo_id,
        "severity": severity,
        "opened_at": opened_at,
        "resolved_at": parse_time(i.get("closed_at")),
        "url": i.get("html_url"),
    }


def map_team(team: dict[str, Any], notes: FieldNotes | None = None) -> dict[str, Any]:
    """A teams row from a REST team; SkipItem without slug."""
    t = Item(team, notes, "teams")
    slug = t.need("slug")
    return {"team_id": slug, "name": t.want("name") or slug, "parent_team_id": t.get("parent", "slug")}
