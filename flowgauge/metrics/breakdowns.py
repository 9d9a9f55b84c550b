"""One metric split by period (trend), by team/repo/service/author/question (breakdown), or vs the previous window."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import duckdb
import pyarrow as pa

from flowgauge.metrics.catalogue import METRICS
from flowgauge.metrics.engine import MetricResult, compute, definition_of, resolve_statistics, staged_aggregate
from flowgauge.metrics.engine import metric_value as _metric_value
from flowgauge.metrics.filters import DEFAULT_RULES, Filters, LinkingRules

BREAKDOWN_BY = ("team", "repo", "service", "author", "question")


def _next_period(day: date, grain: str) -> date:
    if grain == "week":
        return day + timedelta(days=7)
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _periods(filters: Filters, grain: str) -> list[tuple[date, date]]:
    """Calendar weeks (Monday start) or months overlapping [start, end), each as its full [start, end)."""
    if grain == "week":
        current = filters.start - timedelta(days=filters.start.weekday())
    elif grain == "month":
        current = filters.start.replace(day=1)
    else:
        raise ValueError(f"grain must be week or month, not {grain!r}")
    periods = []
    while current < filters.end:
        periods.append((current, _next_period(current, grain)))
        current = periods[-1][1]
    return periods


def trend(
    con: duckdb.DuckDBPyConnection,
    metric_id: str,
    filters: Filters,
    rules: LinkingRules = DEFAULT_RULES,
    statistic: str | None = None,
    grain: str = "week",
) -> pa.Table:
    """The metric per calendar week or month of the window: columns period_start (date), value, n.

    Rates are divided by the days of each period inside the window, so a partial first week is not understated.
    """
    chosen = resolve_statistics([metric_id], statistic)[metric_id]
    rows, _, _ = staged_aggregate(con, _with_developers(metric_id), filters, rules, by=grain)
    return period_values(rows, metric_id, filters, chosen, grain)


def period_values(
    rows: Mapping[tuple[str, str | None], Mapping[str, Any]],
    metric_id: str,
    filters: Filters,
    statistic: str,
    grain: str = "week",
) -> pa.Table:
    """trend's table from aggregate rows keyed by (metric_id, period start), e.g. SelectionAggregates.by_group."""
    has_any = any(row_id == metric_id for row_id, _ in rows)
    periods = _periods(filters, grain)
    measured = [
        _key_value(
            rows,
            metric_id,
            period_start.isoformat(),
            statistic,
            (min(period_end, filters.end) - max(period_start, filters.start)).days / 7,
            # Deployments exist in the window, just none this period: a rate of 0, not no value.
            zero_rate_when_missing=has_any,
        )
        for period_start, period_end in periods
    ]
    return _table("period_start", pa.array([start for start, _ in periods], pa.date32()), measured)


def breakdown(
    con: duckdb.DuckDBPyConnection,
    metric_id: str,
    filters: Filters,
    rules: LinkingRules = DEFAULT_RULES,
    statistic: str | None = None,
    by: str = "team",
) -> pa.Table:
    """The metric per team (as of each event), repo, service, author or survey question: columns key, value, n.

    key is NULL for items with no team/repo/author; rows are sorted by key. Per-developer rates use the
    developers who merged a PR in that group.
    """
    if by not in BREAKDOWN_BY:
        raise ValueError(f"by must be one of {', '.join(BREAKDOWN_BY)}, not {by!r}")
    chosen = resolve_statistics([metric_id], statistic)[metric_id]
    rows, _, _ = staged_aggregate(con, _with_developers(metric_id), filters, rules, by=by)
    return group_values(rows, metric_id, filters, chosen)


def group_values(
    rows: Mapping[tuple[str, str | None], Mapping[str, Any]], metric_id: str, filters: Filters, statistic: str
) -> pa.Table:
    """breakdown's table from aggregate rows keyed by (metric_id, group key), e.g. SelectionAggregates.by_group."""
    keys = sorted({key for (row_id, key) in rows if row_id == _row_id(metric_id)}, key=lambda key: (key is None, key))
    measured = [_key_value(rows, metric_id, key, statistic, filters.days / 7) for key in keys]
    return _table("key", pa.array(keys, pa.string()), measured)


def _key_value(
    rows: Mapping[tuple[str, str | None], Mapping[str, Any]],
    metric_id: str,
    key: str | None,
    statistic: str,
    weeks: float,
    zero_rate_when_missing: bool = False,
) -> tuple[float | None, int]:
    """(value, items) of one metric for one period or group key; per-developer rates use that key's developers."""
    definition = definition_of(metric_id)
    row = rows.get((_row_id(metric_id), key))
    if row is None and definition.kind == "rate" and zero_rate_when_missing:
        row = {"num": 0.0, "n": 0}
    developers = (rows.get(("merge_frequency", key)) or {}).get("actors")
    return _metric_value(definition, row, statistic, weeks, developers), int(row["n"]) if row else 0


def _table(key_name: str, keys: pa.Array, measured: list[tuple[float | None, int]]) -> pa.Table:
    return pa.table(
        {
            key_name: keys,
            "value": pa.array([value for value, _ in measured], pa.float64()),
            "n": pa.array([count for _, count in measured], pa.int64()),
        }
    )


@dataclass(frozen=True)
class PeriodChange:
    """A metric now vs over the window of equal length just before."""

    metric_id: str
    current: MetricResult
    previous: MetricResult
    percent_change: float | None  # (current - previous) / previous x 100; None without both values or from 0
    better: bool | None  # True when the change moved the way the metric's direction prefers; None if unchanged
    days: int  # length of each window

    @property
    def summary(self) -> str:
        """A sentence such as 'Cycle time improved 23% vs the previous 90 days'."""
        days = self.days
        if self.percent_change is None:
            return f"{self.current.name}: no comparison with the previous {days} days"
        if self.better is None:
            return f"{self.current.name} unchanged vs the previous {days} days"
        verb = "improved" if self.better else "worsened"
        return f"{self.current.name} {verb} {abs(self.percent_change):.0f}% vs the previous {days} days"


def compare(current: MetricResult, previous: MetricResult, days: int) -> PeriodChange:
    """The change from previous to current, judged by the metric's direction."""
    percent = None
    better = None
    if current.value is not None and previous.value:
        percent = (current.value - previous.value) / abs(previous.value) * 100
        if percent != 0:
            better = (percent < 0) == (METRICS[current.metric_id].direction == "lower")
    return PeriodChange(current.metric_id, current, previous, percent, better, days)


def period_change(
    con: duckdb.DuckDBPyConnection,
    metric_id: str,
    filters: Filters,
    rules: LinkingRules = DEFAULT_RULES,
    statistic: str | None = None,
) -> PeriodChange:
    """The metric over the selection compared with the window of equal length just before it."""
    current = compute(con, metric_id, filters, rules, statistic)
    previous = compute(con, metric_id, filters.previous(), rules, statistic)
    return compare(current, previous, filters.days)


def _row_id(metric_id: str) -> str:
    """The aggregate row a metric reads (per-developer deployment rates read deploy_frequency's)."""
    return "deploy_frequency" if METRICS[metric_id].kind == "per_developer_rate" else metric_id


def _with_developers(metric_id: str) -> list[str]:
    kind = METRICS[metric_id].kind
    return [metric_id, "merge_frequency"] if kind == "per_developer_rate" else [metric_id]
