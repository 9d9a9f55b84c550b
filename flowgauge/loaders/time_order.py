"""Keeping a snapshot's large tables in time order, so a window's reads touch only the row groups near it.

DuckDB stores a table in row groups of about 122,880 rows, each with the minimum and maximum of every column, and a
query reads a row group's values once per column it needs. A load writes rows in the order its source gives them:
a GitHub load one repository after another, each from its first PR to its last; git logs newest first. A 91-day
window's PRs are then spread over every row group, and staging a window's facts reads every row of the child tables
(reviews, deployment links, line ages) to find them. Stored in time order, with children beside their parent's
time, the same window reads a few row groups; at a million PRs that staged a window's facts with 17% less CPU
(bench/README.md, session 14; bench/time_order.py).

Each write checks the tables it wrote (every table, after resuming an interrupted load, or when asked, as
`flowgauge upgrade` does): a table with more than one row group whose misplaced rows (in row groups reaching back
more than a week before the newest row stored ahead of them) are at least a tenth of it is written again in order.
Appending a sync's new rows keeps a table in order, so only first loads, backfills and older snapshots pay for it.
The rewrite goes to a fresh file, every table copied (with its primary key), so the snapshot does not keep the
space the old order took; the write publishes that file instead of its work copy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

import duckdb

from flowgauge.snapshot import schema_sql
from flowgauge.sql_names import quoted

# DuckDB's row group size: a table of one row group has nothing a window could skip.
ROW_GROUP_ROWS = 122_880
# A row stored this much before the newest row ahead of it is misplaced: the week leaves room for the stragglers of
# an incremental sync (a PR reopened, a review of an older PR) without calling the table out of order.
MISPLACED_AFTER = timedelta(days=7)
# The share of misplaced rows that makes rewriting the table worth it (a whole-file rewrite: 73 s at a million PRs).
REORDER_SHARE = 0.1

# Every row is placed by a time that never changes: DuckDB updates an upserted row where it is stored, so a PR
# placed by its close or its latest change would stay where it was when it changed. A PR is placed by its opening, the
# order a sync meets new PRs in; a window's facts select PRs open at some moment in it, so by when they opened first.
_PR_TIME = "{p}.created_at"


@dataclass(frozen=True)
class TimeOrder:
    """How one table is ordered: its rows' time (SQL over the table as x, and the join that brings a parent's time
    in), and the columns that order rows of the same time, so a PR's reviews stay together."""

    table: str
    time_sql: str
    then_by: tuple[str, ...]
    join_sql: str = ""


TIME_ORDERS = (
    TimeOrder("pull_requests", _PR_TIME.format(p="x"), ("pr_id",)),
    TimeOrder(
        "pr_reviews", _PR_TIME.format(p="p"), ("pr_id", "review_id"), "LEFT JOIN pull_requests p ON p.pr_id = x.pr_id"
    ),
    TimeOrder("pr_commits", _PR_TIME.format(p="p"), ("pr_id", "sha"), "LEFT JOIN pull_requests p ON p.pr_id = x.pr_id"),
    TimeOrder("commits", "x.authored_at", ("repo_id", "sha")),
    TimeOrder(
        "commit_line_ages",
        "m.authored_at",
        ("repo_id", "sha"),
        "LEFT JOIN commits m ON m.repo_id = x.repo_id AND m.sha = x.sha",
    ),
    TimeOrder("deployments", "x.started_at", ("deployment_id",)),
    TimeOrder(
        "deployment_pull_requests",
        "d.started_at",
        ("deployment_id", "pr_id"),
        "LEFT JOIN deployments d ON d.deployment_id = x.deployment_id",
    ),
    TimeOrder(
        "deployment_commits",
        "d.started_at",
        ("deployment_id", "sha"),
        "LEFT JOIN deployments d ON d.deployment_id = x.deployment_id",
    ),
)
_BY_TABLE = {order.table: order for order in TIME_ORDERS}


@dataclass(frozen=True)
class Placement:
    """How far one table is from time order: its rows, and those in row groups reaching back before rows ahead."""

    table: str
    rows: int
    misplaced: int

    @property
    def worth_reordering(self) -> bool:
        return self.rows > ROW_GROUP_ROWS and self.misplaced >= REORDER_SHARE * self.rows


def placement(con: duckdb.DuckDBPyConnection, table: str) -> Placement:
    """Measure one time-ordered table of the connection's current database, by row group (rowid // ROW_GROUP_ROWS:
    the groups a table written in one go is stored in), each group's time range against the newest time ahead of it."""
    order = _BY_TABLE[table]
    rows, misplaced = con.execute(
        f"""
        SELECT coalesce(sum(n), 0), coalesce(sum(n) FILTER (WHERE oldest < newest_ahead - ?), 0)
        FROM (
            SELECT n, oldest, max(newest) OVER (ORDER BY row_group ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                AS newest_ahead
            FROM (
                SELECT x.rowid // {ROW_GROUP_ROWS:d} AS row_group, count(*) AS n,
                    min({order.time_sql}) AS oldest, max({order.time_sql}) AS newest
                FROM {quoted(table)} x {order.join_sql}
                GROUP BY row_group
            )
        )
        """,
        [MISPLACED_AFTER],
    ).fetchall()[0]
    return Placement(table, int(rows), int(misplaced))


def tables_to_reorder(con: duckdb.DuckDBPyConnection, written: Iterable[str] | None) -> list[str]:
    """The time-ordered tables among written (every one when None) that are worth writing again in order."""
    wanted = None if written is None else set(written)
    names = [order.table for order in TIME_ORDERS if wanted is None or order.table in wanted]
    return [name for name in names if placement(con, name).worth_reordering]


def copy_in_time_order(con: duckdb.DuckDBPyConnection, destination: str, reorder: Iterable[str]) -> None:
    """Copy every table of con's current database into a new snapshot file at destination, the tables in reorder in
    time order (each with the same rows), the others as they are; the file is complete and checkpointed on return.
    The caller removes destination if this raises."""
    source = con.execute("SELECT current_database()").fetchall()[0][0]
    tables = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY table_name"
    ).fetchall()
    reorder = set(reorder)
    con.execute(f"ATTACH {_literal(destination)} AS fg_in_time_order (TYPE duckdb)")
    try:
        con.execute("USE fg_in_time_order")
        try:
            con.execute(schema_sql())  # the same tables, primary keys and all, as this version writes them
        finally:
            con.execute(f"USE {quoted(source)}")
        known = {
            row[0]
            for row in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = 'fg_in_time_order'"
            ).fetchall()
        }
        for (table,) in tables:
            if table in known:
                con.execute(f"INSERT INTO fg_in_time_order.{quoted(table)} BY NAME {_select(table, table in reorder)}")
            else:  # a table the schema does not name (a snapshot can come from anyone): kept as it is
                con.execute(f"CREATE TABLE fg_in_time_order.{quoted(table)} AS SELECT * FROM {quoted(table)}")
        con.execute("CHECKPOINT fg_in_time_order")
    finally:
        con.execute("DETACH fg_in_time_order")


def _select(table: str, in_order: bool) -> str:
    if not in_order:
        return f"SELECT * FROM {quoted(table)}"
    order = _BY_TABLE[table]
    then_by = ", ".join(f"x.{quoted(column)}" for column in order.then_by)
    return f"SELECT x.* FROM {quoted(table)} x {order.join_sql} ORDER BY {order.time_sql} NULLS LAST, {then_by}"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
