"""Opening snapshots for reading: the schema version contract shared by the store, metrics and app."""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb

from flowgauge.errors import NotASnapshot, SchemaMismatch, SnapshotNotFound

# Bump with every change to loaders/schema.sql, and add a migration to flowgauge.loaders.migrations.
SCHEMA_VERSION = 5
# Beside the snapshots, hidden so that nothing listing snapshots (*.duckdb in the data folder) sees the metrics' cache
# files (flowgauge.metrics.facts). The one folder a reading connection may touch besides its snapshot.
CACHE_FOLDER = ".flowgauge-cache"


def schema_sql() -> str:
    """The canonical schema as SQL text (idempotent CREATE TABLE IF NOT EXISTS statements)."""
    return resources.files("flowgauge.loaders").joinpath("schema.sql").read_text(encoding="utf-8")


@dataclass(frozen=True)
class SnapshotIdentity:
    """What makes one version of a snapshot file distinct: a new write changes at least one field."""

    path: str
    inode: int
    size_bytes: int
    modified_ns: int


def snapshot_identity(path: str | os.PathLike) -> SnapshotIdentity:
    """Identity of the file now at path; a swapped-in snapshot gets a new inode, so caches can key on it."""
    resolved = Path(path).resolve()
    try:
        stat = resolved.stat()
    except FileNotFoundError:
        raise SnapshotNotFound(f"{path}: no such snapshot file") from None
    return SnapshotIdentity(str(resolved), stat.st_ino, stat.st_size, stat.st_mtime_ns)


def attach_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    # ATTACH into a private in-memory database instead of duckdb.connect(path): connect() reuses a
    # process-wide instance per path, which keeps serving the old file after a new snapshot has
    # been renamed over it. A fresh attach always reads the file now at that path. TYPE duckdb stops
    # DuckDB from guessing a reader from the extension (a .csv would otherwise fail obscurely).
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    try:
        con.execute("ATTACH ? AS snapshot (TYPE duckdb, READ_ONLY)", [str(path)])
    except duckdb.IOException as error:
        con.close()
        if "not a valid DuckDB database" in str(error):
            raise NotASnapshot(f"{path}: not a DuckDB file, so not a Flowgauge snapshot") from None
        raise NotASnapshot(f"{path}: cannot be opened as a snapshot ({error})") from None
    except duckdb.Error as error:
        con.close()
        raise NotASnapshot(f"{path}: cannot be opened as a snapshot ({error})") from None
    con.execute("USE snapshot")
    _lock_down(con, path)
    return con


def _lock_down(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    # A snapshot may come from anyone, and every reader runs SQL over it: with external access off, nothing run on
    # this connection can read or write other files (read_csv('/etc/passwd'), COPY TO), attach databases, load
    # extensions or reach the network. Only the facts cache beside the snapshot stays allowed. DuckDB refuses to
    # turn either setting back on while the database runs.
    cache = Path(path).resolve().parent / CACHE_FOLDER
    con.execute("SET allowed_directories = ?", [[f"{cache}{os.sep}"]])
    con.execute("SET enable_external_access = false")


def read_schema_version(con: duckdb.DuckDBPyConnection, path: str | os.PathLike) -> int:
    """The schema version recorded in an open snapshot, or NotASnapshot when it has none."""
    # fetchall, never fetchone: DuckDB 2 refuses further work on a connection whose result is unfinished.
    has_meta = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND table_name = 'snapshot_meta'"
    ).fetchall()[0][0]
    rows = con.execute("SELECT max(schema_version) FROM snapshot_meta").fetchall() if has_meta else []
    if not rows or rows[0][0] is None:
        raise NotASnapshot(f"{path}: a DuckDB file, but not a Flowgauge snapshot (no snapshot_meta)")
    return int(rows[0][0])


def refuse_stored_code(con: duckdb.DuckDBPyConnection, path: str | os.PathLike) -> None:
    """Refuse a file holding views or macros: a Flowgauge snapshot has only tables, and SQL stored in a file from
    elsewhere would run whenever a reader reads the table it stands in for."""
    names = con.execute(
        "SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND NOT internal "
        "UNION ALL SELECT DISTINCT function_name FROM duckdb_functions() "
        "WHERE database_name = current_database() AND NOT internal ORDER BY 1"
    ).fetchall()
    if names:
        shown = ", ".join(repr(name) for (name,) in names[:3])
        more = f" and {len(names) - 3} more" if len(names) > 3 else ""
        raise NotASnapshot(
            f"{path}: holds views or macros ({shown}{more}), which Flowgauge snapshots never have; refused, as "
            "reading it would run the SQL they hold (drop them with DuckDB to use the file)"
        )


def check_schema_version(found: int, path: str | os.PathLike) -> None:
    """Refuse a snapshot whose schema this Flowgauge would misread."""
    if found > SCHEMA_VERSION:
        raise SchemaMismatch(
            f"{path}: snapshot schema version {found} is newer than this Flowgauge reads "
            f"({SCHEMA_VERSION}); upgrade Flowgauge to open it"
        )
    if found < SCHEMA_VERSION:
        raise SchemaMismatch(
            f"{path}: snapshot schema version {found} is older than this Flowgauge reads "
            f"({SCHEMA_VERSION}); run `flowgauge upgrade {path}` to migrate it"
        )


def open_snapshot(path: str | os.PathLike) -> duckdb.DuckDBPyConnection:
    """Open a snapshot read-only after checking its schema version; a loader may swap in a new one meanwhile."""
    resolved = Path(path)
    if not resolved.exists():
        raise SnapshotNotFound(f"{path}: no such snapshot file")
    if resolved.is_dir():
        raise NotASnapshot(f"{path}: is a directory, not a snapshot file")
    con = attach_read_only(resolved)
    try:
        check_schema_version(read_schema_version(con, path), path)
        refuse_stored_code(con, path)
    except Exception:
        con.close()
        raise
    return con
