"""What a snapshot holds: tables, row counts, the time span each covers, its sources and freshness."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import duckdb

from flowgauge.sql_names import quoted

# Bookkeeping tables describe the snapshot rather than the organisation's history.
BOOKKEEPING_TABLES = ("snapshot_meta", "sources", "sync_state", "sync_runs")


@dataclass(frozen=True)
class TableSummary:
    """Row count of one table and the UTC span of its main time column (its first timestamp)."""

    table: str
    rows: int
    time_column: str | None
    earliest: datetime | None
    latest: datetime | None


@dataclass(frozen=True)
class SourceSummary:
    """One load that wrote into the snapshot."""

    source_id: str
    kind: str
    location: str
    loaded_at: datetime
    rows_written: int
    summary: str | None = None  # the loader's one-line account of what it found and could not read ('summary')


@dataclass(frozen=True)
class SnapshotSummary:
    """Everything `flowgauge info` and the Data page show about a snapshot."""

    schema_version: int
    tool_version: str
    created_at: datetime
    updated_at: datetime
    tables: list[TableSummary]
    sources: list[SourceSummary]

    @property
    def empty_tables(self) -> list[str]:
        """History tables with no rows: the metrics that need them will say so."""
        return [t.table for t in self.tables if t.rows == 0 and t.table not in BOOKKEEPING_TABLES]


def summarize_snapshot(con: duckdb.DuckDBPyConnection) -> SnapshotSummary:
    """Summarise an open (read-only) snapshot."""
    columns = con.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = current_database() ORDER BY table_name, column_index"
    ).fetchall()
    time_column: dict[str, str | None] = {}
    for table, column, data_type in columns:
        time_column.setdefault(table, None)
        if time_column[table] is None and data_type in ("TIMESTAMP", "DATE"):
            time_column[table] = column
    tables = []
    for table, column in sorted(time_column.items()):
        # The names come from the file's catalogue, and a snapshot may come from anyone: quoted, never trusted.
        if column:
            rows, earliest, latest = con.execute(
                f"SELECT count(*), min({quoted(column)}), max({quoted(column)}) FROM {quoted(table)}"
            ).fetchall()[0]
        else:
            rows, earliest, latest = con.execute(f"SELECT count(*), NULL, NULL FROM {quoted(table)}").fetchall()[0]
        tables.append(TableSummary(table, int(rows), column, _as_datetime(earliest), _as_datetime(latest)))
    version, tool, created, updated = con.execute(
        "SELECT schema_version, tool_version, created_at, updated_at FROM snapshot_meta LIMIT 1"
    ).fetchall()[0]
    sources = [
        SourceSummary(*row, summary=_detail_summary(detail))
        for *row, detail in con.execute(
            "SELECT source_id, kind, location, loaded_at, rows_written, detail FROM sources ORDER BY loaded_at"
        ).fetchall()
    ]
    return SnapshotSummary(int(version), tool, created, updated, tables, sources)


def _detail_summary(detail: str | None) -> str | None:
    """The 'summary' a loader wrote into its source's detail JSON, else an import's notes ('12 sprints have no
    dates: ...'), if any."""
    try:
        parsed = json.loads(detail or "{}")
    except ValueError:
        return None
    if not isinstance(parsed, dict):
        return None
    notes = parsed.get("notes")
    summary = parsed.get("summary") or ("; ".join(str(note) for note in notes) if isinstance(notes, list) else None)
    return str(summary) if summary else None


def _as_datetime(value):
    if value is None or isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day)
