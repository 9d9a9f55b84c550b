"""The scorecard's sparklines are exactly metrics.trend's weekly values, from one selection's aggregates."""

from datetime import date

import pytest

from flowgauge import metrics
from flowgauge.snapshot import open_snapshot
from flowgauge.ui.sparklines import weekly_series


@pytest.mark.parametrize(
    ("start", "end"),
    [(date(2026, 4, 1), date(2026, 7, 1)), (date(2026, 2, 4), date(2026, 2, 20))],  # partial first and last weeks
)
def test_sparklines_equal_metrics_trend_for_every_metric(app_data_dir, start, end):
    con = open_snapshot(app_data_dir / "demo.duckdb")
    try:
        filters = metrics.Filters(start, end)
        ids = list(metrics.METRICS)
        together = weekly_series(metrics.aggregate_selection(con, filters, groupings=("week",)), ids, "p75")
        for metric_id in ids:
            one = metrics.trend(
                con, metric_id, filters, statistic="p75" if metrics.METRICS[metric_id].takes_statistic else None
            )
            assert together[metric_id] == pytest.approx(one.column("value").to_pylist(), nan_ok=True), metric_id
        assert any(value is not None for value in together["cycle_time"])
    finally:
        con.close()
