"""CSV output that spreadsheets cannot execute: cells that look like formulas are escaped with a leading quote."""

from __future__ import annotations

import csv
import io
from typing import Any

import pyarrow as pa

# A spreadsheet treats a cell starting with one of these as a formula (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_csv_cell(value: Any) -> Any:
    """value, with a single quote put in front when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def to_csv_bytes(table: pa.Table) -> bytes:
    """The table as UTF-8 CSV (header first), every text cell escaped; numbers are written as numbers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.column_names)
    for row in table.to_pylist():
        writer.writerow(["" if value is None else escape_csv_cell(_text(value)) for value in row.values()])
    return buffer.getvalue().encode("utf-8")


def _text(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "; ".join(str(item) for item in value)
    return value
