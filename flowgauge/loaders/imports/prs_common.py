"""What the pull/merge request kinds share: repository ids from URLs, linked issue keys, repository rows."""

from __future__ import annotations

import re

from flowgauge.loaders.imports.parsed import Parsed

ISSUE_KEY_IN_TEXT = re.compile(r"\b([A-Z][A-Z0-9]+-\d+)\b")
GITHUB_PR_URL = re.compile(r"^https?://([^/]+)/([^/]+/[^/]+)/pull/(\d+)")
GITLAB_MR_URL = re.compile(r"^https?://([^/]+)/(.+?)/-/merge_requests/(\d+)")


def issue_keys(*texts: str | None) -> list[str]:
    """Work item keys written in titles and branch names ('PAY-12 fix' -> ['PAY-12']), each once."""
    found: dict[str, None] = {}
    for text in texts:
        found.update(dict.fromkeys(ISSUE_KEY_IN_TEXT.findall(text or "")))
    return list(found)


def add_repository(parsed: Parsed, repo_id: str, source: str, url: str | None) -> None:
    """A repositories row for a repository met in an export (added only if the snapshot lacks it)."""
    parsed.add(
        "repositories",
        {"repo_id": repo_id, "name": repo_id.rsplit("/", 1)[-1], "source": source, "url": url, "is_archived": False},
    )


def first(values) -> object | None:
    """The earliest of some timestamps, ignoring missing ones."""
    present = [v for v in values if v is not None]
    return min(present) if present else None
