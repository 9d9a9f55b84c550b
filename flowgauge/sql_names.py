"""Quoting SQL identifiers that come from outside the code: a snapshot's catalogue, a database's name."""

from __future__ import annotations


def quoted(name: str) -> str:
    """name as one DuckDB identifier: in double quotes with inner double quotes doubled, so any text (quotes,
    semicolons, SQL) is only ever a name and never runs."""
    return '"' + name.replace('"', '""') + '"'
