"""`save_parquet_export`: every table of a snapshot as Parquet, the large event tables partitioned by month.

Layout of the export folder (readable by DuckDB, Spark, Trino, BigQuery and Snowflake as Hive-style datasets):

    manifest.json                         table -> rows, checksum, partition column, files
    <table>/part-0.parquet                small tables and tables without an event time
    <table>/month=YYYY-MM/part-0.parquet  tables with an event time and at least `partition_min_rows` rows

Each Parquet schema carries the schema.sql comments: the table's under the schema metadata key `comment`, each
column's under its field metadata key `comment`. The folder is written under a temporary name beside the target
and renamed into place at the end, so a failed export leaves no partial folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from flowgauge import __version__
from flowgauge.errors import FlowgaugeError
from flowgauge.export.schema_comments import TableComments, schema_comments
from flowgauge.snapshot import open_snapshot

MANIFEST = "manifest.json"
PARTITION_COLUMN = "month"
DEFAULT_PARTITION_MIN_ROWS = 100_000
# Batches streamed from DuckDB to the Parquet writer: a large table is never held in memory whole.
_BATCH_ROWS = 122_880


class ExportError(FlowgaugeError):
    """The export folder cannot be written as asked."""


@dataclass(frozen=True)
class ExportedTable:
    """What the manifest records for one table."""

    rows: int
    checksum: str
    partitioned_by: str | None
    files: int


def table_checksum_sql(relation: str, columns: list[str]) -> str:
    """SQL giving (rows, checksum) of a relation: the sum of each row's DuckDB hash, so row order does not matter.

    `relation` and `columns` are identifiers from a snapshot's catalogue, quoted here; the same statement over the
    Parquet files read back gives the same checksum when every value survived the trip.
    """
    hashed = ", ".join(_quoted(column) for column in columns)
    return f"SELECT count(*), coalesce(sum(hash({hashed})), 0)::VARCHAR FROM {relation}"


def save_parquet_export(
    snapshot: Path, out_dir: Path, *, overwrite: bool = False, partition_min_rows: int = DEFAULT_PARTITION_MIN_ROWS
) -> dict[str, ExportedTable]:
    """Write every table of the snapshot as Parquet into out_dir with a manifest; returns the manifest's tables."""
    _check_target(out_dir, overwrite)
    con = open_snapshot(snapshot)
    try:
        comments = schema_comments()
        with _staging_folder(out_dir, overwrite) as staging:
            tables: dict[str, ExportedTable] = {}
            try:
                for table, columns in _catalogue(con).items():
                    tables[table] = _export_table(
                        con, table, columns, comments.get(table), staging / table, partition_min_rows
                    )
            except OSError as error:
                reason = error.strerror or error
                raise ExportError(f"{out_dir}: export failed ({reason}); nothing was written") from None
            manifest = {
                "flowgauge_version": __version__,
                "snapshot": snapshot.name,
                "checksum": "sum of DuckDB hash(column, ...) over each table's columns in order, as text",
                "tables": {name: asdict(entry) for name, entry in tables.items()},
            }
            (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    finally:
        con.close()
    return tables


def _catalogue(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str, bool]]]:
    """Each table's columns (name, type, nullable) in order."""
    rows = con.execute(
        "SELECT table_name, column_name, data_type, is_nullable FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = 'main' ORDER BY table_name, column_index"
    ).fetchall()
    catalogue: dict[str, list[tuple[str, str, bool]]] = {}
    for table, column, data_type, nullable in rows:
        catalogue.setdefault(table, []).append((column, data_type, bool(nullable)))
    return catalogue


def _event_time_column(columns: list[tuple[str, str, bool]]) -> str | None:
    """The table's first non-null timestamp or date: when its rows happened, the natural partition key."""
    for name, data_type, nullable in columns:
        if data_type in ("TIMESTAMP", "DATE") and not nullable:
            return name
    return None


def _export_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: list[tuple[str, str, bool]],
    comments: TableComments | None,
    folder: Path,
    partition_min_rows: int,
) -> ExportedTable:
    names = [name for name, _, _ in columns]
    rows, checksum = con.execute(table_checksum_sql(_quoted(table), names)).fetchall()[0]
    event_time = _event_time_column(columns)
    partitioned = event_time is not None and rows >= partition_min_rows
    folder.mkdir()
    selected = ", ".join(_quoted(name) for name in names)
    if partitioned:
        # Sorted by event time so each month's file is written once, its row groups in time order.
        month = f"strftime({_quoted(event_time)}, '%Y-%m') AS {PARTITION_COLUMN}"
        query = f"SELECT {selected}, {month} FROM {_quoted(table)} ORDER BY {_quoted(event_time)}"
        reader = _batches(con, query, comments)
        ds.write_dataset(
            reader,
            folder,
            format="parquet",
            partitioning=ds.partitioning(pa.schema([(PARTITION_COLUMN, pa.string())]), flavor="hive"),
            basename_template="part-{i}.parquet",
            max_partitions=100_000,
            existing_data_behavior="error",
        )
    else:
        reader = _batches(con, f"SELECT {selected} FROM {_quoted(table)}", comments)
        with pq.ParquetWriter(folder / "part-0.parquet", reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)
    files = sum(1 for _ in folder.rglob("*.parquet"))
    return ExportedTable(int(rows), str(checksum), event_time if partitioned else None, files)


def _batches(con: duckdb.DuckDBPyConnection, query: str, comments: TableComments | None) -> pa.RecordBatchReader:
    """The query's rows as a stream of Arrow batches whose schema carries the table's comments."""
    # con.sql, not con.execute: DuckDB 2 copies a DB-API result once more before handing it to Arrow.
    reader = con.sql(query).to_arrow_reader(_BATCH_ROWS)
    schema = _with_comments(reader.schema, comments)
    return pa.RecordBatchReader.from_batches(
        schema, (pa.RecordBatch.from_arrays(batch.columns, schema=schema) for batch in reader)
    )


def _with_comments(schema: pa.Schema, comments: TableComments | None) -> pa.Schema:
    """The schema with each column's comment as field metadata and the table's as schema metadata."""
    if comments is None:
        return schema
    fields = [
        field.with_metadata({"comment": comments.columns[field.name]}) if field.name in comments.columns else field
        for field in schema
    ]
    return pa.schema(fields, metadata={"comment": comments.comment, "table": comments.table})


def _check_target(out_dir: Path, overwrite: bool) -> None:
    """Refuse a target that is a file, or a non-empty folder unless overwriting an earlier export."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"{out_dir}: exists and is not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()):
        if not overwrite:
            raise ExportError(f"{out_dir}: folder is not empty; pass --overwrite to replace an earlier export")
        if not (out_dir / MANIFEST).is_file():
            # --overwrite replaces an export, never an arbitrary folder someone typed by mistake.
            raise ExportError(f"{out_dir}: not an earlier Flowgauge export (no {MANIFEST}); refusing to replace it")
    parent = out_dir.parent
    if not parent.is_dir():
        raise ExportError(f"{out_dir}: {parent} is not an existing folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ExportError(f"{out_dir}: cannot write in {parent} (permission denied)")


@contextlib.contextmanager
def _staging_folder(out_dir: Path, overwrite: bool) -> Iterator[Path]:
    """A temporary folder beside out_dir, renamed over it when the block succeeds and removed when it fails."""
    token = secrets.token_hex(4)
    staging = out_dir.parent / f".{out_dir.name}.export-{token}"
    try:
        staging.mkdir()
    except OSError as error:
        raise ExportError(f"{out_dir}: cannot write in {out_dir.parent} ({error.strerror})") from None
    try:
        yield staging
        retired = None
        if out_dir.is_dir() and any(out_dir.iterdir()) and overwrite:
            retired = out_dir.parent / f".{out_dir.name}.old-{token}"
            out_dir.rename(retired)
        elif out_dir.is_dir():
            out_dir.rmdir()  # empty: the new folder takes its place
        try:
            staging.rename(out_dir)
        except OSError:
            if retired is not None:
                retired.rename(out_dir)  # the earlier export goes back in place
            raise
        if retired is not None:
            shutil.rmtree(retired)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _quoted(identifier: str) -> str:
    """An identifier quoted for DuckDB, inner quotes doubled."""
    return '"' + identifier.replace('"', '""') + '"'
