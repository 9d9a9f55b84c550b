"""GitLab API v4 JSON to canonical rows."""

from __future__ import annotations

import re
from typing import Any

from flowgauge.loaders.github.mapping import ISSUE_KEY, branch_keys, parse_time
from flowgauge.loaders.github.people import PeopleBook, Person
from flowgauge.loaders.gitlab.draft_notes import ready_for_review_at

# GitLab names bots by convention: project/group access-token users ('project_42_bot_...'),
# service accounts ending in '-bot'/'_bot', and GitHub-style '[bot]'. Deleted users become 'ghost'.
BOT_USERNAME = re.compile(r"(?i)^(project|group)_\d+_bot|[-_]bot$|\[bot\]$")
DELETED_USERNAMES = frozenset({"ghost"})
MR_STATES = {"opened": "open", "locked": "open", "merged": "merged", "closed": "closed"}
DEPLOY_STATES = {"success": "success", "failed": "failure", "canceled": "cancelled", "skipped": "cancelled"}
FINAL_PIPELINE = {"success": "success", "failed": "failure", "canceled": "cancelled", "skipped": "skipped"}
# System notes GitLab writes for review events (English, as the API always returns them).
APPROVED, UNAPPROVED = "approved this merge request", "unapproved this merge request"
CHANGES_REQUESTED = "requested changes"


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


def map_merge_request(
    project: str, mr: dict[str, Any], notes: list[dict[str, Any]], commits: list[dict[str, Any]], people: PeopleBook
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(pull_requests row, pr_reviews rows, commits rows, pr_commits rows) for one merge request."""
    pr_id = f"{project}#{mr['iid']}"
    author_id = people.add(person(mr.get("author")))
    reviews = map_notes(pr_id, notes, people)
    created_at = parse_time(mr["created_at"])
    others = [r["submitted_at"] for r in reviews if r["reviewer_id"] != author_id]
    approvals = [r["submitted_at"] for r in reviews if r["state"] == "approved"]
    commit_rows = [map_commit(project, c) for c in commits]
    authored = [c["authored_at"] for c in commit_rows]
    squashed = bool(mr.get("squash_commit_sha"))
    merged = mr.get("state") == "merged"
    if not merged:
        method, sha = None, None
    elif squashed:
        method, sha = "squash", mr["squash_commit_sha"]
    elif mr.get("merge_commit_sha"):
        method, sha = "merge", mr["merge_commit_sha"]
    else:
        method, sha = "rebase", mr.get("sha")  # fast-forward merge: the MR head is on the target branch
    row = {
        "pr_id": pr_id,
        "repo_id": project,
        "number": mr["iid"],
        "title": mr.get("title"),
        "url": mr.get("web_url"),
        "author_id": author_id,
        "state": MR_STATES.get(mr.get("state", ""), "open"),
        "is_draft": bool(mr.get("draft", mr.get("work_in_progress", False))),
        "base_branch": mr.get("target_branch"),
        "head_branch": mr.get("source_branch"),
        "created_at": created_at,
        "ready_for_review_at": ready_for_review_at(mr, notes, created_at),
        "first_commit_at": min(authored) if authored else None,
        "first_review_at": min(others) if others else None,
        "first_approval_at": min(approvals) if approvals else None,
        "merged_at": parse_time(mr.get("merged_at")),
        "closed_at": parse_time(mr.get("merged_at") or mr.get("closed_at")),
        "updated_at": parse_time(mr.get("updated_at")),
        "merge_commit_sha": sha,
        "merge_method": method,
        "labels": [str(label) for label in mr.get("labels") or []],
        "issue_keys": list(
            dict.fromkeys(ISSUE_KEY.findall(mr.get("title") or "") + branch_keys(mr.get("source_branch")))
        ),
    }
    pr_commits = [{"pr_id": pr_id, "repo_id": project, "sha": c["sha"]} for c in commit_rows]
    return row, reviews, commit_rows, pr_commits


def map_notes(pr_id: str, notes: list[dict[str, Any]], people: PeopleBook) -> list[dict[str, Any]]:
    """pr_reviews rows: approvals, un-approvals and change requests from system notes, one row per human comment."""
    rows = []
    for note in notes:
        body = (note.get("body") or "").strip()
        if note.get("system"):
            state = {APPROVED: "approved", UNAPPROVED: "dismissed", CHANGES_REQUESTED: "changes_requested"}.get(body)
            if state is None:
                continue  # other system notes (pushed commits, label changes) are not review activity
        else:
            state = "commented"
        rows.append(
            {
                "pr_id": pr_id,
                "review_id": f"note:{note['id']}",
                "reviewer_id": people.add(person(note.get("author"))),
                "state": state,
                "submitted_at": parse_time(note["created_at"]),
                "comment_count": 0 if note.get("system") else 1,
            }
        )
    return rows


def map_commit(project: str, commit: dict[str, Any]) -> dict[str, Any]:
    """A commits row from a GitLab commit."""
    stats = commit.get("stats") or {}
    return {
        "repo_id": project,
        "sha": commit["id"],
        # GitLab's commit lists give a name and e-mail, never a user; the git loader resolves those.
        "author_id": None,
        "authored_at": parse_time(commit["authored_date"]),
        "committed_at": parse_time(commit["committed_date"]),
        "lines_added": stats.get("additions"),
        "lines_deleted": stats.get("deletions"),
        "files_changed": None,
        "parent_shas": list(commit.get("parent_ids") or []),
        "subject": commit.get("title"),
    }


def map_deployment(project: str, d: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(deployments row, deployment_statuses row for the status seen now): GitLab keeps no status history."""
    status = DEPLOY_STATES.get(d.get("status", ""), "in_progress")
    deployment_id = f"{project}:deploy:{d['id']}"
    ref = d.get("ref")
    row = {
        "deployment_id": deployment_id,
        "repo_id": project,
        "environment": (d.get("environment") or {}).get("name") or "",
        "sha": d.get("sha"),
        "ref": ref,
        "status": status,
        "deploy_kind": "rollback"
        if "rollback" in (ref or "").lower()
        else "hotfix"
        if "hotfix" in (ref or "")
        else "regular",
        "started_at": parse_time(d.get("created_at")),
        "finished_at": parse_time(d.get("finished_at")) if status != "in_progress" else None,
        "detection_rule": "deployments_api",
        "is_approximate": False,
        "url": (d.get("deployable") or {}).get("web_url"),
    }
    raw = d.get("status", "")
    seen = {
        "created": "queued",
        "blocked": "queued",
        "running": "in_progress",
        "failed": "failure",
        "canceled": "cancelled",
    }
    status_row = {
        "deployment_id": deployment_id,
        "status": seen.get(raw, raw or "queued"),
        "status_at": parse_time(d.get("finished_at") or d.get("updated_at") or d.get("created_at")),
        "description": None,
    }
    return row, status_row


def map_pipeline(project: str, p: dict[str, Any]) -> dict[str, Any]:
    """A workflow_runs row from a GitLab pipeline."""
    conclusion = FINAL_PIPELINE.get(p.get("status", ""))
    return {
        "run_id": f"{project}:pipeline:{p['id']}",
        "repo_id": project,
        "name": p.get("name") or f"pipeline ({p.get('source') or 'push'})",
        "event": p.get("source"),
        "head_branch": p.get("ref"),
        "head_sha": p.get("sha"),
        "status": "completed"
        if conclusion
        else ("queued" if p.get("status") in ("created", "pending") else "in_progress"),
        "conclusion": conclusion,
        "started_at": parse_time(p.get("started_at") or p.get("created_at")),
        "finished_at": parse_time(p.get("finished_at") or p.get("updated_at")) if conclusion else None,
    }


def map_release(project: str, r: dict[str, Any]) -> dict[str, Any]:
    """A releases row from a GitLab release."""
    return {
        "repo_id": project,
        "tag_name": r["tag_name"],
        "name": r.get("name"),
        "sha": (r.get("commit") or {}).get("id"),
        "published_at": parse_time(r.get("released_at") or r.get("created_at")),
        "is_prerelease": bool(r.get("upcoming_release")),
        "is_bare_tag": False,
    }
