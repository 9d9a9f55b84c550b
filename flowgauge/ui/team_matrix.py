"""Metrics x teams: each team's value of each metric (from metrics.breakdown) and its tier in a benchmark set."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pyarrow as pa

from flowgauge.metrics import METRICS, MetricResult, tier_of
from flowgauge.metrics.benchmark_sets import BenchmarkSet
from flowgauge.metrics.engine import resolve_statistics
from flowgauge.ui.charts import format_value


@dataclass(frozen=True)
class TeamMatrix:
    """values[metric_id][team_id] = (value, n); statistics[metric_id] = the statistic it was computed at."""

    metric_ids: tuple[str, ...]
    columns: tuple[str, ...]
    values: Mapping[str, Mapping[str, tuple[float | None, int]]]
    statistics: Mapping[str, str]
    hidden_teams: int = 0

    @property
    def metric_names(self) -> list[str]:
        """Display names of the rows."""
        return [METRICS[metric_id].name for metric_id in self.metric_ids]

    def result(self, metric_id: str, team: str) -> MetricResult:
        """One cell as a MetricResult, so the metrics module's like-for-like tiering applies to it."""
        definition = METRICS[metric_id]
        value, n = self.values[metric_id].get(team, (None, 0))
        return MetricResult(
            metric_id, definition.name, definition.unit, definition.direction, self.statistics[metric_id], value, n
        )

    def cells(self, benchmark_set: BenchmarkSet) -> list[list[tuple[str, str, int | None, int]]]:
        """(value text, tier name, tier rank, tier count) per metric row and team column."""
        rows = []
        for metric_id in self.metric_ids:
            row = []
            for team in self.columns:
                result = self.result(metric_id, team)
                scored = tier_of(result, benchmark_set)
                tiers = len(scored.band.tier_names) if scored.band else 4
                tier = scored.tier
                row.append(
                    (format_value(result.value, result.unit), tier.name if tier else "", tier and tier.rank, tiers)
                )
            rows.append(row)
        return rows

    def as_table(self, team_names: Mapping[str, str]) -> pa.Table:
        """One row per metric, one column per team (values in the metric's unit)."""
        return pa.Table.from_pylist(
            [
                {
                    "metric": METRICS[metric_id].name,
                    "unit": METRICS[metric_id].unit,
                    "statistic": self.statistics[metric_id],
                    **{
                        team_names.get(team, team): self.values[metric_id].get(team, (None, 0))[0]
                        for team in self.columns
                    },
                }
                for metric_id in self.metric_ids
            ]
        )


def build_team_matrix(breakdowns: Mapping[str, pa.Table], statistic: str, limit: int = 12) -> TeamMatrix:
    """Assemble breakdown tables (key = team id, value, n) per metric into a matrix; unattributed rows dropped.

    Only the limit teams with the most items are kept (a heatmap of hundreds of teams reads as noise);
    hidden_teams says how many were left out.
    """
    values: dict[str, dict[str, tuple[float | None, int]]] = {}
    teams: set[str] = set()
    for metric_id, table in breakdowns.items():
        cells = {}
        for row in table.to_pylist():
            if row["key"] is not None:
                cells[row["key"]] = (row["value"], row["n"])
                teams.add(row["key"])
        values[metric_id] = cells
    statistics = resolve_statistics(breakdowns, statistic)
    size = {team: sum(cells.get(team, (None, 0))[1] for cells in values.values()) for team in teams}
    kept = sorted(sorted(teams, key=lambda team: -size[team])[:limit])
    return TeamMatrix(tuple(breakdowns), tuple(kept), values, statistics, len(teams) - len(kept))
