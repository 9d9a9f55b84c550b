"""The Overview's cycle-time breakdown as one stacked bar in SVG, drawn on the server.

The Overview is the page every link and every new tab opens first. A Plotly chart there makes the browser load and
run plotly.js before the page is drawn: about 1.1 s of a new tab's 2.2 s on the demo snapshot (bench/README.md),
for one bar of four numbers. This drawing shows the same bar, values and tiers as an image (each phase's value and
tier written out, so no hover is needed); the interactive Plotly version is still one click away as the chart's
HTML download (charts.cycle_breakdown).
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from flowgauge.metrics.benchmark_sets import Tier
from flowgauge.ui.charts import PALETTE, PHASE_COLOURS, format_value

Phase = tuple[str, str, float | None, Tier | None]  # metric id, name, hours, tier (None: no benchmark)

# Pixels at the drawing's natural size, which the page shows it at (scaled down only in a narrower column): the
# legend's text keeps the size of the page's own small text instead of growing and shrinking with the window.
WIDTH, _BAR_HEIGHT, _LEGEND_TOP, _LINE, _HEIGHT = 760, 32, 50, 18, 90
_FONT = 'font-family="Source Sans Pro, sans-serif" font-size="14"'
_LABEL_CHARS = 26  # a legend column is a quarter of the width: longer (user-named) tiers are cut with an ellipsis
_INSIDE_LABEL_WIDTH = 60  # narrower segments carry no value inside; the legend always has it


def phase_text(hours: float | None, tier: Tier | None) -> str:
    """A phase's value and tier as written under the bar: '12.0 h · Elite', '– · no benchmark'."""
    return f"{format_value(hours, 'hours')} · {tier.name if tier else 'no benchmark'}"


def breakdown_alt(phases: Sequence[Phase], statistic: str) -> str:
    """What the drawing shows, as text for screen readers (and tests)."""
    described = "; ".join(f"{name} {phase_text(hours, tier)}" for _, name, hours, tier in phases)
    return f"Cycle time breakdown, {statistic} hours of each phase: {described}"


def breakdown_svg(phases: Sequence[Phase]) -> str:
    """One horizontal bar split into the phases in proportion to their hours, with a legend of value and tier.

    A phase without a value takes no width and its legend says '–'; with no value at all the bar is an empty outline.
    Names and tiers are escaped: tier names can come from a user's own benchmark file.
    """
    total = sum(hours for _, _, hours, _ in phases if hours and hours > 0)
    shapes = [f'<rect x="0.5" y="0.5" width="{WIDTH - 1}" height="{_BAR_HEIGHT - 1}" fill="none" stroke="#d0d0d0"/>']
    left = 0.0
    for metric_id, _, hours, _ in phases:
        colour = PHASE_COLOURS.get(metric_id, PALETTE[0])
        width = (hours / total * WIDTH) if total and hours and hours > 0 else 0.0
        if width:
            shapes.append(
                f'<rect x="{left:.1f}" y="0" width="{width:.1f}" height="{_BAR_HEIGHT}" fill="{colour}" '
                'stroke="white" stroke-width="2"/>'
            )
        if width >= _INSIDE_LABEL_WIDTH:
            shapes.append(
                f'<text x="{left + width / 2:.1f}" y="{_BAR_HEIGHT / 2 + 5:.1f}" text-anchor="middle" fill="white" '
                f"{_FONT}>{escape(format_value(hours, 'hours'))}</text>"
            )
        left += width
    column = WIDTH / max(len(phases), 1)
    for index, (metric_id, name, hours, tier) in enumerate(phases):
        x = index * column
        colour = PHASE_COLOURS.get(metric_id, PALETTE[0])
        shapes += [
            f'<rect x="{x:.1f}" y="{_LEGEND_TOP}" width="12" height="12" fill="{colour}"/>',
            f'<text x="{x + 18:.1f}" y="{_LEGEND_TOP + 11}" font-weight="600" {_FONT}>{_short(name)}</text>',
            f'<text x="{x + 18:.1f}" y="{_LEGEND_TOP + 11 + _LINE}" fill="#444" {_FONT}>'
            f"{_short(phase_text(hours, tier))}</text>",
        ]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_HEIGHT}" width="{WIDTH}" '
        f'height="{_HEIGHT}">{"".join(shapes)}</svg>'
    )


def _short(text: str) -> str:
    cut = text if len(text) <= _LABEL_CHARS else text[: _LABEL_CHARS - 1] + "…"
    return escape(cut)
