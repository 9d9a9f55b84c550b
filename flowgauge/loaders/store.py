"""The snapshot store: the only code that writes DuckDB snapshot files.

Every write goes to a work file beside the target and is renamed over it only when the load
succeeded, so a crash, an exception or Ctrl-C leaves the previous snapshot byte-identical, and a
reader holding the old file keeps reading it while the new one is swapped in.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from flowgauge import __version__
from flowgauge.errors import SchemaMismatch, SnapshotNotFound, SnapshotWriteFailed
from flowgauge.leftovers import remove_files
from flowgauge.loaders.migrations import MIGRATIONS
from flowgauge.loaders.time_order import copy_in_time_order, tables_to_reorder
from flowgauge.loaders.work_files import (
    disk_reason,
    exclusive_lock,
    remove_stale_work_files,
    resumable_work_paths,
    temp_work_path,
    version_note,
    wal_of,
)
from flowgauge.snapshot import (
    SCHEMA_VERSION,
    attach_read_only,
    read_schema_version,
    refuse_stored_code,
    schema_sql,
)

T = TypeVar("T")
_log = logging.getLogger(__name__)


def utc_now() -> datetime:
    """The current UTC time as a naive datetime, the way every snapshot timestamp is stored."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class SyncCursor:
    """Where an incremental load of one stream stopped."""

    cursor: str | None
    etag: str | None
    complete: bool
    synced_at: datetime


class SnapshotWriter:
    """Writes rows into the work copy of a snapshot; obtained only from write_snapshot()."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.rows_written = 0
        self.changed = False  # whether anything was written (rows or cursors): a resumable load then has progress
        self.tables_written: set[str] = set()  # whose time order the save checks (flowgauge.loaders.time_order)
        self.tables_put_in_time_order: list[str] = []  # those the save wrote again in time order
        self.time_order_failure: str | None = None  # why the save could not, when it tried and failed
        self._primary_keys = _primary_keys(con)
        # Inside in_one_transaction: "insert" first, "replace" when a stored key made that fail. A connection already in
        # a transaction (a test's, rolled back after) is always "replace": a failed INSERT would abort that transaction.
        self._outer = "replace" if _in_transaction(con) else None
        self._transaction: str | None = self._outer

    def upsert(self, table: str, rows: pa.Table | Sequence[Mapping[str, Any]]) -> int:
        """Insert rows, replacing existing rows with the same primary key; returns the rows inserted or replaced.

        Columns are matched by name, so a loader may leave out nullable columns; a replaced row keeps its values of
        the columns left out. Rows repeating a key count once, the last of them winning, as if upserted one by one.
        """
        name = _known(table, self._primary_keys)
        data = _last_per_key(rows, self._primary_keys[name])
        if data.num_rows == 0:
            return 0
        # Table names come from code, never from users; the data itself is bound via Arrow.
        with self._incoming(data):
            if not self._insert_all(name):
                self.con.execute(f'INSERT OR REPLACE INTO "{name}" BY NAME SELECT * FROM _incoming')
        self.rows_written += data.num_rows
        self.changed = True
        self.tables_written.add(name)
        return data.num_rows

    def insert_new(self, table: str, rows: pa.Table | Sequence[Mapping[str, Any]]) -> int:
        """Insert the rows whose primary key the table lacks, keeping stored rows as they are (a commit the git
        loader stored with its parents and line counts); returns how many were inserted."""
        name = _known(table, self._primary_keys)
        if not self._primary_keys[name]:
            raise ValueError(f"{table!r} has no primary key to tell new rows by")
        data = _last_per_key(rows, self._primary_keys[name])
        if data.num_rows == 0:
            return 0
        with self._incoming(data):
            if self._insert_all(name):
                inserted = data.num_rows
            else:
                found = self.con.execute(f'INSERT INTO "{name}" BY NAME SELECT * FROM _incoming ON CONFLICT DO NOTHING')
                inserted = int(found.fetchall()[0][0])
        self.rows_written += inserted
        self.changed = self.changed or inserted > 0
        if inserted:
            self.tables_written.add(name)
        return inserted

    def in_one_transaction(self, write: Callable[[SnapshotWriter], T]) -> T:
        """write(self) as one transaction: every row and cursor it writes is saved, or (it raised) none is.

        A load saves each page with its cursor this way: one commit, so one wait for the disk, a page rather than one
        a statement, and a page is never half saved. A plain INSERT meeting a stored key makes DuckDB refuse the rest
        of the transaction, so the page is then rolled back and written again with INSERT OR REPLACE: write may run
        twice and must only write.
        """
        if self._outer is not None:
            return write(self)
        counts = (self.rows_written, self.changed)
        for mode in ("insert", "replace"):
            self.con.execute("BEGIN TRANSACTION")
            self._transaction = mode
            try:
                result = write(self)
                self.con.execute("COMMIT")
            except _KeyStored:
                self._roll_back(counts)
                continue
            except BaseException:
                self._roll_back(counts)
                raise
            finally:
                self._transaction = self._outer
            return result
        raise AssertionError("a page written with INSERT OR REPLACE cannot meet a stored key")

    def _roll_back(self, counts: tuple[int, bool]) -> None:
        self.rows_written, self.changed = counts
        # After a fatal DuckDB error (a full disk) the rollback fails too; the first error is the one to tell.
        with contextlib.suppress(duckdb.Error):
            self.con.execute("ROLLBACK")

    def _insert_all(self, table: str) -> bool:
        """Insert every incoming row with a plain INSERT; False (nothing written) when one's key is stored already.

        DuckDB answers INSERT OR REPLACE and ON CONFLICT by joining the incoming rows with a scan of the whole table,
        so their cost grows with the snapshot (about 10 ms a page at 10,000 rows, 230 ms at a million), while a plain
        INSERT checks each key in the primary key's index. A first load finds no key stored, so it takes this path;
        a page that repeats stored keys costs one failed INSERT more, which the statement's own transaction undoes
        (or, in in_one_transaction, the page's, written again).
        """
        if self._transaction == "replace" and self._primary_keys[table]:
            return False
        try:
            self.con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM _incoming')
        except duckdb.ConstraintException:
            if not self._primary_keys[table]:
                raise  # without a key nothing is replaced: a NOT NULL or CHECK failure is the loader's error
            if self._transaction is not None:
                raise _KeyStored from None
            return False
        return True

    @contextlib.contextmanager
    def _incoming(self, data: pa.Table) -> Iterator[None]:
        """data as the view _incoming for the statements of the block."""
        self.con.register("_incoming", data)
        try:
            yield
        except BaseException:
            # In a transaction a failed statement aborted, DuckDB refuses this too; the rollback drops the view.
            with contextlib.suppress(duckdb.Error):
                self.con.unregister("_incoming")
            raise
        self.con.unregister("_incoming")

    def delete_where(self, table: str, condition_sql: str, params: Sequence[Any] = ()) -> int:
        """Delete rows matching a condition written by the loader (values bound as ? parameters)."""
        count = self.con.execute(
            f'SELECT count(*) FROM "{_known(table, self._primary_keys)}" WHERE {condition_sql}',
            params,
        ).fetchall()[0][0]
        self.con.execute(f'DELETE FROM "{table}" WHERE {condition_sql}', params)
        self.changed = self.changed or count > 0
        return int(count)

    def record_source(self, source_id: str, kind: str, location: str, detail: Mapping[str, Any] | None = None) -> None:
        """Record (or refresh) the load that produced this snapshot's rows."""
        self.upsert(
            "sources",
            [
                {
                    "source_id": source_id,
                    "kind": kind,
                    "location": location,
                    "loaded_at": utc_now(),
                    "rows_written": self.rows_written,
                    "detail": json.dumps(detail or {}, sort_keys=True, default=str),
                }
            ],
        )

    def save_cursor(
        self,
        source_id: str,
        repo_id: str,
        stream: str,
        cursor: str | None,
        *,
        etag: str | None = None,
        complete: bool,
    ) -> None:
        """Store where a stream's sync stands; call after every page so an interrupted run resumes."""
        self.con.execute(
            "INSERT OR REPLACE INTO sync_state VALUES (?, ?, ?, ?, ?, ?, ?)",
            [source_id, repo_id, stream, cursor, etag, complete, utc_now()],
        )
        self.changed = True

    def cursor(self, source_id: str, repo_id: str, stream: str) -> SyncCursor | None:
        """The stored sync position of one stream, or None if it was never synced."""
        rows = self.con.execute(
            "SELECT cursor, etag, complete, synced_at FROM sync_state "
            "WHERE source_id = ? AND repo_id = ? AND stream = ?",
            [source_id, repo_id, stream],
        ).fetchall()  # fetchall, not fetchone: DuckDB 2 refuses other work while a result is unfinished
        return SyncCursor(*rows[0]) if rows else None


def _in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether con is inside a transaction: two statements then share one transaction id, and each has its own in
    autocommit (refusing a BEGIN would tell as well, but the refusal aborts the transaction)."""
    first, second = (con.execute("SELECT txid_current()").fetchall()[0][0] for _ in range(2))
    return first == second


class _KeyStored(Exception):  # noqa: N818 - a signal inside in_one_transaction, never raised out of it
    """A plain INSERT met a stored key inside in_one_transaction: roll back, write the page with INSERT OR REPLACE."""


def _last_per_key(rows: pa.Table | Sequence[Mapping[str, Any]], keys: Sequence[str]) -> pa.Table:
    """rows as Arrow with only the last row of each primary key (DuckDB refuses a key twice in one INSERT, and its
    INSERT OR REPLACE would keep the first); as they are when no key repeats or a row lacks a key column (DuckDB then
    says which)."""
    if not isinstance(rows, pa.Table):
        rows = list(rows)
        if keys and len(rows) > 1:
            key_of = itemgetter(*keys)
            try:
                last = {key_of(row): row for row in rows}  # each key where it first came, with its last row
            except KeyError:
                last = None  # a row without a key column: DuckDB names it
            if last is not None and len(last) < len(rows):
                rows = list(last.values())
        return pa.Table.from_pylist(rows)
    if rows.num_rows < 2 or not keys or not all(k in rows.column_names for k in keys):
        return rows
    if any(pa.types.is_null(rows.schema.field(k).type) for k in keys):
        return rows
    positions = rows.select(list(keys)).append_column("_position", pa.array(range(rows.num_rows), pa.int64()))
    last = positions.group_by(list(keys), use_threads=False).aggregate([("_position", "max")])
    if last.num_rows == rows.num_rows:
        return rows
    kept = last["_position_max"]
    return rows.take(kept.take(pc.sort_indices(kept)))  # in the page's order


def _primary_keys(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, ...]]:
    """Every table in the schema, mapped to its primary key's columns (none for a table without one)."""
    rows = con.execute(
        "SELECT t.table_name, list(c.constraint_column_names) FILTER (c.constraint_type = 'PRIMARY KEY') "
        "FROM duckdb_tables() t LEFT JOIN duckdb_constraints() c "
        "ON c.table_name = t.table_name AND c.database_name = t.database_name "
        "WHERE t.database_name = current_database() GROUP BY t.table_name"
    ).fetchall()
    return {name: tuple(keys[0]) if keys else () for name, keys in rows}


def _known(table: str, tables: Mapping[str, Any]) -> str:
    if table not in tables:
        raise ValueError(f"{table!r} is not a table of the snapshot schema")
    return table


def _prepare_work_file(target: Path, work: Path, fresh: bool) -> None:
    """Put a copy of the current snapshot (or nothing, for a fresh one) at the work path."""
    remove_files([work, wal_of(work)])
    if not fresh and target.exists():
        # Validates the file before copying, so a non-snapshot target is refused, not overwritten.
        probe = attach_read_only(target)
        try:
            found = read_schema_version(probe, target)
            refuse_stored_code(probe, target)  # loaders read the snapshot they write, with external access on
        finally:
            probe.close()
        if found > SCHEMA_VERSION:
            raise SchemaMismatch(
                f"{target}: snapshot schema version {found} is newer than this Flowgauge writes "
                f"({SCHEMA_VERSION}); upgrade Flowgauge before loading into it"
            )
        shutil.copyfile(target, work)


def _open_work_file(work: Path, path_for_messages: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(work))
    con.execute("SET TimeZone = 'UTC'")
    migrate(con, path_for_messages)
    con.execute(schema_sql())
    if con.execute("SELECT count(*) FROM snapshot_meta").fetchall()[0][0] == 0:
        now = utc_now()
        con.execute("INSERT INTO snapshot_meta VALUES (?, ?, ?, ?)", [SCHEMA_VERSION, __version__, now, now])
    return con


def migrate(con: duckdb.DuckDBPyConnection, path_for_messages: Path) -> None:
    """Bring an older snapshot's schema up to SCHEMA_VERSION in place, or refuse clearly."""
    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'snapshot_meta'").fetchall()[0][0]
    if not exists:
        return
    found = con.execute("SELECT max(schema_version) FROM snapshot_meta").fetchall()[0][0]
    if found is None:
        return
    while found < SCHEMA_VERSION:
        step = MIGRATIONS.get(found)
        if step is None:
            raise SchemaMismatch(
                f"{path_for_messages}: snapshot schema version {found} cannot be migrated to "
                f"{SCHEMA_VERSION}; re-create it with the loader that wrote it"
            )
        con.execute(step)
        found += 1
        con.execute("UPDATE snapshot_meta SET schema_version = ?", [found])


def _publish(work: Path, target: Path) -> None:
    """Make the finished work file the snapshot: durable on disk first, then one atomic rename."""
    with open(work, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(work, target)
    # The rename is done: a folder that refuses fsync (some network file systems do) does not undo it.
    with contextlib.suppress(OSError):
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


@contextlib.contextmanager
def write_snapshot(
    path: str | os.PathLike, *, fresh: bool = False, resumable: bool = False, check_time_order: bool = False
) -> Iterator[SnapshotWriter]:
    """Open a snapshot for writing; on a clean exit the result atomically replaces the file at path.

    fresh: start from an empty snapshot instead of a copy of the current one (the demo does).
    resumable: on failure keep the work file when it holds progress (rows or cursors written, or progress resumed
    from an earlier run), and continue from it on the next resumable write to the same path while the snapshot
    there is unchanged (interrupted API syncs resume from their stored cursors). A load that fails before saving
    anything (a refused token) leaves nothing behind, as there is nothing to resume. Without resumable, a failure
    discards all work and the file stays as it was.
    check_time_order: check every large table's order on saving, not only those written (flowgauge upgrade); a
    write that left a large table out of time order publishes a copy with it in order (flowgauge.loaders.time_order;
    a copy the disk refuses is logged in one line, and the work copy published as written).

    The disk refusing the work (full, read-only, no permission) raises SnapshotWriteFailed, one line naming the
    snapshot and the reason, after removing the work file whether resumable or not: it is what filled the disk.
    Every write first removes the stale work files crashed writes left (see flowgauge.loaders.work_files).
    """
    target = Path(path)
    if not target.parent.exists():
        raise SnapshotNotFound(f"{target.parent}: folder does not exist")
    target = target.resolve()
    with exclusive_lock(target):
        remove_stale_work_files(target)
        if resumable:
            work, base_note = resumable_work_paths(target)
            base = version_note(target)
            resuming = work.exists() and base_note.exists() and base_note.read_text() == base
        else:
            work, base_note, resuming = temp_work_path(target), None, False
        writer = None
        stage = "copying the current snapshot"
        try:
            if not resuming:
                _prepare_work_file(target, work, fresh)
                if base_note is not None:
                    base_note.write_text(base)
            stage = "opening the work copy"
            con = _open_work_file(work, target)
            try:
                stage = "writing"
                writer = SnapshotWriter(con)
                yield writer
                stage = "saving"
                con.execute(
                    "UPDATE snapshot_meta SET tool_version = ?, updated_at = ?",
                    [__version__, utc_now()],
                )
                con.execute("CHECKPOINT")
                stage = "writing tables in time order"
                # A resumed load wrote rows in earlier runs this writer never saw.
                in_order = _copy_in_time_order(con, writer, target, check_all=check_time_order or resuming)
            except BaseException:
                # After a fatal DuckDB error (a full disk) closing fails too; the first error is the one to tell.
                with contextlib.suppress(duckdb.Error):
                    con.close()
                raise
            con.close()
            stage = "publishing"
            if in_order is not None:
                try:
                    _publish(in_order, target)
                except BaseException:
                    remove_files([in_order, wal_of(in_order)])
                    raise
                # Published: the work copy is spent, resumable or not.
                remove_files([work, wal_of(work)] + ([base_note] if base_note is not None else []))
            else:
                _publish(work, target)
        except BaseException as error:
            # BaseException, so Ctrl-C too: the target was never touched.
            refused = _disk_refusal(error, target, stage)
            progress = resuming or (writer is not None and writer.changed)
            if refused is not None or not resumable or not progress:
                # A resumable work file with progress is kept (DuckDB's WAL makes it consistent up to the last
                # committed statement); anything else could never be used again.
                remove_files([work, wal_of(work)] + ([base_note] if base_note is not None else []))
            if refused is not None:
                raise refused from None
            raise
        # The snapshot changed, so any resumable work of an earlier version can never resume now.
        remove_stale_work_files(target)


def _copy_in_time_order(
    con: duckdb.DuckDBPyConnection, writer: SnapshotWriter, target: Path, *, check_all: bool
) -> Path | None:
    """A one-shot work file holding the saved work copy with its out-of-order tables in time order, to publish in its
    place, or None when every table checked is in order (check_all: every large table, else those written).

    The order only makes reads faster: when the copy fails (the disk cannot hold a third copy of the snapshot), the
    work copy, complete and checkpointed, is published as it is, with a warning, rather than losing the load."""
    reorder = tables_to_reorder(con, None if check_all else writer.tables_written)
    if not reorder:
        return None
    in_order = temp_work_path(target)
    try:
        copy_in_time_order(con, str(in_order), reorder)
    except (duckdb.Error, OSError) as error:
        remove_files([in_order, wal_of(in_order)])
        reason = disk_reason(error) or str(error).strip().splitlines()[0]
        writer.time_order_failure = reason
        _log.warning("%s: saved with its tables in the order they were written: time order failed (%s)", target, reason)
        return None
    except BaseException:
        remove_files([in_order, wal_of(in_order)])
        raise
    writer.tables_put_in_time_order = reorder
    return in_order


def _disk_refusal(error: BaseException, target: Path, stage: str) -> SnapshotWriteFailed | None:
    """The one-line error for a disk that refused the work file, or None when error is about something else.

    While the loader writes, only DuckDB errors count (the loader's own OSErrors are about its source, a git clone
    say); around it, every OSError is about the work file or the folder.
    """
    if stage == "writing" and not isinstance(error, duckdb.Error):
        return None
    if not isinstance(error, OSError | duckdb.Error):
        return None
    reason = disk_reason(error)
    if reason is None:
        return None
    return SnapshotWriteFailed(
        f"{target}: not written, {reason} in {target.parent} (while {stage}); the snapshot there is unchanged"
    )
