"""The scorecard's sparklines are exactly metrics.trend's weekly values, from one selection's aggregates."""

from datetime import date
from xml.etree import ElementTree

import pytest

from flowgauge import metrics
from flowgauge.snapshot import open_snapshot
from flowgauge.ui.sparklines import sparkline_svg, weekly_series


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


def _shapes(svg: str) -> tuple[list[list[tuple[float, float]]], list[tuple[float, float]]]:
    """The drawing's lines (their points) and dots, read back from the SVG text."""
    root = ElementTree.fromstring(svg)
    lines = [
        [tuple(float(number) for number in pair.split(",")) for pair in line.get("points").split()]
        for line in root.iter("{http://www.w3.org/2000/svg}polyline")
    ]
    dots = [(float(dot.get("cx")), float(dot.get("cy"))) for dot in root.iter("{http://www.w3.org/2000/svg}circle")]
    return lines, dots


def test_sparkline_keeps_each_week_in_place_and_breaks_at_weeks_without_items():
    lines, dots = _shapes(sparkline_svg([2.0, 4.0, None, 3.0, 1.0], "#0072B2"))
    # Five weeks across 200 units, a week every 50; values 1-4 spread from the bottom (y 32) to the top (y 4).
    assert lines == [[(0.0, 22.7), (50.0, 4.0)], [(150.0, 13.3), (200.0, 32.0)]]
    assert dots == [(200.0, 32.0)]  # the latest week


def test_sparkline_draws_weeks_alone_between_gaps_as_dots_and_a_flat_trend_through_the_middle():
    lines, dots = _shapes(sparkline_svg([1.0, None, 2.0, None, 3.0], "#0072B2"))
    assert lines == []
    assert dots == [(0.0, 32.0), (100.0, 18.0), (200.0, 4.0)]
    lines, dots = _shapes(sparkline_svg([5.0, 5.0, 5.0], "#0072B2"))
    assert lines == [[(0.0, 18.0), (100.0, 18.0), (200.0, 18.0)]]


def test_no_sparkline_without_two_known_weeks():
    assert sparkline_svg([], "#0072B2") is None
    assert sparkline_svg([None, 3.0, None], "#0072B2") is None
