"""Sparkline values for the scorecard: each metric's weekly values from one selection's aggregates.

metrics.trend stages the per-item rows once per metric; a scorecard of ~30 metrics would stage them ~30 times.
The aggregates of the selection already hold every metric per week (one staging, see
metrics.aggregate_selection), and metrics.period_values turns them into the same values trend returns
(tests/test_app_sparklines.py holds the two equal).
"""

from __future__ import annotations

from collections.abc import Sequence

from flowgauge.metrics import SelectionAggregates, period_values, resolve_statistics


def weekly_series(
    aggregates: SelectionAggregates, metric_ids: Sequence[str], statistic: str | None
) -> dict[str, list[float | None]]:
    """Each metric's value per calendar week (Monday start) overlapping the selection, oldest first."""
    chosen = resolve_statistics(metric_ids, statistic)
    weekly = aggregates.by_group["week"]
    return {
        metric_id: period_values(weekly, metric_id, aggregates.filters, chosen[metric_id], "week")
        .column("value")
        .to_pylist()
        for metric_id in metric_ids
    }
