"""Work a page shows once it is done rather than waiting for it: run on one background thread per server, its
results kept by key, so the page draws what is ready and asks again on a later run.

The Overview's initiative verdicts and goal statuses read long windows of the chosen teams' items and resample them:
at a million PRs they took 5 s after the scorecard with the snapshot's facts kept, and 16 s on a snapshot never
prepared (bench/README.md). Run here, they never hold up the scorecard.

A stopped server never waits for that work: the thread is a daemon (a ThreadPoolExecutor's worker is joined at exit:
`streamlit run` over a never-prepared snapshot of 600,000 PRs, stopped while the Overview's goals were measured, took
6.4 s to exit, 1.6 s now), and at exit the DuckDB statements of work that took its connection through interruptible()
are interrupted, and that work is given STOP_SECONDS to end, so a facts build it runs removes its unfinished file
before the process ends. Other work is left to DuckDB, which interrupts every statement at exit.
"""

from __future__ import annotations

import atexit
import contextlib
import queue
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import Future
from typing import TypeVar

import duckdb

from flowgauge.interruptible import Interrupter

T = TypeVar("T")
# How long an exiting process lets interrupted work end (remove its unfinished files): far longer than that takes
# (milliseconds), short enough that a stopped server is gone at once even when the work waits on something else.
STOP_SECONDS = 1.0
_POLL_SECONDS = 0.05


class Deferred:
    """Results of work run one piece at a time on a background thread, by key: the same key is run once while it is
    kept. Beyond max_kept keys the oldest finished ones are forgotten (unfinished ones never are)."""

    def __init__(self, max_kept: int) -> None:
        self._futures: OrderedDict[Hashable, Future] = OrderedDict()
        self._lock = threading.Lock()
        self._max_kept = max_kept
        self._waiting: queue.SimpleQueue[tuple[Future, Callable[[], object]] | None] = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self._running: Interrupter | None = None  # the running work's, while it holds an interruptible connection
        self._stopped = False
        _instances.add(self)

    def submit(self, key: Hashable, work: Callable[[], T]) -> Future[T]:
        """The future of the work kept under key, started now when there is none (cancelled once stopped)."""
        with self._lock:
            future = self._futures.get(key)
            if future is None:
                future = self._futures[key] = Future()
                if self._stopped:
                    future.cancel()
                else:
                    self._waiting.put((future, work))
                    self._start_worker()
            self._futures.move_to_end(key)
            finished = [kept for kept, candidate in self._futures.items() if candidate.done()]
            for kept in finished[: max(0, len(self._futures) - self._max_kept)]:
                del self._futures[kept]
            return future

    def __len__(self) -> int:
        with self._lock:
            return len(self._futures)

    @contextlib.contextmanager
    def interruptible(self, con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
        """For the running work: a stand-in for con whose statements, and those of the cursors made from it, stop()
        interrupts."""
        interrupter = Interrupter()
        with self._lock:
            self._running = interrupter
            if self._stopped:
                interrupter.interrupt()
        try:
            yield interrupter.wrap(con)
        finally:
            with self._lock:
                self._running = None

    def stop(self, seconds: float = STOP_SECONDS) -> None:
        """Run no more work: cancel what waits, interrupt what runs, and give interrupted work up to `seconds` to
        end."""
        self._stop_now()
        self._let_end(time.monotonic() + seconds)

    def _stop_now(self) -> None:
        with self._lock:
            self._stopped = True
            running = self._running
        with contextlib.suppress(queue.Empty):
            while (waiting := self._waiting.get_nowait()) is not None:
                waiting[0].cancel()
        self._waiting.put(None)  # the worker's cue to end
        if running is not None:
            running.interrupt()

    def _let_end(self, deadline: float) -> None:
        """Wait until deadline for the running work, while it is one stop() interrupts (waiting for other work
        would only delay the exit)."""
        worker = self._worker
        while worker is not None and worker.is_alive() and time.monotonic() < deadline:
            with self._lock:
                running = self._running
            if running is None:
                return
            # Again each time round: a statement the work started since (its clean-up's) is interrupted too.
            running.interrupt()
            worker.join(_POLL_SECONDS)

    def _start_worker(self) -> None:
        if self._worker is None:
            # One thread: the work is CPU-bound and must leave the other core to the pages themselves. A daemon: the
            # interpreter exits without waiting for it (stop() gives interrupted work its last second).
            self._worker = threading.Thread(target=self._work, name="flowgauge-deferred", daemon=True)
            self._worker.start()

    def _work(self) -> None:
        while (waiting := self._waiting.get()) is not None:
            future, work = waiting
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = work()
            except BaseException as error:  # the future carries it to whoever reads the result
                future.set_exception(error)
            else:
                future.set_result(result)


_instances: weakref.WeakSet[Deferred] = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    """Stop every Deferred of the process, all at once. Registered after duckdb was imported, so it runs before
    DuckDB's own exit handler (atexit runs the last registered first), while the work can still remove its files."""
    stopping = list(_instances)
    for deferred in stopping:
        deferred._stop_now()
    deadline = time.monotonic() + STOP_SECONDS
    for deferred in stopping:
        deferred._let_end(deadline)
