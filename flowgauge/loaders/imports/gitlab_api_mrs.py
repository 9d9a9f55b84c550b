"""GitLab REST API merge requests (GET /projects/:id/merge_requests), as saved JSON."""

from __future__ import annotations

from flowgauge.loaders.imports.dates import naive_note, read_timestamp
from flowgauge.loaders.imports.parsed import Parsed, Progress, no_progress
from flowgauge.loaders.imports.people import People
from flowgauge.loaders.imports.prs_common import GITLAB_MR_URL, add_repository, issue_keys
from flowgauge.loaders.imports.reading import Upload, first_keys, json_records
from flowgauge.loaders.imports.validation import Problems

KIND = "gitlab_api_mrs"
LABEL = "GitLab API merge requests (JSON)"
STATES = {"opened": "open", "merged": "merged", "closed": "closed", "locked": "closed"}


def detect(upload: Upload) -> bool:
    """GitLab merge requests have an iid and a web_url under /-/merge_requests/."""
    keys = first_keys(upload)
    return {"iid", "web_url", "source_branch"} <= keys


def parse(upload: Upload, progress: Progress = no_progress) -> Parsed:
    """Merge requests as pull requests, the project path (from web_url) as the repository."""
    problems = Problems(upload.name)
    parsed = Parsed(main_tables=frozenset({"pull_requests"}), fill_only=frozenset({"people", "repositories"}))
    people = People(parsed, "gitlab")
    naive = [0]
    for number, mr in enumerate(json_records(upload) or [], start=1):
        match = GITLAB_MR_URL.match(str(mr.get("web_url") or ""))
        if not match or mr.get("state") not in STATES or not mr.get("created_at"):
            problems.add(number, "web_url", f"'{mr.get('web_url')}' is not a GitLab merge request URL")
            continue
        host, project, iid = match.groups()
        author = mr.get("author") or {}
        add_repository(parsed, project, "gitlab", f"https://{host}/{project}")
        merged_at = read_timestamp(mr.get("merged_at"), problems, number, "merged_at", naive)
        parsed.add(
            "pull_requests",
            {
                "pr_id": f"{project}#{iid}",
                "repo_id": project,
                "number": int(iid),
                "title": mr.get("title"),
                "url": mr.get("web_url"),
                "author_id": people.add(author.get("name"), login=author.get("username")),
                "state": STATES[mr["state"]],
                "is_draft": bool(mr.get("draft") or mr.get("work_in_progress")),
                "base_branch": mr.get("target_branch"),
                "head_branch": mr.get("source_branch"),
                "created_at": read_timestamp(mr.get("created_at"), problems, number, "created_at", naive),
                "merged_at": merged_at,
                "closed_at": read_timestamp(mr.get("closed_at"), problems, number, "closed_at", naive) or merged_at,
                "updated_at": read_timestamp(mr.get("updated_at"), problems, number, "updated_at", naive),
                "merge_commit_sha": mr.get("merge_commit_sha") or mr.get("squash_commit_sha"),
                "merge_method": "squash" if mr.get("squash_commit_sha") else None,
                "labels": [str(label) for label in mr.get("labels") or []],
                "issue_keys": issue_keys(mr.get("title"), mr.get("source_branch")),
            },
        )
    problems.raise_if_any()
    parsed.notes += naive_note(naive[0])
    return parsed
