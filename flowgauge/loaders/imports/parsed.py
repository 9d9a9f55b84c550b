"""What every kind's parse() returns: rows or Arrow per canonical table, plus notes for the preview."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

# progress(message, fraction of the whole import done, 0..1); the CLI draws it, the app can too.
Progress = Callable[[str, float], None]


def no_progress(message: str, fraction: float) -> None:
    """The default progress callback: report nothing."""


@dataclass
class Parsed:
    """One file's rows per canonical table, before de-duplication and typing against the schema."""

    tables: dict[str, pa.Table | list[Mapping[str, Any]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Tables whose repeated keys are real duplicate rows of the file (counted in the notes); other
    # tables (people met on every row, say) are collapsed silently.
    main_tables: frozenset[str] = frozenset()
    # Tables whose rows are added only when their key is new, so an import never overwrites what a
    # richer source wrote (a Jira assignee must not blank a GitHub user's e-mail).
    fill_only: frozenset[str] = frozenset()
    # Duplicates the parser already dropped itself (the canonical kind de-duplicates in DuckDB).
    duplicates_dropped: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, row: Mapping[str, Any]) -> None:
        """Append one row to a table given as rows."""
        rows = self.tables.setdefault(table, [])
        assert isinstance(rows, list)
        rows.append(row)
