"""Review comment counts, asked only where a PR has review threads, by review node id, at most 100 a request.

Asking each review's `comments { totalCount }` inside the pull-request page made GitHub count one request per
review of every PR (50 of a page's 56 points). A PR's `reviewThreads { totalCount }` costs one request per PR, and
every inline review comment starts or answers a thread: a PR without threads has reviews without comments, and only
the reviews of the others need their count. The pull-request pager carries those ids in the next page's request.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flowgauge.loaders.http.session import ApiSession

# nodes(ids:) takes at most 100 ids.
MAX_IDS = 100
# The ids a page of pull requests carries in its two lists: 701 requests of its own plus 148 still round to 8 points.
CARRIED_IDS = 148
QUERY_FILE = "review_counts.graphql"


def reviews_to_count(nodes: Iterable[dict[str, Any]]) -> list[str]:
    """Node ids of the reviews whose comment count must be asked; reviews of PRs without threads are given 0.

    A review that already has its count (a follow-up page asked it) is left as it is; a review without an id keeps
    no count, and the mapper counts it as lacking one.
    """
    ids = []
    for node in nodes:
        threads = (node.get("reviewThreads") or {}).get("totalCount")
        for review in (node.get("reviews") or {}).get("nodes") or []:
            if not isinstance(review, dict) or "comments" in review:
                continue
            if threads == 0:
                review["comments"] = {"totalCount": 0}
            elif review.get("id") and review.get("state") != "PENDING":
                ids.append(review["id"])
    return ids


def apply_counts(nodes: Iterable[dict[str, Any]], counts: dict[str, int]) -> None:
    """Give each review of nodes the comment count found for its id."""
    for node in nodes:
        for review in (node.get("reviews") or {}).get("nodes") or []:
            if isinstance(review, dict) and "comments" not in review and review.get("id") in counts:
                review["comments"] = {"totalCount": counts[review["id"]]}


def carried_variables(ids: list[str]) -> dict[str, list[str]]:
    """The two id lists of a query carrying up to CARRIED_IDS ids (Pulls and Tags)."""
    return {"reviewIds": ids[:MAX_IDS], "moreReviewIds": ids[MAX_IDS:CARRIED_IDS]}


def carried_counts(data: dict[str, Any]) -> dict[str, int]:
    """The counts a query carrying ids brought back."""
    return counts_in(data.get("reviewCounts"), data.get("moreReviewCounts"))


def counts_in(*answers: Any) -> dict[str, int]:
    """Comment counts by review id from nodes(ids:) answers (null entries are ids GitHub did not resolve)."""
    found = {}
    for item in [item for answer in answers for item in answer or []]:
        total = ((item or {}).get("comments") or {}).get("totalCount")
        if isinstance(item, dict) and item.get("id") and isinstance(total, int):
            found[item["id"]] = total
    return found


def fetch_review_counts(session: ApiSession, ids: list[str], query: str) -> tuple[dict[str, int], list[str]]:
    """Comment counts of the reviews ids, 100 a request; with the messages of any GraphQL errors met."""
    counts: dict[str, int] = {}
    errors: list[str] = []
    for start in range(0, len(ids), MAX_IDS):
        result = session.graphql(query, {"ids": ids[start : start + MAX_IDS]})
        counts.update(counts_in(result.data.get("nodes")))
        errors += [str(e.get("message", e)) for e in result.errors]
    return counts, errors
