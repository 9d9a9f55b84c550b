"""GitHub CLI output: `gh pr list --state all --json number,title,url,state,isDraft,createdAt,...`.

With body and commits in --json, each PR's code origin is told as the GitHub loader tells it, by the same rules
file's [code_origin] patterns; without them it is unknown."""

from __future__ import annotations

from flowgauge.loaders.code_origin import PrTrail, classify
from flowgauge.loaders.imports.dates import naive_note, read_timestamp
from flowgauge.loaders.imports.parsed import Parsed, Progress, no_progress
from flowgauge.loaders.imports.people import People
from flowgauge.loaders.imports.prs_common import GITHUB_PR_URL, add_repository, first, issue_keys
from flowgauge.loaders.imports.reading import Upload, first_keys, json_records
from flowgauge.loaders.imports.validation import Problems

KIND = "gh_pr_list"
LABEL = "GitHub CLI pull requests (gh pr list --json)"
STATES = {"OPEN": "open", "MERGED": "merged", "CLOSED": "closed"}
REVIEW_STATES = {"APPROVED": "approved", "CHANGES_REQUESTED": "changes_requested", "COMMENTED": "commented",
                 "DISMISSED": "dismissed"}  # fmt: skip
FIELDS = "number,title,url,state,isDraft,createdAt,mergedAt,closedAt,updatedAt,author,baseRefName,headRefName,..."


def detect(upload: Upload) -> bool:
    """gh writes camelCase fields and a url per pull request."""
    keys = first_keys(upload)
    return {"number", "url"} <= keys and bool(keys & {"createdAt", "isDraft", "headRefName", "mergedAt"})


def parse(upload: Upload, progress: Progress = no_progress) -> Parsed:
    """Pull requests (repository from each url), their reviews when asked for, and authors."""
    problems = Problems(upload.name)
    parsed = Parsed(main_tables=frozenset({"pull_requests"}), fill_only=frozenset({"people", "repositories"}))
    people = People(parsed, "github")
    naive = [0]
    trails: list[PrTrail] = []
    for number, pr in enumerate(json_records(upload) or [], start=1):
        match = GITHUB_PR_URL.match(str(pr.get("url") or ""))
        if not match:
            problems.add(number, "url", f"'{pr.get('url')}' is not a GitHub pull request URL; include url in --json")
            continue
        host, repo_id, pr_number = match.groups()
        if pr.get("createdAt") is None or pr.get("state") not in STATES:
            problems.add(number, "createdAt" if pr.get("createdAt") is None else "state",
                         f"is missing or unknown; run gh pr list with --json {FIELDS}")  # fmt: skip
            continue
        pr_id = f"{repo_id}#{pr_number}"
        author = pr.get("author") or {}
        login = author.get("login") or ""
        # gh names GitHub Apps 'app/dependabot'; the REST API and git call the same account 'dependabot[bot]'.
        if author.get("is_bot") and login.startswith("app/"):
            login = f"{login[4:]}[bot]"
        bot_reason = "github type Bot" if author.get("is_bot") else None
        author_id = people.add(author.get("name") or None, login=login or None, bot_reason=bot_reason)
        reviews = []
        for review in pr.get("reviews") or []:
            submitted = read_timestamp(review.get("submittedAt"), problems, number, "reviews", naive)
            reviewer = (review.get("author") or {}).get("login")
            if submitted is None or review.get("state") not in REVIEW_STATES:
                continue
            reviews.append((submitted, review["state"], reviewer))
            parsed.add(
                "pr_reviews",
                {
                    "pr_id": pr_id,
                    "review_id": str(review.get("id") or submitted.isoformat()),
                    "reviewer_id": people.add(login=reviewer),
                    "state": REVIEW_STATES[review["state"]],
                    "submitted_at": submitted,
                    "comment_count": 1 if review.get("body") else 0,
                },
            )
        others = [r for r in reviews if r[2] != login]
        add_repository(parsed, repo_id, "github", f"https://{host}/{repo_id}")
        parsed.add(
            "pull_requests",
            {
                "pr_id": pr_id,
                "repo_id": repo_id,
                "number": int(pr_number),
                "title": pr.get("title"),
                "url": pr.get("url"),
                "author_id": author_id,
                "state": STATES[pr["state"]],
                "is_draft": bool(pr.get("isDraft")),
                "base_branch": pr.get("baseRefName"),
                "head_branch": pr.get("headRefName"),
                "created_at": read_timestamp(pr.get("createdAt"), problems, number, "createdAt", naive),
                "first_review_at": first(r[0] for r in others),
                "first_approval_at": first(r[0] for r in others if r[1] == "APPROVED"),
                "merged_at": read_timestamp(pr.get("mergedAt"), problems, number, "mergedAt", naive),
                "closed_at": read_timestamp(pr.get("closedAt"), problems, number, "closedAt", naive),
                "updated_at": read_timestamp(pr.get("updatedAt"), problems, number, "updatedAt", naive),
                "lines_added": pr.get("additions"),
                "lines_deleted": pr.get("deletions"),
                "files_changed": pr.get("changedFiles"),
                "merge_commit_sha": (pr.get("mergeCommit") or {}).get("oid"),
                "labels": [label.get("name") for label in pr.get("labels") or [] if isinstance(label, dict)],
                "issue_keys": issue_keys(pr.get("title"), pr.get("headRefName")),
            },
        )
        trails.append(_trail(pr_id, pr, login))
    problems.raise_if_any()
    for found in classify(upload.code_origin, trails):
        parsed.add("pr_code_origins", found.row())
    parsed.notes += naive_note(naive[0])
    return parsed


def _trail(pr_id: str, pr: dict, login: str) -> PrTrail:
    """What gh's JSON tells of a PR's code origin: author, labels, body and commits (messages and authors)."""
    commits = [c for c in pr.get("commits") or [] if isinstance(c, dict)]
    messages = ["\n\n".join(filter(None, [c.get("messageHeadline"), c.get("messageBody")])) for c in commits]
    authors = [
        f"{a.get('name') or ''} <{a.get('email') or ''}>"
        for c in commits
        for a in c.get("authors") or []
        if isinstance(a, dict)
    ]
    body = pr.get("body") if isinstance(pr.get("body"), str) else None
    labels = [label.get("name") for label in pr.get("labels") or [] if isinstance(label, dict) and label.get("name")]
    return PrTrail(
        pr_id,
        author_login=login or None,
        author_is_bot=bool((pr.get("author") or {}).get("is_bot")),
        labels=labels,
        description=body,
        commit_messages=[m for m in messages if m],
        commit_authors=authors,
        seen=body is not None or bool(commits),
    )
