"""Pull requests over GraphQL: pages of PRs with nested reviews and commits, newest-updated first."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from flowgauge.loaders.http.errors import ApiError, GraphQLErrors, RetriesExhausted
from flowgauge.loaders.http.paginate import paginate_graphql
from flowgauge.loaders.http.session import ApiSession

PAGE_SIZE = 100
# Nested sizes. Each review costs GitHub one request for its comment count, so 50 reviews make a
# page cost about 56 points; commits carry only scalars and cost nothing extra, so they get 100.
NESTED_REVIEWS = 50
NESTED_COMMITS = 100
# Smallest nested page the loader falls back to when GitHub keeps timing out on a page.
MIN_NESTED = 10


def load_query(name: str) -> str:
    """Text of a query file shipped in flowgauge/loaders/github/queries."""
    return resources.files("flowgauge.loaders.github").joinpath("queries", name).read_text(encoding="utf-8")


@dataclass
class PullPage:
    """One page of pull requests, cut at the stop time, with every nested page already followed."""

    pulls: list[dict[str, Any]]
    end_cursor: str | None
    has_next: bool
    reached_stop: bool
    repository: dict[str, Any]
    cost: int | None
    total_count: int | None
    warnings: list[str] = field(default_factory=list)


def fetch_pull_pages(
    session: ApiSession,
    repo_id: str,
    *,
    after: str | None = None,
    stop_at: str | None = None,
    page_size: int = PAGE_SIZE,
    nested_reviews: int = NESTED_REVIEWS,
    nested_commits: int = NESTED_COMMITS,
) -> Iterator[PullPage]:
    """Yield pages of PR nodes updated after stop_at (ISO time), resuming after the cursor `after`.

    Nodes are GitHub's own JSON, with `reviews.nodes` and `commits.nodes` completed by follow-up
    queries when a PR has more than one nested page.
    """
    owner, name = repo_id.split("/", 1)
    if stop_at is not None and after is None:
        probe = session.graphql(load_query("pulls_probe.graphql"), {"owner": owner, "name": name})
        repository = probe.data.get("repository") or {}
        times = [n["updatedAt"] for n in (repository.get("pullRequests") or {}).get("nodes") or [] if n]
        changed = sum(1 for t in times if t > stop_at)
        if changed == 0:
            cost = (probe.data.get("rateLimit") or {}).get("cost")
            yield PullPage([], None, False, True, repository, cost, None, [])
            return
        # GitHub charges by the page size asked for, not the PRs returned: ask for the changed ones
        # plus the first unchanged one, whose presence proves the page reached the stored point.
        page_size = min(page_size, changed + 1)
    variables = {
        "owner": owner,
        "name": name,
        "first": page_size,
        "reviews": nested_reviews,
        "commits": nested_commits,
    }
    shrunk: list[str] = []

    def lighter(current: dict[str, Any], error: ApiError) -> dict[str, Any] | None:
        # Only a query that kept failing server-side is worth making lighter; a 404 or 403 is not.
        if not isinstance(error, RetriesExhausted | GraphQLErrors) or current["reviews"] <= MIN_NESTED:
            return None
        smaller = {**current, "reviews": max(MIN_NESTED, current["reviews"] // 2)}
        smaller["commits"] = max(MIN_NESTED, current["commits"] // 2)
        shrunk.append(f"{repo_id}: pull request page kept failing; nested pages cut to {smaller['reviews']}")
        sizes.update(reviews=smaller["reviews"], commits=smaller["commits"])
        return smaller

    sizes = {"reviews": nested_reviews, "commits": nested_commits}
    pages = paginate_graphql(
        session,
        load_query("pulls.graphql"),
        variables,
        lambda data: (data.get("repository") or {}).get("pullRequests"),
        after=after,
        shrink=lighter,
    )
    for page in pages:
        warnings = [*shrunk, *(_describe_error(repo_id, page.data, error) for error in page.errors)]
        shrunk.clear()
        kept = []
        reached_stop = False
        for node in page.nodes:
            # updatedAt is ISO-8601 UTC with a Z, so string order is time order. A node without one is kept:
            # the mapper counts what it lacks, and the next node with a time decides where the page stops.
            updated = node.get("updatedAt")
            if stop_at is not None and updated is not None and updated <= stop_at:
                reached_stop = True
                break
            kept.append(node)
        for node in kept:
            if not isinstance(node.get("number"), int):
                continue  # no follow-up can name it; the mapper skips it and counts why
            for key, query_file, size in (
                ("reviews", "pull_reviews.graphql", sizes["reviews"]),
                ("commits", "pull_commits.graphql", sizes["commits"]),
            ):
                for error in _complete_nested(session, owner, name, node, key, query_file, size):
                    warnings.append(f"{repo_id}#{node['number']}: GraphQL {key} follow-up: {error.get('message')}")
            for error in _complete_extras(session, owner, name, node):
                warnings.append(f"{repo_id}#{node['number']}: GraphQL labels/issues/timeline follow-up: {error}")
        cost = (page.data.get("rateLimit") or {}).get("cost")
        yield PullPage(
            kept,
            page.end_cursor,
            page.has_next and not reached_stop,
            reached_stop,
            page.data.get("repository") or {},
            cost,
            ((page.data.get("repository") or {}).get("pullRequests") or {}).get("totalCount"),
            warnings,
        )
        if reached_stop:
            return


def _complete_nested(
    session: ApiSession, owner: str, name: str, node: dict[str, Any], key: str, query_file: str, size: int
) -> list[dict[str, Any]]:
    """Append the remaining pages of node[key] when its first nested page was not the last; returns GraphQL errors."""
    conn = node.get(key)
    info = (conn or {}).get("pageInfo") or {}
    if not info.get("hasNextPage") or not info.get("endCursor"):
        return []  # without a cursor the next page cannot be asked for (the first would come back again)
    errors: list[dict[str, Any]] = []
    more = paginate_graphql(
        session,
        load_query(query_file),
        {"owner": owner, "name": name, "number": node["number"], "first": size},
        lambda data: ((data.get("repository") or {}).get("pullRequest") or {}).get(key),
        after=info["endCursor"],
    )
    conn["nodes"] = list(conn.get("nodes") or [])
    for page in more:
        conn["nodes"].extend(page.nodes)
        errors.extend(page.errors)
    conn["pageInfo"] = {"hasNextPage": False, "endCursor": None}
    return errors


# The small connections of a PR that pull_extras.graphql completes: node key -> (variable prefix).
EXTRA_CONNECTIONS = {"labels": "labels", "closingIssuesReferences": "closing", "timelineItems": "timeline"}


def _complete_extras(session: ApiSession, owner: str, name: str, node: dict[str, Any]) -> list[str]:
    """Append the remaining labels, closing issues and timeline items of a PR whose first pages were not the last.

    One request per round brings the next page of every connection still open, so a PR with 25 labels and
    30 draft events costs one extra request, not two. Returns the messages of GraphQL errors met.
    """
    errors: list[str] = []
    while True:
        open_keys = [key for key in EXTRA_CONNECTIONS if _next_cursor(node.get(key))]
        if not open_keys:
            return errors
        variables: dict[str, Any] = {"owner": owner, "name": name, "number": node["number"]}
        for key, prefix in EXTRA_CONNECTIONS.items():
            variables[prefix] = key in open_keys
            variables[f"{prefix}After"] = _next_cursor(node[key]) if key in open_keys else None
        result = session.graphql(load_query("pull_extras.graphql"), variables)
        errors += [str(e.get("message", e)) for e in result.errors]
        pull = (result.data.get("repository") or {}).get("pullRequest") or {}
        for key in open_keys:
            more = pull.get(key) or {}
            asked_after = _next_cursor(node[key])
            node[key]["nodes"] = [*(node[key].get("nodes") or []), *(more.get("nodes") or [])]
            info = more.get("pageInfo") or {}
            # A page that brought nothing or did not move the cursor ends the connection: never loop forever.
            done = not more.get("nodes") or info.get("endCursor") in (None, asked_after)
            node[key]["pageInfo"] = {
                "hasNextPage": bool(info.get("hasNextPage")) and not done,
                "endCursor": info.get("endCursor"),
            }


def _next_cursor(conn: Any) -> str | None:
    """The cursor to ask a connection's next page after, or None when it has none (or no cursor to go on from)."""
    info = (conn.get("pageInfo") or {}) if isinstance(conn, dict) else {}
    return info.get("endCursor") if info.get("hasNextPage") else None


def _describe_error(repo_id: str, data: dict[str, Any], error: dict[str, Any]) -> str:
    """A one-line warning naming the PR a partial-data error belongs to, when its path says."""
    path = error.get("path") or []
    where = repo_id
    if "nodes" in path:
        index = path[path.index("nodes") + 1] if path.index("nodes") + 1 < len(path) else None
        nodes = ((data.get("repository") or {}).get("pullRequests") or {}).get("nodes") or []
        if isinstance(index, int) and index < len(nodes) and nodes[index]:
            where = f"{repo_id}#{nodes[index].get('number')}"
        elif isinstance(index, int):
            where = f"{repo_id} (pull request {index + 1} of the page)"
    field_path = ".".join(str(p) for p in path[-2:]) if path else "query"
    return f"{where}: GraphQL returned partial data ({field_path}): {error.get('message', 'unknown error')}"
