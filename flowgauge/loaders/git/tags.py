"""Tags as releases, and tags matching the deploy pattern as production deployments.

Every tag on a commit becomes a releases row (is_bare_tag: git has no release objects). A tag whose
name matches the deploy pattern (default: version-like, 'v1.2' or '1.2.3') is a successful production
deployment at the tag's time (tagger date for annotated tags, commit date for lightweight ones).
deploy_kind is 'hotfix' for a patch release (x.y.z with z > 0) tagged within HOTFIX_WINDOW of the
previous deployment, else 'regular': git holds no other signal of unplanned work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flowgauge.loaders.git.repository import GitRepository, run_git

DEFAULT_DEPLOY_TAGS = r"^v?\d+\.\d+(\.\d+)?$"
HOTFIX_WINDOW = timedelta(hours=48)
_PRERELEASE = re.compile(r"(?i)[-.+_]?(rc|alpha|beta|pre|preview|dev|snapshot)[-.]?\d*$")
_PATCH = re.compile(r"(\d+)\.(\d+)\.(\d+)")
_EPOCH = datetime(1970, 1, 1)
_TAG_FORMAT = "%(refname)%00%(objectname)%00%(objecttype)%00%(*objectname)%00%(*objecttype)%00%(creatordate:unix)"


@dataclass(frozen=True)
class Tag:
    """A tag pointing (directly or through an annotated tag) at a commit."""

    name: str
    sha: str
    tagged_at: datetime


def fetch_tags(repo: GitRepository) -> list[Tag]:
    """Every tag of the clone that points at a commit, oldest first (one git call)."""
    output = run_git(repo.path, ["for-each-ref", f"--format={_TAG_FORMAT}", "refs/tags"]).stdout
    tags = []
    for line in output.splitlines():
        fields = line.split("\0")
        if len(fields) != 6:
            continue
        ref, sha, kind, peeled_sha, peeled_kind, created = fields
        if kind == "tag":
            sha, kind = peeled_sha, peeled_kind
        if kind != "commit" or not created.lstrip("-").isdigit():
            continue
        tags.append(Tag(ref.removeprefix("refs/tags/"), sha, _EPOCH + timedelta(seconds=int(created))))
    return sorted(tags, key=lambda tag: (tag.tagged_at, tag.name))


def deployment_id(repo_id: str, tag_name: str) -> str:
    """Stable id of the deployment a deploy tag stands for."""
    return f"{repo_id}:tag:{tag_name}"


def deploy_tags_by_commit(repo_id: str, tags: list[Tag], pattern: re.Pattern[str]) -> dict[str, str]:
    """Commit sha -> deployment id, for commits carrying a deploy tag (the earliest tag wins on a shared commit)."""
    by_commit: dict[str, str] = {}
    for tag in tags:
        if pattern.search(tag.name):
            by_commit.setdefault(tag.sha, deployment_id(repo_id, tag.name))
    return by_commit


def release_rows(repo_id: str, tags: list[Tag]) -> list[dict]:
    """One releases row per tag."""
    return [
        {
            "repo_id": repo_id,
            "tag_name": tag.name,
            "name": tag.name,
            "sha": tag.sha,
            "published_at": tag.tagged_at,
            "is_prerelease": bool(_PRERELEASE.search(tag.name)),
            "is_bare_tag": True,
        }
        for tag in tags
    ]


def deployment_rows(repo_id: str, tags: list[Tag], pattern: re.Pattern[str]) -> list[dict]:
    """One production deployment per tag matching the deploy pattern, classed regular or hotfix."""
    rows = []
    previous: Tag | None = None
    for tag in tags:
        if not pattern.search(tag.name):
            continue
        patch = _PATCH.search(tag.name)
        is_hotfix = (
            previous is not None
            and patch is not None
            and int(patch[3]) > 0
            and tag.tagged_at - previous.tagged_at <= HOTFIX_WINDOW
        )
        rows.append(
            {
                "deployment_id": deployment_id(repo_id, tag.name),
                "repo_id": repo_id,
                "service_id": None,
                "environment": "production",
                "sha": tag.sha,
                "ref": tag.name,
                "status": "success",
                "deploy_kind": "hotfix" if is_hotfix else "regular",
                "started_at": tag.tagged_at,
                "finished_at": tag.tagged_at,
                "detection_rule": "tag",
                "is_approximate": False,
                "url": None,
            }
        )
        previous = tag
    return rows
