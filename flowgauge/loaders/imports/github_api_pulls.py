"""GitHub REST API pull requests (GET /repos/{owner}/{repo}/pulls), as saved JSON."""

from __future__ import annotations

from flowgauge.loaders.imports.dates import naive_note, read_timestamp
from flowgauge.loaders.imports.parsed import Parsed, Progress, no_progress
from flowgauge.loaders.imports.people import People
from flowgauge.loaders.imports.prs_common import add_repository, issue_keys
from flowgauge.loaders.imports.reading import Upload, first_keys, json_records
from flowgauge.loaders.imports.validation import Problems

KIND = "github_api_pulls"
LABEL = "GitHub API pull requests (JSON)"


def detect(upload: Upload) -> bool:
    """REST pull objects carry html_url, number and base."""
    return {"number", "html_url", "base", "created_at"} <= first_keys(upload)


def parse(upload: Upload, progress: Progress = no_progress) -> Parsed:
    """Pull requests with authors; merged when merged_at is set."""
    problems = Problems(upload.name)
    parsed = Parsed(main_tables=frozenset({"pull_requests"}), fill_only=frozenset({"people", "repositories"}))
    people = People(parsed, "github")
    naive = [0]
    for number, pr in enumerate(json_records(upload) or [], start=1):
        repo = ((pr.get("base") or {}).get("repo") or {}).get("full_name")
        if not repo or pr.get("number") is None or not pr.get("created_at"):
            problems.add(number, "base.repo.full_name", "is missing, so the pull request's repository is unknown")
            continue
        user = pr.get("user") or {}
        author_id = people.add(login=user.get("login"))
        if user.get("type") == "Bot" and author_id:
            parsed.tables["people"][-1] = {
                **parsed.tables["people"][-1],
                "is_bot": True,
                "bot_reason": "github type Bot",
            }
        merged_at = read_timestamp(pr.get("merged_at"), problems, number, "merged_at", naive)
        state = "merged" if merged_at else ("open" if pr.get("state") == "open" else "closed")
        repo_url = (pr.get("base") or {}).get("repo", {}).get("html_url")
        add_repository(parsed, repo, "github", repo_url)
        parsed.add(
            "pull_requests",
            {
                "pr_id": f"{repo}#{pr['number']}",
                "repo_id": repo,
                "number": int(pr["number"]),
                "title": pr.get("title"),
                "url": pr.get("html_url"),
                "author_id": author_id,
                "state": state,
                "is_draft": bool(pr.get("draft")),
                "base_branch": (pr.get("base") or {}).get("ref"),
                "head_branch": (pr.get("head") or {}).get("ref"),
                "created_at": read_timestamp(pr.get("created_at"), problems, number, "created_at", naive),
                "merged_at": merged_at,
                "closed_at": read_timestamp(pr.get("closed_at"), problems, number, "closed_at", naive),
                "updated_at": read_timestamp(pr.get("updated_at"), problems, number, "updated_at", naive),
                "lines_added": pr.get("additions"),
                "lines_deleted": pr.get("deletions"),
                "files_changed": pr.get("changed_files"),
                "merge_commit_sha": pr.get("merge_commit_sha") if merged_at else None,
                "labels": [label.get("name") for label in pr.get("labels") or [] if isinstance(label, dict)],
                "issue_keys": issue_keys(pr.get("title"), (pr.get("head") or {}).get("ref")),
            },
        )
    problems.raise_if_any()
    parsed.notes += naive_note(naive[0])
    return parsed
