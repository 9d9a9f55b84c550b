"""Charts for the planning-meeting report as inline SVG written here: no script, no font or image to fetch, so the
file opens offline and prints as drawn (Plotly's static export needs kaleido and a browser at run time).

Every text drawn comes through escape(): team names, initiative names and units can come from a snapshot or a file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

# The allocation categories' colours (Okabe & Ito's colour-blind-safe palette, as every dashboard chart), the
# unclassified grey; the dashboard's Allocation page uses the same.
CATEGORY_COLOURS = {
    "new_features": "#0072B2",
    "improvements": "#009E73",
    "tech_debt": "#E69F00",
    "bugs": "#D55E00",
    "unplanned": "#CC79A7",
    "unclassified": "#999999",
}
_FONT = 'font-family="Helvetica, Arial, sans-serif"'
_LINE = "#4C78A8"
_MARKER = "#7F3C8D"
_GOAL = "#2E7D32"


@dataclass(frozen=True)
class Marker:
    """A vertical line on a trend at a day (an initiative's start), labelled."""

    day: date
    label: str


@dataclass(frozen=True)
class GoalLine:
    """A horizontal line on a trend at a target value, labelled."""

    value: float
    label: str


def _text(
    x: float, y: float, text: str, size: int = 11, anchor: str = "start", fill: str = "#333", extra: str = ""
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" {_FONT}{extra}>'
        f"{escape(text)}</text>"
    )


def _svg(width: int, height: int, body: Sequence[str], label: str) -> str:
    # role and aria-label: screen readers and tests read what the drawing shows.
    return (
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(label)}">{"".join(body)}</svg>'
    )


def _short(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def line_chart(
    title: str,
    points: Sequence[tuple[date, float | None]],
    format_value,
    markers: Sequence[Marker] = (),
    goals: Sequence[GoalLine] = (),
    width: int = 340,
    height: int = 170,
) -> str:
    """A trend: values per period as a line with dots (gaps where a period has none), the first and last period
    and the highest value written on the axes, initiatives as dashed verticals and goals as dashed horizontals."""
    left, right, top, bottom = 64, 10, 22, 24
    plot_w, plot_h = width - left - right, height - top - bottom
    known = [value for _, value in points if value is not None]
    scale_values = known + [goal.value for goal in goals]
    high = max(scale_values) if scale_values else 1.0
    high = high * 1.1 if high > 0 else 1.0
    days = [day for day, _ in points] + [marker.day for marker in markers]
    first, last = (min(days), max(days)) if days else (date.today(), date.today())
    span = max((last - first).days, 1)

    def x_of(day: date) -> float:
        return left + (day - first).days / span * plot_w

    def y_of(value: float) -> float:
        return top + plot_h - max(value, 0) / high * plot_h

    body = [
        _text(0, 13, _short(title, 52), size=12, extra=' font-weight="600"'),
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#999"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#999"/>',
        _text(left - 4, top + 8, format_value(high / 1.1), size=9, anchor="end"),
        _text(left - 4, top + plot_h, "0", size=9, anchor="end"),
    ]
    if points:
        body.append(_text(left, height - 6, points[0][0].strftime("%d %b %Y"), size=9))
        body.append(_text(left + plot_w, height - 6, points[-1][0].strftime("%d %b %Y"), size=9, anchor="end"))
    segment: list[str] = []
    for day, value in [*points, (None, None)]:
        if value is None:
            if len(segment) > 1:
                body.append(f'<polyline points="{" ".join(segment)}" fill="none" stroke="{_LINE}" stroke-width="2"/>')
            segment = []
            continue
        segment.append(f"{x_of(day):.1f},{y_of(value):.1f}")
        body.append(f'<circle cx="{x_of(day):.1f}" cy="{y_of(value):.1f}" r="2.5" fill="{_LINE}"/>')
    for goal in goals:
        y = y_of(goal.value)
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{_GOAL}" '
            'stroke-dasharray="5 3"/>'
        )
        body.append(_text(left + plot_w, y - 3, _short(goal.label, 40), size=9, anchor="end", fill=_GOAL))
    for index, marker in enumerate(markers):
        x = x_of(marker.day)
        body.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="{_MARKER}" '
            'stroke-dasharray="3 3"/>'
        )
        body.append(_text(x + 3, top + 9 + 11 * index, _short(marker.label, 28), size=9, fill=_MARKER))
    if not known:
        body.append(_text(left + plot_w / 2, top + plot_h / 2, "no value in this window", size=10, anchor="middle"))
    label = f"{title}: " + ", ".join(f"{day:%Y-%m-%d} {format_value(value)}" for day, value in points)
    return _svg(width, height, body, label)


def stacked_bars(
    title: str,
    bars: Sequence[tuple[str, Mapping[str, float | None]]],
    names: Mapping[str, str],
    width: int = 680,
    bar_height: int = 18,
) -> str:
    """Horizontal bars of 100 %, one per label, split into the categories' percentages in names' order, each part
    of 8 % or more written inside, with a legend above."""
    left, right, top = 150, 10, 44
    plot_w = width - left - right
    height = top + len(bars) * (bar_height + 8) + 4
    body = [_text(0, 13, _short(title, 90), size=12, extra=' font-weight="600"')]
    legend_x = 0.0
    for category, name in names.items():
        body.append(f'<rect x="{legend_x:.1f}" y="22" width="10" height="10" fill="{CATEGORY_COLOURS[category]}"/>')
        body.append(_text(legend_x + 14, 31, name, size=10))
        legend_x += 18 + 6.2 * len(name)
    for row, (label, percents) in enumerate(bars):
        y = top + row * (bar_height + 8)
        body.append(_text(left - 6, y + bar_height - 5, _short(label, 24), size=10, anchor="end"))
        x = float(left)
        for category in names:
            percent = percents.get(category) or 0.0
            part = percent / 100 * plot_w
            if part <= 0:
                continue
            body.append(
                f'<rect x="{x:.1f}" y="{y}" width="{part:.1f}" height="{bar_height}" '
                f'fill="{CATEGORY_COLOURS[category]}"/>'
            )
            if percent >= 8:
                body.append(
                    _text(x + part / 2, y + bar_height - 5, f"{percent:.0f}%", size=9, anchor="middle", fill="#fff")
                )
            x += part
        if not any(percents.values()):
            body.append(_text(left + 4, y + bar_height - 5, "nothing counted", size=9))
    described = "; ".join(
        f"{label}: " + ", ".join(f"{names[c]} {p:.0f}%" for c, p in percents.items() if p) for label, percents in bars
    )
    return _svg(width, height, body, f"{title}. {described}")
