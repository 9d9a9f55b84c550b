"""Row-level lists for the tables and timelines (PRs, deployments, incidents, sprints, team sizes).

PRs, deployments and incidents are read from the metrics engine's own staged tables, so every phase time and link
shown in a list is the one the metrics used; the SQL lives in flowgauge/ui/sql/<name>.sql.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

import duckdb
import pyarrow as pa

from flowgauge.metrics import Filters, LinkingRules
from flowgauge.metrics.engine import staged_tables

_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@cache
def _sql(name: str) -> str:
    return resources.files("flowgauge.ui").joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")


def _run(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]) -> pa.Table:
    text = _sql(name)
    code = "\n".join(line.split("--", 1)[0] for line in text.splitlines())
    # DuckDB refuses parameters a statement does not use, so bind only the ones the file names.
    used = {key: params[key] for key in set(_PARAMETER.findall(code))}
    return con.sql(text, params=used).to_arrow_table()


def _params(filters: Filters, rules: LinkingRules) -> dict[str, Any]:
    # The engine's staging files may read $by (its breakdown key); lists are never broken down.
    return {**filters.params(), **rules.params(), "by": "none"}


def pull_request_rows(con: duckdb.DuckDBPyConnection, filters: Filters, rules: LinkingRules) -> pa.Table:
    """Every PR of the selection with phase times (hours), size, title, branch and link, newest first."""
    with staged_tables(con, ["fg_prs"], filters, rules) as cursor:
        return _run(cursor, "pull_request_rows", _params(filters, rules))


def deployment_rows(con: duckdb.DuckDBPyConnection, filters: Filters, rules: LinkingRules) -> pa.Table:
    """Production deployments of the selection with status, linked incidents and hotfix follow-ups, newest first."""
    with staged_tables(con, ["fg_deploy_outcomes"], filters, rules) as cursor:
        return _run(cursor, "deployment_rows", _params(filters, rules))


def incident_rows(con: duckdb.DuckDBPyConnection, filters: Filters, rules: LinkingRules) -> pa.Table:
    """Incidents opened in the selection with the deployment they were linked to and the rule used."""
    with staged_tables(con, ["fg_incidents"], filters, rules) as cursor:
        return _run(cursor, "incident_rows", _params(filters, rules))


def team_sizes(con: duckdb.DuckDBPyConnection, filters: Filters) -> pa.Table:
    """Members per team on the first day of each month of the selection."""
    return _run(con, "team_sizes", filters.params())


def sprint_rows(con: duckdb.DuckDBPyConnection, filters: Filters) -> pa.Table:
    """Sprints ending in the selection, with team and dates."""
    return _run(con, "sprint_rows", filters.params())
