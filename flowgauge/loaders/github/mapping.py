"""GitHub API JSON (GraphQL PR nodes, REST objects) to canonical snapshot rows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flowgauge.loaders.github.people import PeopleBook

# Work item keys as Jira and Linear write them: 'PAY-12', 'ENG-1234'.
ISSUE_KEY = re.compile(r"\b([A-Z][A-Z0-9]{1,9}-\d+)\b")
# Branch-name words that look like keys ('feature-12', 'release-3') but name no work item.
NOT_KEYS = frozenset(
    {"FEATURE", "FEAT", "FIX", "BUGFIX", "HOTFIX", "RELEASE", "CHORE", "BUMP", "REVERT", "PATCH", "UPDATE"}
)
REVIEW_STATES = {
    "APPROVED": "approved",
    "CHANGES_REQUESTED": "changes_requested",
    "COMMENTED": "commented",
    "DISMISSED": "dismissed",
}


def parse_time(value: str | None) -> datetime | None:
    """An ISO-8601 time from the API as naive UTC (the snapshot convention), or None."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        return parsed
    return parsed.astimezone(UTC).replace(tzinfo=None)


@dataclass
class PullRows:
    """Canonical rows from one page of PR nodes."""

    pull_requests: list[dict[str, Any]] = field(default_factory=list)
    pr_reviews: list[dict[str, Any]] = field(default_factory=list)
    commits: list[dict[str, Any]] = field(default_factory=list)
    pr_commits: list[dict[str, Any]] = field(default_factory=list)


def map_pulls(repo_id: str, nodes: list[dict[str, Any]], people: PeopleBook) -> PullRows:
    """Rows for a page of GraphQL PR nodes; people they name are added to the book."""
    rows = PullRows()
    commits_seen: dict[str, dict[str, Any]] = {}
    for node in nodes:
        pr_id = f"{repo_id}#{node['number']}"
        author_id = people.actor(node.get("author"))
        commit_nodes = [c["commit"] for c in (node.get("commits") or {}).get("nodes") or [] if c and c.get("commit")]
        for commit in commit_nodes:
            commits_seen[commit["oid"]] = map_commit(repo_id, commit, people)
            rows.pr_commits.append({"pr_id": pr_id, "repo_id": repo_id, "sha": commit["oid"]})
        reviews = _map_reviews(pr_id, node, people)
        rows.pr_reviews.extend(reviews)
        rows.pull_requests.append(_map_pull(repo_id, pr_id, node, author_id, commit_nodes, reviews))
    rows.commits = list(commits_seen.values())
    return rows


def _map_pull(
    repo_id: str,
    pr_id: str,
    node: dict[str, Any],
    author_id: str | None,
    commits: list[dict[str, Any]],
    reviews: list[dict[str, Any]],
) -> dict[str, Any]:
    created_at = parse_time(node["createdAt"])
    others = [r["submitted_at"] for r in reviews if r["reviewer_id"] is None or r["reviewer_id"] != author_id]
    approvals = [r["submitted_at"] for r in reviews if r["state"] == "approved"]
    authored = [parse_time(c["authoredDate"]) for c in commits]
    merge = node.get("mergeCommit") or {}
    labels = [label["name"] for label in (node.get("labels") or {}).get("nodes") or [] if label]
    return {
        "pr_id": pr_id,
        "repo_id": repo_id,
        "number": node["number"],
        "title": node.get("title"),
        "url": node.get("url"),
        "author_id": author_id,
        "state": str(node["state"]).lower(),
        "is_draft": bool(node.get("isDraft")),
        "base_branch": node.get("baseRefName"),
        "head_branch": node.get("headRefName"),
        "created_at": created_at,
        "ready_for_review_at": _ready_for_review_at(node, created_at),
        "first_commit_at": min(authored) if authored else None,
        "first_review_at": min(others) if others else None,
        "first_approval_at": min(approvals) if approvals else None,
        "merged_at": parse_time(node.get("mergedAt")),
        "closed_at": parse_time(node.get("closedAt")),
        "updated_at": parse_time(node.get("updatedAt")),
        "lines_added": node.get("additions"),
        "lines_deleted": node.get("deletions"),
        "files_changed": node.get("changedFiles"),
        "lines_changed_after_open": _lines_after_open(node, commits, created_at),
        "merge_commit_sha": merge.get("oid"),
        "merge_method": merge_method(node, commits) if merge else None,
        "labels": labels,
        "issue_keys": issue_keys(node),
    }


def _ready_for_review_at(node: dict[str, Any], created_at: datetime | None) -> datetime | None:
    """First time the PR left draft; created_at if it was opened ready; NULL while still a first draft."""
    events = [e for e in (node.get("timelineItems") or {}).get("nodes") or [] if e]
    if events and events[0]["__typename"] == "ConvertToDraftEvent":
        return created_at  # opened ready for review, converted to draft later
    ready = [parse_time(e["createdAt"]) for e in events if e["__typename"] == "ReadyForReviewEvent"]
    if ready:
        return min(ready)
    return None if node.get("isDraft") else created_at


def _lines_after_open(node: dict[str, Any], commits: list[dict[str, Any]], created_at: datetime | None) -> int | None:
    """Lines touched by commits committed after the PR opened, capped at the final diff's size.

    GitHub no longer reports push times, so the committer time stands in for it.
    """
    if created_at is None or node.get("additions") is None:
        return None
    later = sum(
        (c.get("additions") or 0) + (c.get("deletions") or 0)
        for c in commits
        if parse_time(c["committedDate"]) > created_at
    )
    return min(later, node["additions"] + node["deletions"])


def merge_method(node: dict[str, Any], commits: list[dict[str, Any]]) -> str:
    """merge|squash|rebase|unknown, inferred from the merge commit: GitHub does not report it.

    Two parents: a merge commit. One parent and the same headline and author time as the PR's
    last commit: a rebase (rebasing keeps both). One parent otherwise: a squash.
    """
    merge = node.get("mergeCommit") or {}
    parents = ((merge.get("parents") or {}).get("totalCount")) or 0
    if parents >= 2:
        return "merge"
    if parents == 1 and commits:
        last = commits[-1]
        if last.get("messageHeadline") == merge.get("messageHeadline") and last.get("authoredDate") == merge.get(
            "authoredDate"
        ):
            return "rebase"
        return "squash"
    return "unknown"


def issue_keys(node: dict[str, Any]) -> list[str]:
    """Work item keys from the title and head branch, and the issues the PR closes ('owner/repo#12')."""
    keys = ISSUE_KEY.findall(node.get("title") or "")
    # Branches are usually lower case ('pay-12-fix'), keys upper case.
    keys += branch_keys(node.get("headRefName"))
    for issue in (node.get("closingIssuesReferences") or {}).get("nodes") or []:
        if issue:
            keys.append(f"{issue['repository']['nameWithOwner']}#{issue['number']}")
    return list(dict.fromkeys(keys))


def branch_keys(branch: str | None) -> list[str]:
    """Work item keys in a branch name ('pay-12-fix' -> ['PAY-12']), ignoring words like 'feature-3'."""
    found = ISSUE_KEY.findall((branch or "").upper())
    return [key for key in found if key.split("-", 1)[0] not in NOT_KEYS]


def _map_reviews(pr_id: str, node: dict[str, Any], people: PeopleBook) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for review in (node.get("reviews") or {}).get("nodes") or []:
        if not review or review.get("state") not in REVIEW_STATES or not review.get("submittedAt"):
            continue  # PENDING reviews are drafts nobody else can see
        login = (review.get("author") or {}).get("login")
        review_id = str(review.get("fullDatabaseId") or f"{review['submittedAt']}:{login}")
        rows[review_id] = {
            "pr_id": pr_id,
            "review_id": review_id,
            "reviewer_id": people.actor(review.get("author")),
            "state": REVIEW_STATES[review["state"]],
            "submitted_at": parse_time(review["submittedAt"]),
            "comment_count": int((review.get("comments") or {}).get("totalCount") or 0),
        }
    return list(rows.values())


def map_commit(repo_id: str, commit: dict[str, Any], people: PeopleBook) -> dict[str, Any]:
    """A commits row from a GraphQL Commit; its author is recorded when GitHub links a user."""
    author = commit.get("author") or {}
    user = author.get("user")
    author_id = people.actor(user) if user else None
    if author_id and author.get("email"):
        people.email(author_id, author["email"])
    return {
        "repo_id": repo_id,
        "sha": commit["oid"],
        "author_id": author_id,
        "authored_at": parse_time(commit["authoredDate"]),
        "committed_at": parse_time(commit["committedDate"]),
        "lines_added": commit.get("additions"),
        "lines_deleted": commit.get("deletions"),
        "files_changed": commit.get("changedFilesIfAvailable"),
        # Not asked for (each commit's parents would cost a GraphQL request per commit); the git
        # loader fills them, and its rows are never replaced by these (see sync).
        "parent_shas": [p["oid"] for p in (commit.get("parents") or {}).get("nodes") or [] if p],
        "subject": commit.get("messageHeadline"),
    }
