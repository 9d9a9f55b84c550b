"""Sparkline values for the scorecard: each metric's weekly values from one selection's aggregates.

metrics.trend stages the per-item rows once per metric; a scorecard of ~30 metrics would stage them ~30 times.
The aggregates of the selection already hold every metric per week (one staging, see
metrics.aggregate_selection), and metrics.period_values turns them into the same values trend returns
(tests/test_app_sparklines.py holds the two equal).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from flowgauge.metrics import SelectionAggregates, period_values, resolve_statistics
from flowgauge.ui.text import plain


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


# The drawing's own units; the image is scaled to its card's width.
_WIDTH, _HEIGHT, _PAD = 200, 36, 4


def sparkline_svg(values: Sequence[float | None], colour: str) -> str | None:
    """A trend line as a small SVG (None when fewer than two values are known).

    Streamlit's own metric sparkline is a Vega chart: the Overview's ~30 of them cost a tenth of a second of the
    browser's time on every rerun (bench/README.md), while an SVG image is drawn as cheaply as any picture.
    Each value keeps its week's place on the x axis; a week without items leaves a gap rather than joining its
    neighbours, and the latest known value is marked with a dot. Only numbers go into the drawing.
    """
    known = [value for value in values if value is not None]
    if len(known) < 2:
        return None
    low, high = min(known), max(known)
    span = high - low

    def point(index: int, value: float) -> tuple[float, float]:
        x = index * _WIDTH / (len(values) - 1)
        # A flat trend is drawn through the middle.
        y = _HEIGHT / 2 if span == 0 else _PAD + (high - value) / span * (_HEIGHT - 2 * _PAD)
        return round(x, 1), round(y, 1)

    runs: list[list[tuple[float, float]]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append(point(index, value))
    stroke = f'fill="none" stroke="{colour}" stroke-width="2" stroke-linejoin="round"'
    shapes = [f'<polyline {stroke} points="{" ".join(f"{x},{y}" for x, y in run)}"/>' for run in runs if len(run) > 1]
    # A week alone between gaps, and the latest week, are dots.
    dots = [run[0] for run in runs if len(run) == 1]
    last_index = max(index for index, value in enumerate(values) if value is not None)
    dots.append(point(last_index, values[last_index]))  # type: ignore[arg-type]
    shapes += [f'<circle cx="{x}" cy="{y}" r="2.5" fill="{colour}"/>' for x, y in dict.fromkeys(dots)]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {_HEIGHT}" width="{_WIDTH}" '
        f'height="{_HEIGHT}">{"".join(shapes)}</svg>'
    )


def image_markdown(svg: str, alt: str) -> str:
    """An SVG drawing as a Markdown image (inline data URL), so it can share one Markdown element with text."""
    encoded = base64.b64encode(svg.encode()).decode()
    return f"![{plain(alt)}](data:image/svg+xml;base64,{encoded})"
