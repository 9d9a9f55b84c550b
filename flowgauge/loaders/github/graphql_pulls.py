"""Pull requests over GraphQL: pages of PRs with nested reviews and commits, newest-updated first."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from flowgauge.loaders.github.review_counts import (
    CARRIED_IDS,
    apply_counts,
    carried_variables,
    counts_in,
    fetch_review_counts,
    reviews_to_count,
)
from flowgauge.loaders.github.review_counts import QUERY_FILE as COUNTS_QUERY_FILE
from flowgauge.loaders.http.errors import ApiError, GraphQLErrors, RetriesExhausted
from flowgauge.loaders.http.paginate import paginate_graphql
from flowgauge.loaders.http.session import ApiSession

QUERY_FILE = "pulls.graphql"
PAGE_SIZE = 100
# Nested sizes. Reviews and commits carry only scalars (no connection of their own), so GitHub charges their
# connection once per PR whatever its size: both get the maximum, 100.
NESTED_REVIEWS = 100
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
    # Reviews of the last page whose comment counts the caller brings with the repository's next GraphQL request
    # (last_counts_later): the page must not be saved before give_counts().
    uncounted: list[str] = field(default_factory=list)

    def give_counts(self, counts: dict[str, int]) -> None:
        """The comment counts of the uncounted reviews, brought by another request."""
        apply_counts(self.pulls, counts)
        self.uncounted = []


def fetch_pull_pages(
    session: ApiSession,
    repo_id: str,
    *,
    after: str | None = None,
    stop_at: str | None = None,
    page_size: int = PAGE_SIZE,
    nested_reviews: int = NESTED_REVIEWS,
    nested_commits: int = NESTED_COMMITS,
    last_counts_later: bool = False,
) -> Iterator[PullPage]:
    """Yield pages of PR nodes updated after stop_at (ISO time), resuming after the cursor `after`.

    Nodes are GitHub's own JSON, with `reviews.nodes` and `commits.nodes` completed by follow-up
    queries when a PR has more than one nested page, and every review given its `comments.totalCount`. Those
    counts ride on the next page's request (review_counts.py), so a page is yielded once the next one has come,
    and the last one after a request of its own when it has reviews to count; with last_counts_later, the last
    page is yielded with those reviews in `uncounted`, for the caller's next request to carry.
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
    carried: list[str] = []  # review ids whose comment counts the next request brings
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
        load_query(QUERY_FILE),
        variables,
        lambda data: (data.get("repository") or {}).get("pullRequests"),
        after=after,
        shrink=lighter,
        per_request=lambda: carried_variables(carried),
    )
    held: PullPage | None = None  # the previous page, waiting for the counts this request carried
    while True:
        try:
            page = next(pages)
        except ApiError:
            # The next page failed: finish the held one with a request of its own, so that no page fetched is lost
            # (the caller stores its cursor), then let the failure go on.
            if held is not None and carried:
                _count_alone(session, repo_id, held, carried)
            if held is not None:
                yield held
            raise
        if held is not None:
            apply_counts(held.pulls, counts_in(page.data.get("reviewCounts"), page.data.get("moreReviewCounts")))
            yield held
            held = None
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
        current = PullPage(
            kept,
            page.end_cursor,
            page.has_next and not reached_stop,
            reached_stop,
            page.data.get("repository") or {},
            cost,
            ((page.data.get("repository") or {}).get("pullRequests") or {}).get("totalCount"),
            warnings,
        )
        to_count = reviews_to_count(kept)
        # What the next request cannot carry (more than it holds, or no next request) is asked on its own.
        rest = to_count[CARRIED_IDS:] if current.has_next or last_counts_later else to_count
        if not current.has_next and last_counts_later:
            current.uncounted = to_count[:CARRIED_IDS]
        if rest:
            _count_alone(session, repo_id, current, rest)
        if not current.has_next:
            yield current
            return
        carried[:] = to_count[:CARRIED_IDS]
        held = current


def count_alone(session: ApiSession, repo_id: str, page: PullPage) -> None:
    """Give the page's uncounted reviews their comment counts with a request of their own."""
    _count_alone(session, repo_id, page, page.uncounted)
    page.uncounted = []


def _count_alone(session: ApiSession, repo_id: str, page: PullPage, ids: list[str]) -> None:
    """Give page's reviews ids their comment counts with requests of their own; errors become the page's warnings."""
    counts, errors = fetch_review_counts(session, ids, load_query(COUNTS_QUERY_FILE))
    apply_counts(page.pulls, counts)
    page.warnings += [f"{repo_id}: GraphQL review comment counts: {error}" for error in errors]


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
