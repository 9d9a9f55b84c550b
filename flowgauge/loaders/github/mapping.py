"""GitHub API JSON (GraphQL PR nodes, REST objects) to canonical snapshot rows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flowgauge.loaders.code_origin import PrTrail
from flowgauge.loaders.github.people import PeopleBook
from flowgauge.loaders.http.fields import FieldNotes, Item, SkipItem

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
    trails: list[PrTrail] = field(default_factory=list)  # what tells each PR's code origin (loaders/code_origin.py)


def map_pulls(
    repo_id: str, nodes: list[dict[str, Any]], people: PeopleBook, notes: FieldNotes | None = None
) -> PullRows:
    """Rows for a page of GraphQL PR nodes; people they name are added to the book.

    What the nodes lack is counted in notes: a PR without number, createdAt or state is skipped (its row
    cannot be built), as are reviews and commits without their id or time; other fields become NULL.
    """
    notes = notes if notes is not None else FieldNotes()
    rows = PullRows()
    commits_seen: dict[str, dict[str, Any]] = {}
    for position, data in enumerate(nodes):
        node = Item(data, notes, "pull requests")
        number = node.get("number")
        where = f"{repo_id}#{number}" if number is not None else f"{repo_id} (pull request {position + 1} of the page)"
        try:
            pr_id = f"{repo_id}#{node.need('number')}"
            created_at = parse_time(node.need("createdAt"))
            state = str(node.need("state")).lower()
        except SkipItem as skip:
            notes.note_skipped(skip, where)
            continue
        author_id = people.actor(actor(node, "author"))
        commit_rows = []
        for commit in node.each("commits", "nodes", stream="commits"):
            row = _commit_row(repo_id, pr_id, commit.sub("commit"), people)
            if row is not None:
                commit_rows.append(row)
                commits_seen[row["sha"]] = row
                rows.pr_commits.append({"pr_id": pr_id, "repo_id": repo_id, "sha": row["sha"]})
        reviews = _map_reviews(pr_id, node, people)
        rows.pr_reviews.extend(reviews)
        pull = _map_pull(repo_id, pr_id, node, author_id, state, created_at, commit_rows, reviews)
        rows.pull_requests.append(pull)
        rows.trails.append(pr_trail(pr_id, data, pull["labels"]))
    rows.commits = list(commits_seen.values())
    return rows


def _commit_row(repo_id: str, pr_id: str, commit: Item, people: PeopleBook) -> dict[str, Any] | None:
    """The commits row of a PR's commit, or None (counted) when it has no sha or no time at all."""
    try:
        return map_commit(repo_id, commit.data, people, commit.notes)
    except SkipItem as skip:
        commit.notes.note_skipped(skip, f"{pr_id} commit {commit.data.get('oid') or '(no sha)'}")
        return None


def pr_trail(pr_id: str, data: dict[str, Any], labels: list[str]) -> PrTrail:
    """What a GraphQL PR node tells of its code origin: its author's login and actor type, labels, description
    (body) and commit messages and authors. Seen when the node carried its description or any commit message."""
    author = data.get("author") if isinstance(data.get("author"), dict) else {}
    commits = [n.get("commit") for n in ((data.get("commits") or {}).get("nodes") or []) if isinstance(n, dict)]
    commits = [c for c in commits if isinstance(c, dict)]
    messages = [
        "\n\n".join(filter(None, [c.get("messageHeadline"), c.get("messageBody")]))
        for c in commits
        if "messageBody" in c
    ]
    authors = [
        f"{(c.get('author') or {}).get('name') or ''} <{(c.get('author') or {}).get('email') or ''}>" for c in commits
    ]
    body = data.get("body") if isinstance(data.get("body"), str) else None
    return PrTrail(
        pr_id,
        author_login=author.get("login"),
        author_is_bot=author.get("__typename") == "Bot",
        labels=labels,
        description=body,
        commit_messages=messages,
        commit_authors=authors,
        seen=body is not None or bool(messages),
    )


def actor(item: Item, key: str) -> dict[str, Any] | None:
    """The GraphQL Actor at key (None for a deleted account); a login, type or user's name it lacks is counted."""
    found = item.get(key)
    if isinstance(found, dict):
        item.get(key, "login")
        if item.get(key, "__typename") == "User":
            item.get(key, "name")
    return found


def _map_pull(
    repo_id: str,
    pr_id: str,
    node: Item,
    author_id: str | None,
    state: str,
    created_at: datetime | None,
    commits: list[dict[str, Any]],
    reviews: list[dict[str, Any]],
) -> dict[str, Any]:
    others = [r["submitted_at"] for r in reviews if r["reviewer_id"] is None or r["reviewer_id"] != author_id]
    approvals = [r["submitted_at"] for r in reviews if r["state"] == "approved"]
    authored = [c["authored_at"] for c in commits]
    merge = node.sub("mergeCommit")
    labels = [label.want("name") for label in node.each("labels", "nodes")]
    return {
        "pr_id": pr_id,
        "repo_id": repo_id,
        "number": node.need("number"),
        "title": node.get("title"),
        "url": node.get("url"),
        "author_id": author_id,
        "state": state,
        "is_draft": bool(node.want("isDraft")),
        "base_branch": node.want("baseRefName"),
        "head_branch": node.want("headRefName"),
        "created_at": created_at,
        "ready_for_review_at": _ready_for_review_at(node, created_at),
        "first_commit_at": min(authored) if authored else None,
        "first_review_at": min(others) if others else None,
        "first_approval_at": min(approvals) if approvals else None,
        "merged_at": parse_time(node.get("mergedAt")),
        "closed_at": parse_time(node.get("closedAt")),
        "updated_at": parse_time(node.want("updatedAt")),
        "lines_added": node.want("additions"),
        "lines_deleted": node.want("deletions"),
        "files_changed": node.want("changedFiles"),
        "lines_changed_after_open": _lines_after_open(node, commits, created_at),
        "merge_commit_sha": merge.want("oid") if merge.data else None,
        "merge_method": merge_method(merge, commits) if merge.data else None,
        "labels": [label for label in labels if label is not None],
        "issue_keys": issue_keys(node),
    }


def _ready_for_review_at(node: Item, created_at: datetime | None) -> datetime | None:
    """First time the PR left draft; created_at if it was opened ready; NULL while still a first draft."""
    events = [(e.want("__typename"), parse_time(e.want("createdAt"))) for e in node.each("timelineItems", "nodes")]
    events = sorted((e for e in events if e[1] is not None), key=lambda e: e[1])
    if events and events[0][0] == "ConvertToDraftEvent":
        return created_at  # opened ready for review, converted to draft later
    ready = [at for kind, at in events if kind == "ReadyForReviewEvent"]
    if ready:
        return ready[0]
    return None if node.get("isDraft") else created_at


def _lines_after_open(node: Item, commits: list[dict[str, Any]], created_at: datetime | None) -> int | None:
    """Lines touched by commits committed after the PR opened, capped at the final diff's size.

    GitHub no longer reports push times, so the committer time stands in for it.
    """
    additions, deletions = node.get("additions"), node.get("deletions")
    if created_at is None or additions is None or deletions is None:
        return None
    later = sum((c["lines_added"] or 0) + (c["lines_deleted"] or 0) for c in commits if c["committed_at"] > created_at)
    return min(later, additions + deletions)


def merge_method(merge: Item, commits: list[dict[str, Any]]) -> str:
    """merge|squash|rebase|unknown, inferred from the merge commit: GitHub does not report it.

    Two parents: a merge commit. One parent and the same headline and author time as the PR's
    last commit: a rebase (rebasing keeps both). One parent otherwise: a squash.
    """
    parents = merge.want("parents", "totalCount") or 0
    if parents >= 2:
        return "merge"
    if parents == 1 and commits:
        last = commits[-1]
        headline, authored = merge.get("messageHeadline"), parse_time(merge.get("authoredDate"))
        if headline is not None and last["subject"] == headline and last["authored_at"] == authored:
            return "rebase"
        return "squash"
    return "unknown"


def issue_keys(node: Item) -> list[str]:
    """Work item keys from the title and head branch, and the issues the PR closes ('owner/repo#12')."""
    keys = ISSUE_KEY.findall(node.get("title") or "")
    # Branches are usually lower case ('pay-12-fix'), keys upper case.
    keys += branch_keys(node.get("headRefName"))
    for issue in node.each("closingIssuesReferences", "nodes"):
        number, repository = issue.want("number"), issue.want("repository", "nameWithOwner")
        if number is not None and repository is not None:
            keys.append(f"{repository}#{number}")
    return list(dict.fromkeys(keys))


def branch_keys(branch: str | None) -> list[str]:
    """Work item keys in a branch name ('pay-12-fix' -> ['PAY-12']), ignoring words like 'feature-3'."""
    found = ISSUE_KEY.findall((branch or "").upper())
    return [key for key in found if key.split("-", 1)[0] not in NOT_KEYS]


def _map_reviews(pr_id: str, node: Item, people: PeopleBook) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for review in node.each("reviews", "nodes", stream="reviews"):
        try:
            state = review.need("state")
            if state == "PENDING":
                continue  # drafts nobody else can see
            submitted = review.need("submittedAt")
        except SkipItem as skip:
            review.notes.note_skipped(skip, f"{pr_id} review {review.data.get('fullDatabaseId') or '(no id)'}")
            continue
        if state not in REVIEW_STATES:
            continue
        author = actor(review, "author")
        review_id = str(review.get("fullDatabaseId") or f"{submitted}:{(author or {}).get('login')}")
        rows[review_id] = {
            "pr_id": pr_id,
            "review_id": review_id,
            "reviewer_id": people.actor(author),
            "state": REVIEW_STATES[state],
            "submitted_at": parse_time(submitted),
            "comment_count": _comment_count(review),
        }
    return list(rows.values())


def _comment_count(review: Item) -> int:
    """The review's comment count (0 when GitHub gave none, counted; without an id it could not be asked for)."""
    if review.data.get("comments") is None:
        review.want("id")
    return int(review.want("comments", "totalCount") or 0)


def map_commit(
    repo_id: str, data: dict[str, Any], people: PeopleBook, notes: FieldNotes | None = None
) -> dict[str, Any]:
    """A commits row from a GraphQL Commit; its author is recorded when GitHub links a user.

    Raises SkipItem without a sha, or without both times (one stands in for the other, counted).
    """
    commit = Item(data, notes, "commits")
    sha = commit.need("oid")
    authored, committed = commit.want("authoredDate"), commit.want("committedDate")
    if authored is None and committed is None:
        raise SkipItem("commits", "authoredDate or committedDate")
    user = commit.get("author", "user")
    if user is not None:
        commit.get("author", "user", "login")  # counted when missing: the author then stays unknown
    author_id = people.actor(user) if user else None
    email = commit.get("author", "email")
    if author_id and email:
        people.email(author_id, email)
    return {
        "repo_id": repo_id,
        "sha": sha,
        "author_id": author_id,
        "authored_at": parse_time(authored or committed),
        "committed_at": parse_time(committed or authored),
        "lines_added": commit.want("additions"),
        "lines_deleted": commit.want("deletions"),
        "files_changed": commit.get("changedFilesIfAvailable"),
        # Not asked for (each commit's parents would cost a GraphQL request per commit); the git
        # loader fills them, and its rows are never replaced by these (see sync).
        "parent_shas": [p["oid"] for p in (data.get("parents") or {}).get("nodes") or [] if p and p.get("oid")],
        "subject": commit.get("messageHeadline"),
    }
