"""Regular expressions run by DuckDB's RE2, the engine that runs them in the metrics, checked and matched alike.

Python's re and RE2 differ (look-arounds, back-references, possessive quantifiers): a pattern checked with one and
run with the other can pass the check and then fail, or match differently. Every rules pattern is therefore checked
and, at load time too, matched here, on a private in-memory DuckDB connection.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from functools import lru_cache

import duckdb

_lock = threading.Lock()
_connection: duckdb.DuckDBPyConnection | None = None


def _run(sql: str, params: list) -> list[tuple]:
    global _connection
    with _lock:
        if _connection is None:
            _connection = duckdb.connect(":memory:")
        return _connection.execute(sql, params).fetchall()


def pattern_error(pattern: str) -> str | None:
    """Why RE2 refuses pattern (its own message), or None when it compiles."""
    try:
        _run("SELECT regexp_matches('', ?)", [pattern])
    except duckdb.Error as error:
        return str(error).removeprefix("Invalid Input Error: ")
    return None


@lru_cache(maxsize=4096)
def re2_search(pattern: str, text: str) -> bool:
    """Whether RE2 finds pattern anywhere in text, as regexp_matches(text, pattern) does in the metrics."""
    return bool(_run("SELECT regexp_matches(?, ?)", [text, pattern])[0][0])


def re2_matching(pattern: str, texts: Iterable[str]) -> set[str]:
    """The texts in which RE2 finds pattern, in one query."""
    values = sorted({text for text in texts if text is not None})
    if not values:
        return set()
    rows = _run("SELECT t FROM unnest(?::VARCHAR[]) AS u(t) WHERE regexp_matches(t, ?)", [values, pattern])
    return {row[0] for row in rows}


def any_of(patterns: Iterable[str]) -> str:
    """One RE2 pattern matching where any of patterns does ('' for none); inline flags stay inside their group."""
    return "|".join(f"(?:{pattern})" for pattern in patterns)
