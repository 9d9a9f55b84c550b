"""How fresh each synced source is: its last successful sync, its last run's error, and whether it is stale."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb


@dataclass(frozen=True)
class SourceFreshness:
    """One source's latest runs, as sync_runs recorded them (UTC times)."""

    name: str
    kind: str
    last_success_at: datetime | None
    last_run_at: datetime
    last_run_failed: bool
    last_error: str | None
    freshness_hours: float
    last_rows_written: int = 0

    def status(self, now: datetime) -> str:
        """'failed' when the last run failed, 'stale' when the data is older than its limit, else 'ok'."""
        if self.last_run_failed:
            return "failed"
        age = self.age_hours(now)
        return "stale" if age is not None and age > self.freshness_hours else "ok"

    def age_hours(self, now: datetime) -> float | None:
        """Hours since the last successful sync, or None when the source never synced."""
        return None if self.last_success_at is None else (now - self.last_success_at).total_seconds() / 3600

    def warning(self, now: datetime) -> str | None:
        """One line when the source's last run failed or its data is older than its limit, else None."""
        age = self.age_hours(now)
        data = "it has never synced" if age is None else f"its data is from {_when(self.last_success_at, age)}"
        if self.last_run_failed:
            return (
                f"Source “{self.name}” ({self.kind}) failed at {self.last_run_at:%Y-%m-%d %H:%M} UTC: "
                f"{self.last_error}; {data}."
            )
        if age is not None and age > self.freshness_hours:
            return f"Source “{self.name}” ({self.kind}) is stale: {data}, over its limit of {self.freshness_hours:g} h."
        return None


def _when(at: datetime | None, age_hours: float) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC ({age_hours:,.0f} h ago)"


def read_freshness(con: duckdb.DuckDBPyConnection) -> list[SourceFreshness]:
    """Every source `flowgauge sync` has run, by name; empty for a snapshot never synced."""
    rows = con.execute(
        "SELECT source_name, arg_max(source_kind, started_at), max(finished_at) FILTER (WHERE succeeded), "
        "max(finished_at), NOT arg_max(succeeded, started_at), arg_max(error, started_at), "
        "arg_max(freshness_hours, started_at), arg_max(rows_written, started_at) "
        "FROM sync_runs GROUP BY source_name ORDER BY source_name"
    ).fetchall()
    return [SourceFreshness(*row) for row in rows]
