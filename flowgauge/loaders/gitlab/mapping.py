"""GitLab API v4 JSON to canonical rows."""

from __future__ import annotations

import re
from typing import Any

from flowgauge.loaders.github.mapping import ISSUE_KEY, branch_keys, parse_time
from flowgauge.loaders.github.people import PeopleBook, Person
from flowgauge.loaders.gitlab.draft_notes import ready_for_review_at
from flowgauge.loaders.http.fields import FieldNotes, Item, SkipItem
from flowgauge.rules.detection import DEFAULT_DETECTION, DetectionRules

# GitLab names bots by convention: project/group access-token users ('project_42_bot_...'),
# service accounts ending in '-bot'/'_bot', and GitHub-style '[bot]'. Deleted users become 'ghost'.
BOT_USERNAME = re.compile(r"(?i)^(project|group)_\d+_bot|[-_]bot$|\[bot\]$")
DELETED_USERNAMES = frozenset({"ghost"})
MR_STATES = {"opened": "open", "locked": "open", "merged": "merged", "closed": "closed"}
# GitLab deployment statuses in the snapshot's vocabulary (schema.sql); see deployment_state.
DEPLOY_STATES = {
    "created": "queued",
    "blocked": "queued",
    "running": "in_progress",
    "success": "success",
    "failed": "failure",
    "canceled": "cancelled",
    "skipped": "cancelled",
}
FINAL_DEPLOY_STATES = frozenset({"success", "failure", "cancelled"})
UNKNOWN_STATE = "unknown"
FINAL_PIPELINE = {"success": "success", "failed": "failure", "canceled": "cancelled", "skipped": "skipped"}
# System notes GitLab writes for review events (English, as the API always returns them).
APPROVED, UNAPPROVED = "approved this merge request", "unapproved this merge request"
CHANGES_REQUESTED = "requested changes"
REVIEW_NOTES = {APPROVED: "approved", UNAPPROVED: "dismissed", CHANGES_REQUESTED: "changes_requested"}


def person(user: dict[str, Any] | None) -> Person | None:
    """The person behind a GitLab user object; None for deleted users."""
    if not user or not user.get("username") or user["username"].lower() in DELETED_USERNAMES:
        return None
    name = user["username"]
    if user.get("bot") is True:
        return Person(name.lower(), name, user.get("name") or name, True, "gitlab bot user")
    if BOT_USERNAME.search(name):
        return Person(name.lower(), name, user.get("name") or name, True, "bot username")
    return Person(name.lower(), name, user.get("name") or name, False, None)


def _user(item: Item, key: str) -> dict[str, Any] | None:
    """The user object at key; one missing, or without a username, is counted (GitLab always sends both)."""
    user = item.want(key)
    if user is not None:
        item.want(key, "username")
    return user


def map_merge_request(
    project: str,
    mr: dict[str, Any],
    notes: list[dict[str, Any]],
    commits: list[dict[str, Any]],
    people: PeopleBook,
    fields: FieldNotes | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(pull_requests row, pr_reviews rows, commits rows, pr_commits rows) for one merge request.

    Raises SkipItem without iid, created_at or state; notes and commits lacking their id or time are left out,
    and what any of them lacks is counted in fields.
    """
    fields = fields if fields is not None else FieldNotes()
    m = Item(mr, fields, "merge requests")
    iid = m.need("iid")
    created_at = parse_time(m.need("created_at"))
    state = m.need("state")
    pr_id = f"{project}#{iid}"
    author_id = people.add(person(_user(m, "author")))
    reviews = map_notes(pr_id, notes, people, fields)
    others = [r["submitted_at"] for r in reviews if r["reviewer_id"] != author_id]
    approvals = [r["submitted_at"] for r in reviews if r["state"] == "approved"]
    commit_rows = []
    for commit in commits:
        try:
            commit_rows.append(map_commit(project, commit, fields))
        except SkipItem as skip:
            fields.note_skipped(skip, f"{pr_id} commit {commit.get('id') or '(no sha)'}")
    authored = [c["authored_at"] for c in commit_rows]
    squash_sha = m.get("squash_commit_sha")
    merged = state == "merged"
    if not merged:
        method, sha = None, None
    elif squash_sha:
        method, sha = "squash", squash_sha
    elif m.get("merge_commit_sha"):
        method, sha = "merge", m.get("merge_commit_sha")
    else:
        method, sha = "rebase", m.want("sha")  # fast-forward merge: the MR head is on the target branch
    row = {
        "pr_id": pr_id,
        "repo_id": project,
        "number": iid,
        "title": m.get("title"),
        "url": m.get("web_url"),
        "author_id": author_id,
        "state": MR_STATES.get(state, "open"),
        "is_draft": _is_draft(m),
        "base_branch": m.want("target_branch"),
        "head_branch": m.want("source_branch"),
        "created_at": created_at,
        "ready_for_review_at": ready_for_review_at(mr, notes, created_at),
        "first_commit_at": min(authored) if authored else None,
        "first_review_at": min(others) if others else None,
        "first_approval_at": min(approvals) if approvals else None,
        "merged_at": parse_time(m.want("merged_at") if merged else m.get("merged_at")),
        "closed_at": parse_time(m.get("merged_at") or m.get("closed_at")),
        "updated_at": parse_time(m.want("updated_at")),
        "merge_commit_sha": sha,
        "merge_method": method,
        "labels": [str(label) for label in m.want("labels") or [] if label is not None],
        "issue_keys": list(
            dict.fromkeys(ISSUE_KEY.findall(m.get("title") or "") + branch_keys(m.get("source_branch")))
        ),
    }
    pr_commits = [{"pr_id": pr_id, "repo_id": project, "sha": c["sha"]} for c in commit_rows]
    return row, reviews, commit_rows, pr_commits


def _is_draft(mr: Item) -> bool:
    """GitLab 14 renamed work_in_progress to draft; either answers, and only both missing is counted."""
    if mr.data.get("draft") is not None:
        return bool(mr.data["draft"])
    if mr.data.get("work_in_progress") is not None:
        return bool(mr.data["work_in_progress"])
    return bool(mr.want("draft"))


def map_notes(
    pr_id: str, notes: list[dict[str, Any]], people: PeopleBook, fields: FieldNotes | None = None
) -> list[dict[str, Any]]:
    """pr_reviews rows: approvals, un-approvals and change requests from system notes, one row per human comment.

    A note without id or created_at is left out and counted in fields.
    """
    fields = fields if fields is not None else FieldNotes()
    rows = []
    for data in notes:
        note = Item(data, fields, "notes")
        try:
            if note.want("system"):
                # A system note says what happened only in its body.
                body = str(note.need("body")).strip()
                state = REVIEW_NOTES.get(body)
                if state is None:
                    continue  # other system notes (pushed commits, label changes) are not review activity
            else:
                state = "commented"
            note_id, at = note.need("id"), parse_time(note.need("created_at"))
        except SkipItem as skip:
            fields.note_skipped(skip, f"{pr_id} note {data.get('id') or '(no id)'}")
            continue
        rows.append(
            {
                "pr_id": pr_id,
                "review_id": f"note:{note_id}",
                "reviewer_id": people.add(person(_user(note, "author"))),
                "state": state,
                "submitted_at": at,
                "comment_count": 0 if data.get("system") else 1,
            }
        )
    return rows


def map_commit(project: str, commit: dict[str, Any], fields: FieldNotes | None = None) -> dict[str, Any]:
    """A commits row from a GitLab commit; SkipItem without id, or without both times (one stands in, counted)."""
    c = Item(commit, fields, "commits")
    sha = c.need("id")
    authored, committed = c.want("authored_date"), c.want("committed_date")
    if authored is None and committed is None:
        raise SkipItem("commits", "authored_date or committed_date")
    return {
        "repo_id": project,
        "sha": sha,
        # GitLab's commit lists give a name and e-mail, never a user; the git loader resolves those.
        "author_id": None,
        "authored_at": parse_time(authored or committed),
        "committed_at": parse_time(committed or authored),
        # The MR commits list carries no stats (only a single-commit request does).
        "lines_added": c.extra("stats", "additions"),
        "lines_deleted": c.extra("stats", "deletions"),
        "files_changed": None,
        "parent_shas": [p for p in c.want("parent_ids") or [] if p],
        "subject": c.get("title"),
    }


def deployment_state(raw: Any) -> str:
    """A GitLab deployment status in the snapshot's vocabulary, the same for deployments and deployment_statuses.

    created (not started) and blocked (waiting for a manual approval) are queued; a deployment with no status,
    or one GitLab did not document when this was written, is unknown.
    """
    return DEPLOY_STATES.get(str(raw).lower(), UNKNOWN_STATE) if raw is not None else UNKNOWN_STATE


def map_deployment(
    project: str, d: dict[str, Any], fields: FieldNotes | None = None, rules: DetectionRules = DEFAULT_DETECTION
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(deployments row, deployment_statuses row for the state seen now, None when unknown): GitLab keeps no status
    history. SkipItem without id or created_at. The rules give the hotfix and rollback patterns."""
    fields = fields if fields is not None else FieldNotes()
    item = Item(d, fields, "deployments")
    deployment_id = f"{project}:deploy:{item.need('id')}"
    started_at = parse_time(item.need("created_at"))
    raw = item.want("status")
    status = deployment_state(raw)
    if raw is not None and status == UNKNOWN_STATE:
        fields.note_missing("deployments", f"a documented status (got {str(raw)[:40]!r}, stored as unknown)")
    ref = item.want("ref")
    finished_at = parse_time(item.want("finished_at")) if status in FINAL_DEPLOY_STATES else None
    updated_at = parse_time(item.want("updated_at"))  # also where the next load resumes from
    row = {
        "deployment_id": deployment_id,
        "repo_id": project,
        "environment": item.want("environment", "name") or "",
        "sha": item.want("sha"),
        "ref": ref,
        "status": status,
        "deploy_kind": rules.kind_of(ref or ""),
        "started_at": started_at,
        "finished_at": finished_at,
        "detection_rule": "deployments_api",
        "is_approximate": False,
        "url": item.get("deployable", "web_url"),
    }
    if status == UNKNOWN_STATE:
        return row, None
    status_at = finished_at or updated_at or started_at
    return row, {"deployment_id": deployment_id, "status": status, "status_at": status_at, "description": None}


def map_pipeline(project: str, p: dict[str, Any], fields: FieldNotes | None = None) -> dict[str, Any]:
    """A workflow_runs row from a GitLab pipeline; SkipItem without id."""
    item = Item(p, fields, "pipelines")
    run_id = f"{project}:pipeline:{item.need('id')}"
    raw = item.want("status")
    conclusion = FINAL_PIPELINE.get(raw or "")
    updated_at = item.want("updated_at")  # also where the next load resumes from
    return {
        "run_id": run_id,
        "repo_id": project,
        # The pipelines list has no started_at or finished_at, and a name only since GitLab 16.3.
        "name": item.extra("name") or f"pipeline ({item.get('source') or 'push'})",
        "event": item.get("source"),
        "head_branch": item.want("ref"),
        "head_sha": item.want("sha"),
        "status": "completed" if conclusion else ("queued" if raw in ("created", "pending") else "in_progress"),
        "conclusion": conclusion,
        "started_at": parse_time(item.extra("started_at") or item.want("created_at")),
        "finished_at": parse_time(item.extra("finished_at") or updated_at) if conclusion else None,
    }


def map_release(project: str, r: dict[str, Any], fields: FieldNotes | None = None) -> dict[str, Any]:
    """A releases row from a GitLab release; SkipItem without tag_name."""
    item = Item(r, fields, "releases")
    return {
        "repo_id": project,
        "tag_name": item.need("tag_name"),
        "name": item.get("name"),
        "sha": item.want("commit", "id"),
        "published_at": parse_time(item.get("released_at") or item.want("created_at")),
        "is_prerelease": bool(item.get("upcoming_release")),
        "is_bare_tag": False,
    }
