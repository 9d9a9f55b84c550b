"""Loaders working at once, one writer: workers fetch on their threads, and every snapshot call they make runs on the
thread that owns the SnapshotWriter (a DuckDB connection serves one thread at a time), in the order they make them.

`load_in_parallel(writer, items, workers, load)` runs load(SerialWriter, item) for each item on a pool of threads
while the calling thread serves their calls; a worker's call returns what the writer returned (a query's rows
already fetched). A failure ends as a sequential load would: the items before the failed one are finished, the
ones after it are stopped at their next call (or never started), and the failure of the first item that failed,
in the items' order, is raised.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from flowgauge.loaders.store import SnapshotWriter

T = TypeVar("T")
NO_FAILURE = 1 << 62
I = TypeVar("I")  # noqa: E741 - the item a worker loads
# How long the writing thread waits for a call before it looks whether the workers are done.
POLL_SECONDS = 0.05


class LoadCancelled(Exception):  # noqa: N818 - a signal to the workers, not an error of their own
    """Another worker failed (or the load was interrupted): this one stops at its next snapshot call."""


class SerialWriter:
    """A SnapshotWriter's methods and `con.execute`, each run on the writer's own thread; `call(fn)` runs fn(writer)
    there as one step that no other worker's call comes between."""

    def __init__(self, writer: SnapshotWriter) -> None:
        self._writer = writer
        self._calls: queue.Queue[tuple[int, Callable[[], Any], Future]] = queue.Queue()
        self._closed = False
        self._closing = threading.Lock()  # a call is queued whole before close() drains, or refused after it
        self._worker = threading.local()  # the position of the item the calling thread loads
        self.stop_after = NO_FAILURE  # items after this position stop: an earlier one failed
        self.con = _SerialConnection(self)

    def call(self, fn: Callable[[SnapshotWriter], T]) -> T:
        """fn(writer) on the writing thread; its result, or its exception, here."""
        done: Future = Future()
        position = getattr(self._worker, "position", 0)
        with self._closing:
            if self._closed or position > self.stop_after:
                raise LoadCancelled("the load was stopped")
            self._calls.put((position, lambda: fn(self._writer), done))
        return done.result()

    def loading(self, position: int) -> None:
        """Say which item (by position) the calling worker thread loads from now on."""
        self._worker.position = position

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._writer, name)
        if not callable(found):
            return found
        return lambda *args, **kwargs: self.call(lambda writer: getattr(writer, name)(*args, **kwargs))

    def serve_until(self, futures: Sequence[Future]) -> None:
        """Run the workers' calls until every future is done (futures in the items' order); then raise the failure
        of the first item that failed."""
        pending = list(enumerate(futures))
        try:
            while pending:
                try:
                    position, work, done = self._calls.get(timeout=POLL_SECONDS)
                except queue.Empty:
                    pass
                else:
                    if position > self.stop_after:
                        done.set_exception(LoadCancelled("the load was stopped"))
                    else:
                        _run(work, done)
                for position, future in pending:
                    if position < self.stop_after and _failed(future):
                        self.stop_after = position
                        for later in futures[position + 1 :]:
                            later.cancel()  # not started yet: never started
                pending = [(position, future) for position, future in pending if not future.done()]
        finally:
            self.close()
        first = next((f for f in futures if _failed(f)), None)
        if first is not None:
            raise first.exception()

    def close(self) -> None:
        """Refuse further calls and fail the waiting ones, so every worker stops at its next call."""
        with self._closing:
            self._closed = True
        while True:
            try:
                _, _, done = self._calls.get_nowait()
            except queue.Empty:
                return
            done.set_exception(LoadCancelled("the load was stopped"))


class _SerialConnection:
    """`con.execute(sql, params)` on the writing thread, answered with the rows already fetched."""

    def __init__(self, owner: SerialWriter) -> None:
        self._owner = owner

    def execute(self, sql: str, params: Any = None) -> _Fetched:
        def run(writer: SnapshotWriter) -> _Fetched:
            cursor = writer.con.execute(sql, params) if params is not None else writer.con.execute(sql)
            description = cursor.description
            return _Fetched(cursor.fetchall() if description else [], description)

        return self._owner.call(run)


class _Fetched:
    """A query's rows and description, read on the writing thread."""

    def __init__(self, rows: list[tuple], description: Any) -> None:
        self._rows = rows
        self.description = description

    def fetchall(self) -> list[tuple]:
        return list(self._rows)

    def fetchone(self) -> tuple | None:
        return self._rows[0] if self._rows else None


def load_in_parallel(
    writer: SnapshotWriter, items: Sequence[I], workers: int, load: Callable[[SerialWriter, I], T]
) -> list[T]:
    """load(serial writer, item) for every item, `workers` at a time; results in the items' order."""
    serial = SerialWriter(writer)

    def load_at(position: int, item: I) -> T:
        serial.loading(position)
        return load(serial, item)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="flowgauge-load") as pool:
        futures = [pool.submit(load_at, position, item) for position, item in enumerate(items)]
        try:
            serial.serve_until(futures)
        except BaseException:
            for future in futures:
                future.cancel()  # not started yet: never started
            raise
    return [future.result() for future in futures]


def _failed(future: Future) -> bool:
    """Done with an error of its own (not cancelled, not stopped because another failed)."""
    if not future.done() or future.cancelled():
        return False
    error = future.exception()
    return error is not None and not isinstance(error, LoadCancelled)


def _run(work: Callable[[], Any], done: Future) -> None:
    try:
        done.set_result(work())
    except BaseException as error:  # the worker that asked gets it, as if it had made the call itself
        done.set_exception(error)
