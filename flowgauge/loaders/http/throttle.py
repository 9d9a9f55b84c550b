"""One budget of requests for loaders working at once: GitHub's secondary limits, kept by every thread together.

GitHub documents (REST API rate limits, "About secondary rate limits"): no more than 100 concurrent requests,
shared by REST and GraphQL; no more than 900 points a minute to REST endpoints and 2,000 to the GraphQL endpoint,
where a GraphQL query or a REST GET is 1 point. Its CPU-time limit cannot be measured from outside: GitHub answers it,
as any secondary limit, with a 403 or 429 and a Retry-After, and then every thread waits, not only the one told.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping

# Repositories the commands load at once unless told otherwise: enough to keep waiting on the network busy, few
# enough that the limits below stay far away. The loaders' own default is one at a time.
DEFAULT_WORKERS = 4
GITHUB_MAX_IN_FLIGHT = 100
GITHUB_POINTS_PER_MINUTE = {"graphql": 2000, "core": 900}
WINDOW_SECONDS = 60.0


class Throttle:
    """Requests in flight, points per resource per minute, and a pause all threads honour after a secondary limit."""

    def __init__(
        self,
        max_in_flight: int = GITHUB_MAX_IN_FLIGHT,
        points_per_minute: Mapping[str, int] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._slots = threading.BoundedSemaphore(max_in_flight)
        self._per_minute = dict(GITHUB_POINTS_PER_MINUTE if points_per_minute is None else points_per_minute)
        self._sent: dict[str, deque[float]] = {}
        self._paused_until = 0.0
        self._lock = threading.Lock()
        self.clock = clock
        self.sleep = sleep
        self.waited_seconds = 0.0  # how long threads waited here, in total (for the load summary and tests)

    def acquire(self, resource: str) -> None:
        """Wait for a free slot, the end of any pause and room in resource's minute; then count the request."""
        self._slots.acquire()
        try:
            while True:
                wait = self._try_take(resource)
                if wait <= 0:
                    return
                self.sleep(wait)
                with self._lock:
                    self.waited_seconds += wait
        except BaseException:
            self._slots.release()
            raise

    def release(self) -> None:
        """The request is answered: its slot is free."""
        self._slots.release()

    def pause(self, seconds: float) -> None:
        """No thread sends anything for seconds (GitHub said to slow down; resending at once would prolong it)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self.clock() + seconds)

    def _try_take(self, resource: str) -> float:
        """0 after counting a request to resource, else the seconds to wait before trying again."""
        with self._lock:
            now = self.clock()
            if self._paused_until > now:
                return self._paused_until - now
            limit = self._per_minute.get(resource)
            sent = self._sent.setdefault(resource, deque())
            while sent and sent[0] <= now - WINDOW_SECONDS:
                sent.popleft()
            if limit is not None and len(sent) >= limit:
                return sent[0] + WINDOW_SECONDS - now
            sent.append(now)
            return 0.0
