"""Running the metric SQL files: the one place that knows DuckDB's result-to-Arrow call."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

import duckdb
import pyarrow as pa

_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
# Temp tables staged per call; names come from this list, never from users.
STAGED_TABLES = (
    "fg_bots",
    "fg_pr_facts",
    "fg_commit_facts",
    "fg_review_facts",
    "fg_work_item_facts",
    "fg_prs",
    "fg_deploys",
    "fg_incidents",
    "fg_deploy_outcomes",
    "fg_values",
)


@cache
def sql_text(name: str) -> str:
    """Text of flowgauge/metrics/sql/<name>.sql, read once per process."""
    return resources.files("flowgauge.metrics").joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")


def _bound(text: str, params: dict[str, Any]) -> dict[str, Any]:
    # DuckDB refuses parameters a statement does not use, so pass only the ones the file names.
    return {key: params[key] for key in set(_PARAMETER.findall(_without_comments(text))) if key in params}


@cache
def _without_comments(text: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in text.splitlines())


def query(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pa.Table:
    """Run sql/<name>.sql with $named parameters bound and return the result as an Arrow table."""
    text = sql_text(name)
    return con.sql(text, params=_bound(text, params)).to_arrow_table()


def stage(con: duckdb.DuckDBPyConnection, table: str, name: str, **params: Any) -> None:
    """Materialise sql/<name>.sql as a connection-local temp table that later metric files read."""
    if table not in STAGED_TABLES:
        raise ValueError(f"{table!r} is not a staged metrics table")
    stage_as(con, f"TEMP TABLE {table}", name, params)


def stage_as(
    con: duckdb.DuckDBPyConnection, target: str, name: str, params: dict[str, Any], order_by: str | None = None
) -> None:
    """CREATE OR REPLACE <target> AS sql/<name>.sql, optionally sorted by a column of its result.

    target and order_by come from the metrics package itself, never from user input.
    """
    text = sql_text(name)
    body = f"SELECT * FROM (\n{text}\n) ORDER BY {order_by}" if order_by else text
    con.execute(f"CREATE OR REPLACE {target} AS {body}", _bound(text, params))


@contextlib.contextmanager
def private_cursor(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor on the same snapshot whose temp tables no other caller (or Streamlit thread) sees."""
    database = con.execute("SELECT current_database()").fetchall()[0][0]
    cursor = con.cursor()
    try:
        cursor.execute(f'USE "{database.replace(chr(34), chr(34) * 2)}"')
        yield cursor
    finally:
        cursor.close()


def stage_union(
    con: duckdb.DuckDBPyConnection,
    table: str,
    names: list[str],
    params: dict[str, Any],
    categories: Mapping[str, Sequence[str]] | None = None,
    blank: Mapping[str, str] | None = None,
) -> None:
    """Materialise the UNION ALL BY NAME of several sql/<name>.sql files as one temp table.

    categories: column -> its only possible values (ids from the catalogue, never user input); such a column is
    stored as an ENUM, so grouping millions of rows by it hashes a byte instead of a string.
    blank: column -> SQL type of columns no later query reads; they are stored as NULLs of that type, so
    DuckDB neither computes nor copies them (team lists are the costly ones).
    """
    if table not in STAGED_TABLES:
        raise ValueError(f"{table!r} is not a staged metrics table")
    texts = [sql_text(name) for name in names]
    body = "\nUNION ALL BY NAME\n".join(f"(\n{text}\n)" for text in texts)
    replaced = [
        f"{column}::ENUM({', '.join(_quoted(value) for value in values)}) AS {column}"
        for column, values in (categories or {}).items()
    ] + [f"NULL::{_quoted_type(sql_type)} AS {column}" for column, sql_type in (blank or {}).items()]
    if replaced:
        body = f"SELECT * REPLACE ({', '.join(replaced)}) FROM (\n{body}\n)"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {body}", _bound("\n".join(texts), params))


def _quoted_type(sql_type: str) -> str:
    if sql_type not in ("VARCHAR", "VARCHAR[]", "TIMESTAMP"):
        raise ValueError(f"{sql_type!r} is not a column type of a staged table")
    return sql_type


def _quoted(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9_]+", value):
        raise ValueError(f"{value!r} is not a catalogue id")
    return f"'{value}'"
