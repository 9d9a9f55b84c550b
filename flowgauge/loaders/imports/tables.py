"""The canonical tables as imports see them: columns, types, keys, Arrow schemas, templates and de-duplication."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import duckdb
import pyarrow as pa

from flowgauge.snapshot import schema_sql

# Written by Flowgauge itself, never imported.
INTERNAL_TABLES = frozenset({"snapshot_meta", "sources", "sync_state"})

# Tables without a primary key still have a natural key a re-import should not duplicate.
NATURAL_KEYS = {"survey_responses": ("survey_id", "responded_on", "team_id", "question", "respondent")}

# How the duplicate-row note names each table's key ("3 duplicate rows dropped (same issue key)").
KEY_LABELS = {
    "work_items": "issue key",
    "incidents": "incident id",
    "deployments": "deployment id",
    "pull_requests": "pull request",
    "team_memberships": "person, team and start date",
    "survey_responses": "survey, date, team, question and respondent",
}

ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "TIMESTAMP": pa.timestamp("us"),
    "DATE": pa.date32(),
    "VARCHAR[]": pa.list_(pa.string()),
}


@dataclass(frozen=True)
class Column:
    """One column of a canonical table."""

    name: str
    sql_type: str
    required: bool


@dataclass(frozen=True)
class TableSpec:
    """One canonical table: its columns in schema order and its key."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def column_names(self) -> list[str]:
        """Every column, in schema order."""
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        """The NOT NULL columns an import must fill."""
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        """The column called name."""
        return next(c for c in self.columns if c.name == name)

    @property
    def arrow_schema(self) -> pa.Schema:
        """The Arrow schema rows are built against before they reach the store."""
        return pa.schema([pa.field(c.name, ARROW_TYPES[c.sql_type], nullable=not c.required) for c in self.columns])

    @property
    def key_label(self) -> str:
        """How a message names the key duplicates share."""
        return KEY_LABELS.get(self.name, ", ".join(self.key))


@cache
def table_specs() -> dict[str, TableSpec]:
    """Every importable table, read from schema.sql applied to a throwaway in-memory DuckDB."""
    con = duckdb.connect(":memory:")
    try:
        con.execute(schema_sql())
        columns = con.execute(
            "SELECT table_name, column_name, data_type, is_nullable FROM duckdb_columns() "
            "WHERE database_name = current_database() ORDER BY table_name, column_index"
        ).fetchall()
        keys = con.execute(
            "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
            "WHERE constraint_type = 'PRIMARY KEY' AND database_name = current_database()"
        ).fetchall()
    finally:
        con.close()
    key_of = {name: tuple(cols) for name, cols in keys}
    grouped: dict[str, list[Column]] = {}
    for table, column, data_type, nullable in columns:
        if table not in INTERNAL_TABLES:
            grouped.setdefault(table, []).append(Column(column, data_type, not nullable))
    return {
        name: TableSpec(name, tuple(cols), key_of.get(name) or NATURAL_KEYS.get(name, ()))
        for name, cols in grouped.items()
    }


def canonical_template_csv(table: str) -> str:
    """A header-only CSV for a canonical table, offered as a download template."""
    specs = table_specs()
    if table not in specs:
        raise ValueError(f"{table!r} is not an importable table; choose one of {', '.join(sorted(specs))}")
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(specs[table].column_names)
    return out.getvalue()


def dedupe_rows(table: str, rows: Sequence[Mapping[str, Any]]) -> tuple[list[Mapping[str, Any]], int]:
    """Rows with repeated keys collapsed to the last one, and how many were dropped."""
    key = table_specs()[table].key
    if not key:
        return list(rows), 0
    latest: dict[tuple, Mapping[str, Any]] = {}
    for row in rows:
        latest[tuple(row.get(col) for col in key)] = row
    return list(latest.values()), len(rows) - len(latest)


def rows_to_arrow(table: str, rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """Rows as an Arrow table with the table's full schema (missing columns are NULL)."""
    spec = table_specs()[table]
    schema = pa.schema([field.with_nullable(True) for field in spec.arrow_schema])
    return pa.Table.from_pylist([dict(r) for r in rows], schema=schema)
