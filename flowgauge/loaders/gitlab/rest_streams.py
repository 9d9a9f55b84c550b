"""GitLab API v4 streams: merge requests (with notes and commits), deployments, pipelines, releases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from flowgauge.loaders.http.paginate import paginate_link
from flowgauge.loaders.http.session import ApiSession
from flowgauge.loaders.http.streams import PER_PAGE, StreamPage, bounded


def project_path(project: str) -> str:
    """The URL form of a project path: 'group/sub/app' -> 'projects/group%2Fsub%2Fapp'."""
    return "projects/" + quote(project, safe="")


def fetch_project(session: ApiSession, project: str) -> dict[str, Any]:
    """The project object (default branch, web URL, archived); NotFound when missing or invisible."""
    return session.get(project_path(project)).json()


def fetch_group_projects(session: ApiSession, group: str) -> list[str]:
    """Paths ('group/sub/app') of every project of a group and its subgroups, archived ones included, in path
    order; projects merely shared with the group belong to another group and are left to it."""
    url = "groups/" + quote(group, safe="")
    params = {"include_subgroups": "true", "with_shared": "false", "order_by": "path", "sort": "asc"}
    pages = paginate_link(session, f"{url}/projects", params={**params, "per_page": PER_PAGE})
    return [
        p["path_with_namespace"] for page in pages for p in page.items if isinstance(p.get("path_with_namespace"), str)
    ]


def _updated_stream(
    session: ApiSession, project: str, resource: str, cursor: dict[str, Any], since: str | None, extra: dict[str, Any]
) -> Iterator[StreamPage]:
    """Items updated after the cursor's time (GitLab filters server-side with updated_after)."""
    params = {"order_by": "updated_at", "sort": "asc", **extra}
    bound = cursor.get("updated_from") or since
    if bound:
        params["updated_after"] = bound
    return bounded(session, f"{project_path(project)}/{resource}", params, dict(cursor), None)


def fetch_merge_requests(
    session: ApiSession, project: str, cursor: dict[str, Any], since: str | None = None
) -> Iterator[StreamPage]:
    """Merge requests in every state updated after the cursor, oldest update first."""
    return _updated_stream(session, project, "merge_requests", cursor, since, {"state": "all"})


def fetch_deployments(
    session: ApiSession, project: str, cursor: dict[str, Any], since: str | None = None
) -> Iterator[StreamPage]:
    """Deployments updated after the cursor (status changes update them), oldest update first."""
    return _updated_stream(session, project, "deployments", cursor, since, {})


def fetch_pipelines(
    session: ApiSession, project: str, cursor: dict[str, Any], since: str | None = None
) -> Iterator[StreamPage]:
    """Pipelines updated after the cursor, oldest update first."""
    return _updated_stream(session, project, "pipelines", cursor, since, {})


def fetch_mr_notes(session: ApiSession, project: str, iid: int) -> list[dict[str, Any]]:
    """Every note of a merge request (system notes carry approvals), oldest first."""
    url = f"{project_path(project)}/merge_requests/{iid}/notes"
    params = {"per_page": PER_PAGE, "sort": "asc", "order_by": "created_at"}
    return [note for page in paginate_link(session, url, params=params) for note in page.items]


def fetch_mr_commits(session: ApiSession, project: str, iid: int) -> list[dict[str, Any]]:
    """The commits of a merge request."""
    url = f"{project_path(project)}/merge_requests/{iid}/commits"
    return [c for page in paginate_link(session, url, params={"per_page": PER_PAGE}) for c in page.items]


def fetch_releases(
    session: ApiSession, project: str, etag: str | None
) -> tuple[list[dict[str, Any]] | None, str | None]:
    """All releases, or None when unchanged since etag."""
    items: list[dict[str, Any]] = []
    first = None
    url = f"{project_path(project)}/releases"
    params = {"per_page": PER_PAGE, "order_by": "released_at", "sort": "desc"}
    for index, page in enumerate(paginate_link(session, url, params=params, etag=etag)):
        if page.not_modified:
            return None, etag
        first = page.etag if index == 0 else first
        items.extend(page.items)
    return items, first
