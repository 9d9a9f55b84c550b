"""Loaders working at once, one writer: workers fetch on their threads, and every snapshot call they make runs on the
thread that owns the SnapshotWriter (a DuckDB connection serves one thread at a time), in the order they make them.

`load_in_parallel(writer, items, workers, load)` runs load(SerialWriter, item) for each item on a pool of threads
while the calling thread serves their calls; a worker's call returns what the writer returned (a query's rows
already fetched). The first failure stops the others at their next call and is raised, as a sequential load would.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from flowgauge.loaders.store import SnapshotWriter

T = TypeVar("T")
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
        self._calls: queue.Queue[tuple[Callable[[], Any], Future]] = queue.Queue()
        self._closed = False
        self._closing = threading.Lock()  # a call is queued whole before close() drains, or refused after it
        self.con = _SerialConnection(self)

    def call(self, fn: Callable[[SnapshotWriter], T]) -> T:
        """fn(writer) on the writing thread; its result, or its exception, here."""
        done: Future = Future()
        with self._closing:
            if self._closed:
                raise LoadCancelled("the load was stopped")
            self._calls.put((lambda: fn(self._writer), done))
        return done.result()

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._writer, name)
        if not callable(found):
            return found
        return lambda *args, **kwargs: self.call(lambda writer: getattr(writer, name)(*args, **kwargs))

    def serve_until(self, futures: Sequence[Future]) -> None:
        """Run the workers' calls until every future is done; raise the first failure, workers stopped."""
        pending = list(futures)
        try:
            while pending:
                try:
                    work, done = self._calls.get(timeout=POLL_SECONDS)
                except queue.Empty:
                    pass
                else:
                    _run(work, done)
                failed = next((f for f in pending if f.done() and f.exception() is not None), None)
                if failed is not None:
                    raise failed.exception()
                pending = [f for f in pending if not f.done()]
        finally:
            self.close()

    def close(self) -> None:
        """Refuse further calls and fail the waiting ones, so every worker stops at its next call."""
        with self._closing:
            self._closed = True
        while True:
            try:
                _, done = self._calls.get_nowait()
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
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="flowgauge-load") as pool:
        futures = [pool.submit(load, serial, item) for item in items]
        try:
            serial.serve_until(futures)
        except BaseException:
            for future in futures:
                future.cancel()  # not started yet: never started
            raise
    return [future.result() for future in futures]


def _run(work: Callable[[], Any], done: Future) -> None:
    try:
        done.set_result(work())
    except BaseException as error:  # the worker that asked gets it, as if it had made the call itself
        done.set_exception(error)
