"""Work a page shows once it is done rather than waiting for it: run on one background thread per server, its
results kept by key, so the page draws what is ready and asks again on a later run.

The Overview's initiative verdicts and goal statuses read long windows of the chosen teams' items and resample them:
at a million PRs they took 5 s after the scorecard with the snapshot's facts kept, and 16 s on a snapshot never
prepared (bench/README.md). Run here, they never hold up the scorecard.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


class Deferred:
    """Results of work run one piece at a time on a background thread, by key: the same key is run once while it is
    kept. Beyond max_kept keys the oldest finished ones are forgotten (unfinished ones never are)."""

    def __init__(self, max_kept: int) -> None:
        # One thread: the work is CPU-bound and must leave the other core to the pages themselves.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="flowgauge-deferred")
        self._futures: OrderedDict[Hashable, Future] = OrderedDict()
        self._lock = threading.Lock()
        self._max_kept = max_kept

    def submit(self, key: Hashable, work: Callable[[], T]) -> Future[T]:
        """The future of the work kept under key, started now when there is none."""
        with self._lock:
            future = self._futures.get(key)
            if future is None:
                future = self._futures[key] = self._executor.submit(work)
            self._futures.move_to_end(key)
            finished = [kept for kept, candidate in self._futures.items() if candidate.done()]
            for kept in finished[: max(0, len(self._futures) - self._max_kept)]:
                del self._futures[kept]
            return future

    def __len__(self) -> int:
        with self._lock:
            return len(self._futures)
