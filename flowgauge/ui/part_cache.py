"""A process-wide, bounded store of computed values shared by every session (least recently used out first).

Unlike st.cache_data it hands back the stored object itself, neither pickled on the way in nor copied on the way
out, so a hit costs a dictionary lookup: callers must treat what they get as read-only. The metrics' aggregate
parts are plain dictionaries and tuples that nothing mutates.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any


class PartCache:
    """At most max_entries values, each kept for ttl_seconds after it was stored; safe from several threads."""

    def __init__(self, max_entries: int, ttl_seconds: float) -> None:
        self._max_entries = max_entries
        self._ttl_seconds = ttl_seconds
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()

    def get(self, key: Hashable) -> Any | None:
        """The value stored under key, or None when there is none (or it has expired)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            stored_at, value = entry
            if time.monotonic() - stored_at > self._ttl_seconds:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        """Store value under key, dropping the least recently used entries beyond max_entries."""
        with self._lock:
            self._entries[key] = (time.monotonic(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every value."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
