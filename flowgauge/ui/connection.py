"""Read-only snapshot connections shared by every session, keyed by the snapshot file's identity."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import streamlit as st

from flowgauge.metrics.facts import keep_facts, release_facts
from flowgauge.snapshot import SnapshotIdentity, open_snapshot, snapshot_identity


class SnapshotConnections:
    """One open connection per snapshot path, replaced (and the old one closed) when the file changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[str, tuple[SnapshotIdentity, duckdb.DuckDBPyConnection]] = {}

    def identity(self, path: str | os.PathLike) -> SnapshotIdentity:
        """Identity of the snapshot now at path, opening (or re-opening) its connection if it changed."""
        identity = snapshot_identity(path)
        with self._lock:
            current = self._open.get(identity.path)
            if current is not None and current[0] == identity:
                return identity
            con = open_snapshot(identity.path)
            self._open[identity.path] = (identity, con)
            # The metrics keep their per-item facts on this connection, cached in a file beside the snapshot; the
            # frame attaches or builds them once a page has been drawn (cached.keep_facts_warm), so a first view
            # never shares the cores with a build.
            keep_facts(con, identity)
        if current is not None:
            # Sessions still reading the old file finish on their own cursors' copy of the catalogue;
            # closing the superseded connection releases the old inode.
            with contextlib.suppress(duckdb.Error):
                release_facts(current[1])
                current[1].close()
        return identity

    @contextlib.contextmanager
    def cursor(self, identity: SnapshotIdentity) -> Iterator[duckdb.DuckDBPyConnection]:
        """A private cursor on the snapshot: DuckDB connections are not thread-safe, Streamlit sessions are threads."""
        with self._lock:
            entry = self._open.get(identity.path)
            if entry is None:
                raise KeyError(f"{identity.path} is not open")
            cursor = entry[1].cursor()
        try:
            cursor.execute("USE snapshot")
            yield cursor
        finally:
            cursor.close()

    def close_all(self) -> None:
        """Close every connection (tests and shutdown)."""
        with self._lock:
            entries, self._open = list(self._open.values()), {}
        for _, con in entries:
            with contextlib.suppress(duckdb.Error):
                release_facts(con)
                con.close()


@st.cache_resource(show_spinner=False)
def connections() -> SnapshotConnections:
    """The process-wide connection registry, created once."""
    return SnapshotConnections()


def list_snapshots(data_dir: Path) -> list[str]:
    """Names (file stems) of the snapshot files in the data folder, sorted."""
    if not data_dir.is_dir():
        return []
    return sorted(path.stem for path in data_dir.glob("*.duckdb") if path.is_file() and not path.name.startswith("."))
