"""The schema's comments per table and column, read from schema.sql where every column carries one."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flowgauge.snapshot import schema_sql

_CREATE = re.compile(r"^CREATE TABLE IF NOT EXISTS (\w+) \($")
_COLUMN = re.compile(r"^\s+(\w+) [^-]*?--\s*(.+)$")


@dataclass(frozen=True)
class TableComments:
    """A table's own comment (the lines above its CREATE) and one comment per column."""

    table: str
    comment: str
    columns: dict[str, str] = field(default_factory=dict)


def schema_comments(text: str | None = None) -> dict[str, TableComments]:
    """Comments of every table in schema.sql (or the given text), keyed by table name."""
    # schema.sql writes comments as `--` after each column, which DuckDB does not keep (duckdb_columns().comment
    # is empty), so they are read from the file: one line per column is the file's own convention.
    lines = (text if text is not None else schema_sql()).splitlines()
    tables: dict[str, TableComments] = {}
    above: list[str] = []
    current: TableComments | None = None
    for line in lines:
        created = _CREATE.match(line)
        if created:
            current = TableComments(created.group(1), " ".join(above))
            tables[current.table] = current
            continue
        if current is not None:
            if line.startswith(")"):
                current, above = None, []
                continue
            column = _COLUMN.match(line)
            if column and column.group(1).upper() not in ("PRIMARY", "UNIQUE", "FOREIGN"):
                current.columns[column.group(1)] = column.group(2).strip()
            continue
        if line.startswith("-- "):
            above.append(line[3:].strip())
        elif not line.strip():
            above = []
    return tables
