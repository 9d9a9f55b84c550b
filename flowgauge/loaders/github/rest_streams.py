"""REST streams: deployments and statuses, releases, workflow runs, incident issues, teams and members.

Each fetch_* yields StreamPage objects (see flowgauge.loaders.http.streams) holding the page's items
and the cursor to store after it, so an interrupted run resumes at the next page.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flowgauge.loaders.http.paginate import paginate_link
from flowgauge.loaders.http.session import ApiSession
from flowgauge.loaders.http.streams import PER_PAGE, StreamPage, bounded, newest_first


def numeric_id(item: dict[str, Any]) -> int | None:
    """An item's numeric id, or None when it has none."""
    value = item.get("id")
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


def fetch_deployments(
    session: ApiSession, repo_id: str, cursor: dict[str, Any], etag: str | None, since: str | None = None
) -> Iterator[StreamPage]:
    """Deployments newer than the last complete run and created since `since` (GitHub lists them newest first)."""
    url = f"repos/{repo_id}/deployments"
    return newest_first(session, url, cursor, etag, key=numeric_id, since=since)


def fetch_deployment_statuses(session: ApiSession, repo_id: str, deployment_number: int) -> list[dict[str, Any]]:
    """Every status of one deployment, newest first as GitHub returns them."""
    url = f"repos/{repo_id}/deployments/{deployment_number}/statuses"
    return [item for page in paginate_link(session, url, params={"per_page": PER_PAGE}) for item in page.items]


def fetch_releases(
    session: ApiSession, repo_id: str, cursor: dict[str, Any], etag: str | None, since: str | None = None
) -> Iterator[StreamPage]:
    """Releases newer than the last complete run and created since `since`; drafts are left out by the mapper."""
    url = f"repos/{repo_id}/releases"
    return newest_first(session, url, cursor, etag, key=numeric_id, since=since)


def fetch_workflow_runs(
    session: ApiSession, repo_id: str, cursor: dict[str, Any], etag: str | None, since: str | None = None
) -> Iterator[StreamPage]:
    """Workflow runs created at or after the cursor's bound (the oldest run still open last time)."""
    bound = cursor.get("created_from") or since
    params = {"created": f">={bound}"} if bound else {}
    return bounded(session, f"repos/{repo_id}/actions/runs", params, dict(cursor), etag, items_key="workflow_runs")


def fetch_incident_issues(
    session: ApiSession, repo_id: str, label: str, cursor: dict[str, Any], etag: str | None, since: str | None = None
) -> Iterator[StreamPage]:
    """Issues (not PRs) carrying label, updated at or after the cursor's time, oldest update first."""
    params: dict[str, Any] = {"labels": label, "state": "all", "sort": "updated", "direction": "asc"}
    bound = cursor.get("updated_from") or since
    if bound:
        params["since"] = bound
    return bounded(session, f"repos/{repo_id}/issues", params, dict(cursor), etag)


def fetch_teams(session: ApiSession, org: str, etag: str | None) -> tuple[list[dict[str, Any]] | None, str | None]:
    """The org's teams, or None when unchanged since etag; with the new ETag."""
    return _whole_list(session, f"orgs/{org}/teams", etag)


def fetch_team_members(
    session: ApiSession, org: str, team_slug: str, etag: str | None
) -> tuple[list[dict[str, Any]] | None, str | None]:
    """A team's members (direct and from child teams), or None when unchanged since etag."""
    return _whole_list(session, f"orgs/{org}/teams/{team_slug}/members", etag)


def _whole_list(session: ApiSession, url: str, etag: str | None) -> tuple[list[dict[str, Any]] | None, str | None]:
    items: list[dict[str, Any]] = []
    first_etag = None
    for index, page in enumerate(paginate_link(session, url, params={"per_page": PER_PAGE}, etag=etag)):
        if page.not_modified:
            return None, etag
        if index == 0:
            first_etag = page.etag
        items.extend(page.items)
    return items, first_etag
