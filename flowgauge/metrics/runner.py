"""Running the metric SQL files: the one place that knows DuckDB's result-to-Arrow call."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

import duckdb
import pyarrow as pa

from flowgauge.sql_names import quoted

_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
# Temp tables staged per call; names come from this list, never from users.
STAGED_TABLES = (
    "fg_bots",
    "fg_pr_facts",
    "fg_commit_facts",
    "fg_review_facts",
    "fg_work_item_facts",
    "fg_deploy_facts",
    "fg_sprint_item_facts",
    "fg_prs",
    "fg_deploys",
    "fg_incidents",
    "fg_deploy_outcomes",
)
# Table macros defined per call (name -> SQL file holding its CREATE TEMP MACRO); names fixed here, as above.
STAGED_MACROS = {"fg_selected_prs": "pr_selection"}


@cache
def sql_text(name: str) -> str:
    """Text of flowgauge/metrics/sql/<name>.sql, read once per process."""
    return resources.files("flowgauge.metrics").joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")


def _bound(text: str, params: dict[str, Any]) -> dict[str, Any]:
    # DuckDB refuses parameters a statement does not use, so pass only the ones the file names.
    return {key: params[key] for key in parameters_of(text) if key in params}


@cache
def parameters_of(text: str) -> frozenset[str]:
    """The $named parameters a statement reads (outside comments)."""
    return frozenset(_PARAMETER.findall(_without_comments(text)))


@cache
def _without_comments(text: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in text.splitlines())


def query(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pa.Table:
    """Run sql/<name>.sql with $named parameters bound and return the result as an Arrow table."""
    return query_text(con, sql_text(name), params)


def query_text(con: duckdb.DuckDBPyConnection, text: str, params: Mapping[str, Any]) -> pa.Table:
    """Run a statement the metrics package wrote (never user input) with the $named parameters it uses bound."""
    return con.sql(text, params=_bound(text, dict(params))).to_arrow_table()


def query_rows(con: duckdb.DuckDBPyConnection, text: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Like query_text, for a small result read row by row (aggregates): as dicts, through the DB-API call.

    con.sql plans a statement once to describe its relation and again to run it; execute plans it once. On the
    generated aggregations that is about a third less time per statement on a small snapshot (bench/README.md).
    """
    cursor = con.execute(text, _bound(text, dict(params)))
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def stage(con: duckdb.DuckDBPyConnection, table: str, name: str, **params: Any) -> None:
    """Materialise sql/<name>.sql as a connection-local temp table that later metric files read."""
    if table not in STAGED_TABLES:
        raise ValueError(f"{table!r} is not a staged metrics table")
    stage_as(con, f"TEMP TABLE {table}", name, params)


def define_macro(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Define a connection-local table macro (STAGED_MACROS) that later metric files call."""
    con.execute(sql_text(STAGED_MACROS[name]))


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
        cursor.execute(f"USE {quoted(database)}")
        yield cursor
    finally:
        cursor.close()
