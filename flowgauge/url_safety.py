"""Links from files, APIs and snapshots are kept and shown only when they are web (http or https) URLs.

A `javascript:`, `data:` or `vbscript:` URL in an imported PR, incident or repository link would run in the browser
of whoever clicks it in the dashboard; loaders store such values as NULL (and count them), the dashboard shows them
as no link.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.compute as pc

WEB_SCHEMES = frozenset({"http", "https"})
# The canonical schema's link columns (repositories, pull_requests, deployments and incidents each have one).
URL_COLUMNS = ("url",)
_AROUND = "".join(chr(code) for code in range(0x21))  # the C0 controls and space


def is_web_url(value: object) -> bool:
    """True for an absolute http(s) URL with a host; False for every other scheme, a relative link or a non-text."""
    if not isinstance(value, str):
        return False
    try:
        # Browsers drop control characters and spaces around a URL and tabs or newlines inside it ("java\tscript:");
        # urlsplit drops the inner ones too, so the scheme read here is the one a browser would act on.
        parts = urlsplit(value.strip(_AROUND))
    except ValueError:  # an unbalanced [ in the host, for one
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.netloc)


def web_url_or_none(value: object) -> str | None:
    """value when it is a web URL, else None."""
    return value if is_web_url(value) else None  # type: ignore[return-value]


def keep_web_urls(table: pa.Table, columns: Iterable[str] = URL_COLUMNS) -> tuple[pa.Table, dict[str, int]]:
    """table with every value of the named text columns that is not a web URL set to NULL, and how many were, per
    column (columns the table lacks are skipped; a column with none left out is not in the counts)."""
    counts: dict[str, int] = {}
    for name in columns:
        if name not in table.column_names:
            continue
        values = table.column(name)
        if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
            continue
        keep = pa.array([is_web_url(value) for value in values.to_pylist()], pa.bool_())
        left_out = int(pc.sum(pc.and_(pc.is_valid(values), pc.invert(keep))).as_py() or 0)
        if left_out:
            counts[name] = left_out
            index = table.column_names.index(name)
            table = table.set_column(index, table.field(index), pc.if_else(keep, values, pa.scalar(None, values.type)))
    return table, counts


def keep_web_urls_in_rows(
    rows: Sequence[Mapping[str, Any]], columns: Iterable[str] = URL_COLUMNS
) -> tuple[list[Mapping[str, Any]], int]:
    """rows (dicts) with every non-web value of the named keys set to None, and how many were."""
    names = tuple(columns)
    cleaned: list[Mapping[str, Any]] = []
    left_out = 0
    for row in rows:
        bad = [name for name in names if row.get(name) is not None and not is_web_url(row[name])]
        if bad:
            row = {**row, **dict.fromkeys(bad)}
            left_out += len(bad)
        cleaned.append(row)
    return cleaned, left_out


def left_out_note(count: int, column: str) -> str:
    """The summary line for links dropped: '3 urls that were not http(s) left out (column url)'."""
    noun = "url that was" if count == 1 else "urls that were"
    return f"{count:,} {noun} not http(s) left out (column {column})"
