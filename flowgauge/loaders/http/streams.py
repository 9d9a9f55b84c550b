"""Incremental REST streams: pages plus the cursor to store after each, for newest-first and server-bounded lists.

Cursors are small JSON-able dicts saved after every page, so an interrupted run resumes at the
next page; an ETag is stored only once a stream completes, so a 304 never hides an unfinished run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from flowgauge.loaders.http.paginate import paginate_link
from flowgauge.loaders.http.session import ApiSession

PER_PAGE = 100


@dataclass
class StreamPage:
    """Items of one page and the sync state to store once they are written."""

    items: list[dict[str, Any]]
    cursor: dict[str, Any]
    etag: str | None
    complete: bool


def newest_first(
    session: ApiSession,
    url: str,
    cursor: dict[str, Any],
    etag: str | None,
    key: Callable[[dict[str, Any]], int | None],
    params: dict[str, Any] | None = None,
    since: str | None = None,
) -> Iterator[StreamPage]:
    """Page a newest-first list until an item no newer than the last complete run's top key.

    since (ISO-8601 UTC) also stops the list at the first item created before it.
    """
    top = cursor.get("top", -1)
    run_top = cursor.get("run_top", top)
    resume = cursor.get("next")
    first_etag = cursor.get("pending_etag")
    pages = paginate_link(
        session,
        resume or url,
        params=None if resume else {"per_page": PER_PAGE, **(params or {})},
        etag=None if resume else etag,
    )
    for page in pages:
        if page.not_modified:
            yield StreamPage([], {"top": top}, etag, complete=True)
            return
        if not resume and first_etag is None:
            first_etag = page.etag
        fresh = []
        stopped = False
        for item in page.items:
            # An item without a key or a creation time cannot mark where the list was read to: it is passed on
            # (the mapper counts or skips it) and the next item decides.
            item_key, created = key(item), item.get("created_at")
            if (item_key is not None and item_key <= top) or (since and isinstance(created, str) and created < since):
                stopped = True
                break
            fresh.append(item)
        run_top = max([run_top, *(k for k in map(key, fresh) if k is not None)])
        if stopped or page.next_url is None:
            yield StreamPage(fresh, {"top": run_top}, first_etag, complete=True)
            return
        state = {"top": top, "run_top": run_top, "next": page.next_url, "pending_etag": first_etag}
        yield StreamPage(fresh, state, None, complete=False)


def bounded(
    session: ApiSession,
    url: str,
    params: dict[str, Any],
    cursor: dict[str, Any],
    etag: str | None,
    items_key: str | None = None,
) -> Iterator[StreamPage]:
    """Page a list the server bounds itself (created>=, since=); the caller folds page items into the cursor."""
    resume = cursor.get("next")
    pages = paginate_link(
        session,
        resume or url,
        params=None if resume else {"per_page": PER_PAGE, **params},
        etag=None if resume else etag,
        items_key=items_key,
    )
    pending = cursor.get("pending_etag")
    for page in pages:
        if page.not_modified:
            yield StreamPage([], {k: v for k, v in cursor.items() if k != "next"}, etag, complete=True)
            return
        if not resume and pending is None:
            pending = page.etag
        done = page.next_url is None
        state = {**cursor, "next": page.next_url, "pending_etag": None if done else pending}
        yield StreamPage(page.items, state, pending if done else None, complete=done)
