"""Sparkline values for the scorecard: metrics.trend's weekly values for many metrics from one staged aggregate.

metrics.trend stages the per-item rows once per metric; a scorecard of ~30 metrics would stage them ~30 times.
This asks the engine for every metric's weekly aggregate rows at once and turns each row into a value with the
engine's own metric_value, the same steps trend takes (tests/test_app_sparklines.py holds the two equal).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import duckdb

from flowgauge.metrics import METRICS, Filters, LinkingRules
from flowgauge.metrics.engine import metric_value, resolve_statistics, staged_aggregate


def weekly_trends(
    con: duckdb.DuckDBPyConnection,
    metric_ids: Sequence[str],
    filters: Filters,
    rules: LinkingRules,
    statistic: str | None,
) -> dict[str, list[float | None]]:
    """Each metric's value per calendar week (Monday start) overlapping the selection, oldest first."""
    if not metric_ids:
        return {}
    chosen = resolve_statistics(metric_ids, statistic)
    wanted = list(dict.fromkeys([*metric_ids, "merge_frequency"]))  # per-developer rates need the developer counts
    rows, _, _ = staged_aggregate(con, wanted, filters, rules, by="week")
    weeks = []
    current = filters.start - timedelta(days=filters.start.weekday())
    while current < filters.end:
        weeks.append((current, current + timedelta(days=7)))
        current += timedelta(days=7)
    trends = {}
    for metric_id in metric_ids:
        definition = METRICS[metric_id]
        row_id = "deploy_frequency" if definition.kind == "per_developer_rate" else metric_id
        has_any = any(key_id == metric_id for key_id, _ in rows)
        values = []
        for week_start, week_end in weeks:
            key = week_start.isoformat()
            inside_days = (min(week_end, filters.end) - max(week_start, filters.start)).days
            row = rows.get((row_id, key))
            if row is None and definition.kind == "rate" and has_any:
                row = {"num": 0.0, "n": 0}
            developers = (rows.get(("merge_frequency", key)) or {}).get("actors")
            values.append(metric_value(definition, row, chosen[metric_id], inside_days / 7, developers))
        trends[metric_id] = values
    return trends
