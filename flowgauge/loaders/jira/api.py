"""Jira REST and Agile API requests: boards, sprints, fields, statuses, issue search and changelogs.

Three paging styles: the Agile API's startAt/maxResults/isLast (`values`), Data Center's search by
startAt/total (`issues`), and Cloud's search/jql by nextPageToken. Cloud speaks API version 3, Data
Center version 2; the shapes used here are the same in both.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from flowgauge.loaders.http.session import ApiSession
from flowgauge.loaders.jira.client import Deployment

AGILE = "rest/agile/1.0"
SEARCH_PAGE = 100
AGILE_PAGE = 50
CHANGELOG_PAGE = 100


def api_base(deployment: Deployment) -> str:
    """The platform REST API path: version 3 on Cloud, version 2 on Data Center and Server."""
    return "rest/api/3" if deployment == "cloud" else "rest/api/2"


def agile_values(session: ApiSession, url: str, params: dict[str, Any] | None = None) -> Iterator[list[dict]]:
    """Pages of an Agile API list, following startAt until isLast (or an empty or short page)."""
    start = 0
    while True:
        body = session.get(url, params={**(params or {}), "startAt": start, "maxResults": AGILE_PAGE}).json()
        values = list(body.get("values") or [])
        yield values
        start += len(values)
        total = body.get("total")
        if body.get("isLast", True) or not values or (total is not None and start >= total):
            return


def fetch_board(session: ApiSession, board_id: int) -> dict[str, Any]:
    """A board: id, name, type (scrum|kanban); NotFound when missing or invisible."""
    return session.get(f"{AGILE}/board/{board_id}").json()


def fetch_board_configuration(session: ApiSession, board_id: int) -> dict[str, Any]:
    """A board's configuration: its saved filter and its estimation field (`estimation.field.fieldId`)."""
    return session.get(f"{AGILE}/board/{board_id}/configuration").json()


def fetch_board_sprints(session: ApiSession, board_id: int) -> list[dict[str, Any]]:
    """Every sprint of a board (future, active and closed) with its dates."""
    return [s for page in agile_values(session, f"{AGILE}/board/{board_id}/sprint") for s in page]


def fetch_sprint(session: ApiSession, sprint_id: int | str) -> dict[str, Any]:
    """One sprint by id, with its state and dates."""
    return session.get(f"{AGILE}/sprint/{sprint_id}").json()


def fetch_fields(session: ApiSession, deployment: Deployment) -> list[dict[str, Any]]:
    """Every field of the site (ids, names, custom types), to find the sprint, points and epic-link fields."""
    return list(session.get(f"{api_base(deployment)}/field").json())


def fetch_statuses(session: ApiSession, deployment: Deployment) -> list[dict[str, Any]]:
    """Every workflow status with its status category, to classify changelog moves by status id."""
    return list(session.get(f"{api_base(deployment)}/status").json())


@dataclass
class SearchPage:
    """One page of issues and the total the server reported (Data Center only)."""

    issues: list[dict[str, Any]]
    total: int | None


def search_issues(session: ApiSession, deployment: Deployment, jql: str, fields: Sequence[str]) -> Iterator[SearchPage]:
    """Pages of issues matching jql, each with its fields and embedded changelog (expand=changelog)."""
    params: dict[str, Any] = {"jql": jql, "fields": ",".join(fields), "expand": "changelog", "maxResults": SEARCH_PAGE}
    if deployment == "cloud":
        # Cloud's /search/jql pages by token and reports no total.
        token = None
        while True:
            paged = {**params, **({"nextPageToken": token} if token else {})}
            body = session.get("rest/api/3/search/jql", params=paged).json()
            yield SearchPage(list(body.get("issues") or []), None)
            token = body.get("nextPageToken")
            if body.get("isLast", token is None) or not token:
                return
    start = 0
    while True:
        body = session.get("rest/api/2/search", params={**params, "startAt": start}).json()
        issues = list(body.get("issues") or [])
        yield SearchPage(issues, body.get("total"))
        start += len(issues)
        if not issues or start >= int(body.get("total") or 0):
            return


def fetch_changelog(session: ApiSession, deployment: Deployment, key: str) -> list[dict[str, Any]]:
    """An issue's whole changelog, when the one embedded in the search was cut short."""
    if deployment == "cloud":
        url = f"rest/api/3/issue/{key}/changelog"
        histories: list[dict[str, Any]] = []
        start = 0
        while True:
            body = session.get(url, params={"startAt": start, "maxResults": CHANGELOG_PAGE}).json()
            values = list(body.get("values") or [])
            histories.extend(values)
            start += len(values)
            total = body.get("total")
            if body.get("isLast", True) or not values or (total is not None and start >= total):
                return histories
    # Data Center has no changelog resource: the issue itself, expanded, carries the whole history.
    body = session.get(f"rest/api/2/issue/{key}", params={"expand": "changelog", "fields": "created"}).json()
    return list((body.get("changelog") or {}).get("histories") or [])


def complete_changelog(session: ApiSession, deployment: Deployment, issue: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's histories: the embedded ones, or all of them fetched when the embedded page is partial."""
    changelog = issue.get("changelog") or {}
    histories = list(changelog.get("histories") or [])
    total = changelog.get("total")
    if total is not None and total > len(histories):
        return fetch_changelog(session, deployment, issue["key"])
    return histories
