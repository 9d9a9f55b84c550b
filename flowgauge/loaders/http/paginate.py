"""The two pagination generators: REST pages by Link header, GraphQL pages by connection cursor."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from flowgauge.loaders.http.errors import ApiError
from flowgauge.loaders.http.session import ApiSession


@dataclass
class RestPage:
    """One REST page: its items, the URL it came from, the next page's URL and its ETag."""

    items: list[Any]
    url: str
    next_url: str | None
    etag: str | None
    not_modified: bool = False


@dataclass
class GraphQLPage:
    """One page of a GraphQL connection, with the whole response data for anything else asked."""

    nodes: list[dict[str, Any]]
    end_cursor: str | None
    has_next: bool
    data: dict[str, Any]
    errors: list[dict[str, Any]] = field(default_factory=list)


def paginate_link(
    session: ApiSession,
    url: str,
    *,
    params: Mapping[str, Any] | None = None,
    etag: str | None = None,
    items_key: str | None = None,
) -> Iterator[RestPage]:
    """Yield pages following rel="next"; with etag, an unchanged first page yields one not_modified page and stops.

    items_key picks the list out of wrapped answers ({"workflow_runs": [...]}). Stop early by
    leaving the loop: no further request is made.
    """
    next_url: str | None = url
    first = True
    while next_url:
        # The next link already carries every query parameter, so params go with the first request only.
        response = session.get(next_url, params=params if first else None, etag=etag if first else None)
        if response.status_code == 304:
            yield RestPage([], str(response.request.url), None, etag, not_modified=True)
            return
        body = response.json()
        items = body.get(items_key, []) if items_key else body
        following = response.links.get("next", {}).get("url")
        yield RestPage(list(items), str(response.request.url), following, response.headers.get("etag"))
        next_url = following
        first = False


def paginate_graphql(
    session: ApiSession,
    query: str,
    variables: Mapping[str, Any],
    connection: Callable[[dict[str, Any]], dict[str, Any] | None],
    *,
    after: str | None = None,
    shrink: Callable[[dict[str, Any], ApiError], dict[str, Any] | None] | None = None,
    per_request: Callable[[], Mapping[str, Any]] | None = None,
) -> Iterator[GraphQLPage]:
    """Yield pages of the connection connection(data) picks out, passing $after from page to page.

    When a page fails, shrink(variables, error) may return lighter variables to ask the same page
    again with (GitHub answers 502 when a query is too heavy to finish in time), or None to give up.
    per_request() gives variables that change from request to request (asked just before each one), so the
    consumer of a page can have the next request carry something it needs.
    """
    variables = dict(variables)
    while True:
        try:
            extra = per_request() if per_request else {}
            result = session.graphql(query, {**variables, **extra, "after": after})
        except ApiError as error:
            lighter = shrink(variables, error) if shrink else None
            if lighter is None:
                raise
            variables = lighter
            continue
        conn = connection(result.data) or {"nodes": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}
        info = conn.get("pageInfo") or {}
        has_next = bool(info.get("hasNextPage"))
        nodes = [node for node in conn.get("nodes") or [] if node is not None]
        yield GraphQLPage(nodes, info.get("endCursor"), has_next, result.data, result.errors)
        if not has_next:
            return
        after = info.get("endCursor")
