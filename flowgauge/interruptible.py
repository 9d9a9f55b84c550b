"""Interrupting, from another thread, every DuckDB statement a piece of work runs: on the connection it was given and
on every cursor made from that one, and from theirs.

DuckDB's `interrupt()` stops only the statement of the connection it is called on, and the metrics run their queries
on cursors of the cursor they are given (`runner.private_cursor`), so interrupting the given one alone would leave
the long statements running. The work is handed a stand-in that keeps every cursor made from it in reach.
"""

from __future__ import annotations

import threading
import weakref

import duckdb


class Interrupter:
    """Interrupts the statements running on the connections it wrapped and on their cursors; once interrupted, those
    refuse to make new cursors (what the work would start next), so the work ends instead of starting over."""

    def __init__(self) -> None:
        # Held while a wrapped connection is closed or interrupted: DuckDB must not get both calls at once.
        self._lock = threading.Lock()
        # Weak: a cursor the work drops without closing it is freed as usual, and leaves this set on its own.
        self._live: weakref.WeakSet[duckdb.DuckDBPyConnection] = weakref.WeakSet()
        self._interrupted = False

    @property
    def interrupted(self) -> bool:
        """Whether interrupt() was called."""
        return self._interrupted

    def wrap(self, con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
        """A stand-in for con (every call goes to con) whose cursors, and theirs, are wrapped too."""
        with self._lock:
            self._live.add(con)
        return _Wrapped(con, self)  # type: ignore[return-value] - it answers every call con does

    def interrupt(self) -> None:
        """Interrupt what runs on every wrapped connection now, and refuse new cursors from then on. Safe to call
        from any thread, any number of times: a statement started since an earlier call is interrupted too."""
        with self._lock:
            self._interrupted = True
            for con in list(self._live):
                try:
                    con.interrupt()
                except duckdb.ConnectionException:
                    self._live.discard(con)  # closed by DuckDB itself meanwhile

    def _cursor(self, con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
        if self._interrupted:
            raise duckdb.InterruptException("interrupted: no new statements")
        return self.wrap(con.cursor())

    def _close(self, con: duckdb.DuckDBPyConnection) -> None:
        with self._lock:
            self._live.discard(con)
            con.close()


class _Wrapped:
    """A DuckDB connection as the work sees it: every attribute is the connection's, except cursor() and close()."""

    __slots__ = ("_con", "_interrupter")

    def __init__(self, con: duckdb.DuckDBPyConnection, interrupter: Interrupter) -> None:
        self._con = con
        self._interrupter = interrupter

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self._interrupter._cursor(self._con)

    def close(self) -> None:
        self._interrupter._close(self._con)

    def __enter__(self) -> _Wrapped:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __getattr__(self, name: str):
        return getattr(self._con, name)
