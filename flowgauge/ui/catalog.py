"""What a snapshot offers to filter on: teams, repositories, services, environments and its last day with data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import duckdb

# Lookups for the filter lists only (no metric here); none takes a user value.
_TEAMS = "SELECT team_id, name FROM teams ORDER BY name, team_id"
_REPOS = "SELECT repo_id, name FROM repositories ORDER BY repo_id"
_SERVICES = "SELECT service_id, name FROM services ORDER BY service_id"
_ENVIRONMENTS = "SELECT DISTINCT environment FROM deployments ORDER BY environment"
_LAST_DAY = """
SELECT max(day) FROM (
    SELECT max(coalesce(merged_at, created_at)) AS day FROM pull_requests
    UNION ALL SELECT max(started_at) FROM deployments
    UNION ALL SELECT max(opened_at) FROM incidents
)
"""


@dataclass(frozen=True)
class Catalog:
    """Filterable ids mapped to display labels, and the last UTC day the snapshot has events for."""

    teams: dict[str, str]
    repos: dict[str, str]
    services: dict[str, str]
    environments: dict[str, str]
    last_day: date


def read_catalog(con: duckdb.DuckDBPyConnection) -> Catalog:
    """Read the filter lists from an open snapshot cursor."""
    teams = {team_id: name or team_id for team_id, name in con.execute(_TEAMS).fetchall()}
    repos = {repo_id: repo_id for repo_id, _ in con.execute(_REPOS).fetchall()}
    services = {service_id: f"{name} ({service_id})" for service_id, name in con.execute(_SERVICES).fetchall()}
    environments = {env: env for (env,) in con.execute(_ENVIRONMENTS).fetchall()}
    (last,) = con.execute(_LAST_DAY).fetchall()[0]
    last_day = last.date() if isinstance(last, datetime) else datetime.now(UTC).date()
    return Catalog(teams, repos, services, environments, last_day)
