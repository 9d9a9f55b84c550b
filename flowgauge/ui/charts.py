"""One look for every chart: the palette, colour-blind-safe tier colours (always with the tier's name) and figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import plotly.graph_objects as go
import pyarrow as pa

from flowgauge.metrics.benchmark_sets import Band, Tier
from flowgauge.ui.text import chart_text

# Okabe & Ito's palette, distinguishable with every common colour-vision deficiency.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
# Tiers run blue (best) to vermillion (worst): a blue-orange scale that reads without red-green vision.
TIER_COLOURS = ("#0072B2", "#56B4E9", "#E69F00", "#D55E00")
# st.badge has named colours only; the same blue-to-red order, and the tier name is always the label.
TIER_BADGES = ("blue", "violet", "orange", "red")
TIER_ICONS = (
    ":material/keyboard_double_arrow_up:",
    ":material/keyboard_arrow_up:",
    ":material/keyboard_arrow_down:",
    ":material/keyboard_double_arrow_down:",
)
NO_TIER_COLOUR = "#999999"
PHASES = ("coding_time", "pickup_time", "review_time", "deploy_time")
PHASE_COLOURS = dict(zip(PHASES, ("#0072B2", "#E69F00", "#009E73", "#CC79A7"), strict=True))
FONT = "Source Sans Pro, sans-serif"


def tier_colour(rank: int | None, tiers: int = 4) -> str:
    """Colour of a tier rank (0 = best) on the blue-orange scale, stretched to the number of tiers."""
    if rank is None:
        return NO_TIER_COLOUR
    index = round(rank * (len(TIER_COLOURS) - 1) / max(tiers - 1, 1))
    return TIER_COLOURS[min(index, len(TIER_COLOURS) - 1)]


def tier_badge(rank: int, tiers: int = 4) -> tuple[str, str]:
    """(st.badge colour, icon) of a tier rank: colour and an arrow icon, so neither colour nor shape is alone."""
    index = min(round(rank * (len(TIER_BADGES) - 1) / max(tiers - 1, 1)), len(TIER_BADGES) - 1)
    return TIER_BADGES[index], TIER_ICONS[index]


_UNIT_SUFFIX = {
    "hours": " h",
    "percent": " %",
    "percent of scale": " % of scale",
    "lines": " lines",
    "ratio": "",
    "PRs": " PRs",
    # Rates keep their full unit in labels and tooltips; the card shows the short form so the number fits.
    "deployments per week": " /wk",
    "deployments per developer per week": " /dev/wk",
    "PRs per developer per week": " /dev/wk",
    "reviews per reviewer per week": " /reviewer/wk",
}


def format_value(value: float | None, unit: str) -> str:
    """A value with its unit as people read it: '31.2 h', '4.5 %', '180 lines', '1.4 deployments per week'."""
    if value is None:
        return "–"
    if unit == "ratio":
        return f"{value:.2f}"
    digits = 0 if unit in ("lines", "PRs") or abs(value) >= 100 else 1
    number = f"{value:,.{digits}f}"
    return number + _UNIT_SUFFIX.get(unit, f" {unit}")


def unit_label(unit: str) -> str:
    """Axis label for a unit."""
    return {"hours": "hours", "percent": "%", "ratio": "ratio (0–1)"}.get(unit, unit)


def style(figure: go.Figure, *, height: int = 320, title: str | None = None) -> go.Figure:
    """Apply the shared layout: palette, font, compact margins, hover labels that show units."""
    figure.update_layout(
        colorway=PALETTE,
        font={"family": FONT, "size": 13},
        height=height,
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        title={"text": title} if title else None,
        hoverlabel={"font_size": 13},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        plot_bgcolor="white",
    )
    figure.update_xaxes(showgrid=False)
    figure.update_yaxes(gridcolor="#e5e5e5")
    return figure


def cycle_breakdown(phases: Sequence[tuple[str, str, float | None, Tier | None]], statistic: str) -> go.Figure:
    """One stacked horizontal bar of the cycle-time phases: (metric id, name, hours, tier) each."""
    figure = go.Figure()
    for metric_id, metric_name, hours, tier in phases:
        name, tier_text = chart_text(metric_name), chart_text(tier.name) if tier else "no benchmark"
        figure.add_bar(
            y=["Cycle time"],
            x=[hours or 0.0],
            name=f"{name} ({tier_text})",
            orientation="h",
            marker={"color": PHASE_COLOURS.get(metric_id, PALETTE[0]), "line": {"color": "white", "width": 2}},
            text=[f"{name}<br>{format_value(hours, 'hours')} · {tier_text}"],
            textposition="inside",
            textangle=0,
            insidetextanchor="middle",
            hovertemplate=f"{name}: %{{x:.1f}} hours ({statistic})<br>Tier: {tier_text}<extra></extra>",
        )
    figure.update_layout(
        barmode="stack", showlegend=True, legend_traceorder="normal", uniformtext={"minsize": 11, "mode": "hide"}
    )
    figure.update_xaxes(title_text=f"hours ({statistic} of each phase)")
    figure.update_yaxes(showticklabels=False)
    return style(figure, height=190)


def band_shapes(figure: go.Figure, band: Band | None, y_max: float) -> None:
    """Draw a band's tiers as horizontal stripes behind a chart's lines, each labelled with its tier name."""
    if band is None:
        return
    edges = [0.0, *band.thresholds, max(y_max, band.thresholds[-1] * 1.2 if band.thresholds else y_max)]
    names = band.tier_names if band.direction == "lower" else tuple(reversed(band.tier_names))
    ranks = range(len(names)) if band.direction == "lower" else reversed(range(len(names)))
    for (low, high), name, rank in zip(zip(edges, edges[1:], strict=False), names, ranks, strict=False):
        figure.add_hrect(
            y0=low,
            y1=high,
            fillcolor=tier_colour(rank, len(names)),
            opacity=0.12,
            line_width=0,
            layer="below",
            annotation_text=chart_text(name),
            annotation_position="top left",
            annotation_font={"size": 11, "color": "#444"},
        )


# Plotly's toolbar: the camera saves a PNG in the browser (no server-side renderer needed).
PLOTLY_CONFIG = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 2, "filename": "flowgauge-chart"},
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
}


def deployment_timeline(deployments: pa.Table, incidents: pa.Table) -> go.Figure:
    """Deployments per service over time (failed ones marked) with incidents on the same rows."""
    rows = deployments.to_pylist()
    figure = go.Figure()
    groups = (
        ("Deployment", lambda r: r["status"] == "success" and not r["incidents_linked"] and not r["followed_by_fix"],
         "circle", PALETTE[0], 7),
        ("Failed (status failure or error)", lambda r: r["status"] in ("failure", "error"), "x", TIER_COLOURS[3], 11),
        ("Caused an incident", lambda r: r["status"] == "success" and r["incidents_linked"], "diamond",
         TIER_COLOURS[2], 10),
        ("Followed by a hotfix or rollback", lambda r: r["status"] == "success" and not r["incidents_linked"]
         and r["followed_by_fix"], "triangle-up", PALETTE[3], 10),
    )  # fmt: skip
    for name, keep, symbol, colour, size in groups:
        chosen = [r for r in rows if keep(r)]
        if not chosen:
            continue
        figure.add_scatter(
            x=[r["started_at"] for r in chosen],
            y=[chart_text(r["service_id"] or r["repo_id"]) for r in chosen],
            mode="markers",
            name=name,
            marker={"symbol": symbol, "color": colour, "size": size, "line": {"width": 1, "color": "white"}},
            customdata=[
                [chart_text(r[key]) for key in ("deployment_id", "status", "deploy_kind", "environment")]
                for r in chosen
            ],
            hovertemplate="%{customdata[0]}<br>%{x|%Y-%m-%d %H:%M} UTC<br>status %{customdata[1]}, "
            "%{customdata[2]} deploy to %{customdata[3]}<extra>" + name + "</extra>",
        )
    opened = incidents.to_pylist()
    if opened:
        figure.add_scatter(
            x=[r["opened_at"] for r in opened],
            y=[chart_text(r["service_id"] or r["repo_id"] or "(no service)") for r in opened],
            mode="markers",
            name="Incident opened",
            marker={"symbol": "star", "color": "#000000", "size": 12},
            customdata=[
                [chart_text(r["incident_id"]), chart_text(r["severity"] or ""), r["hours_to_resolve"]] for r in opened
            ],
            hovertemplate="Incident %{customdata[0]} %{customdata[1]}<br>opened %{x|%Y-%m-%d %H:%M} UTC<br>"
            "resolved after %{customdata[2]:.1f} hours<extra></extra>",
        )
    figure.update_xaxes(title_text="UTC time")
    services = len({r["service_id"] or r["repo_id"] for r in rows})
    return style(figure, height=max(260, 60 + 28 * services))


def distribution(values: Sequence[float], name: str, unit: str, colour: str = PALETTE[0]) -> go.Figure:
    """A box with every point beside it: the spread, not only the average."""
    name = chart_text(name)
    figure = go.Figure(
        go.Box(
            x=list(values),
            name=name,
            boxpoints="all",
            jitter=0.4,
            pointpos=-1.8,
            marker={"color": colour, "size": 4, "opacity": 0.5},
            hovertemplate=f"%{{x:.1f}} {unit}<extra>{name}</extra>",
        )
    )
    figure.update_xaxes(title_text=unit_label(unit))
    figure.update_yaxes(showticklabels=False)
    return style(figure, height=200)


@dataclass(frozen=True)
class Marks:
    """What a trend chart marks besides its lines: initiatives as vertical lines at their start (UTC day, name) and
    goals as horizontal lines at their target (value, label)."""

    initiatives: tuple[tuple[date, str], ...] = ()
    goals: tuple[tuple[float, str], ...] = ()


def add_marks(figure: go.Figure, marks: Marks | None) -> None:
    """Draw the initiatives' starts as dotted vertical lines and the goals' targets as dashed horizontal ones, each
    labelled (names come from files: escaped)."""
    if marks is None:
        return
    for start, name in marks.initiatives:
        # add_vline's annotation needs a number on a date axis: the line and its label are drawn apart.
        line = {"color": "#555555", "width": 1.5, "dash": "dot"}
        figure.add_shape(type="line", x0=start, x1=start, y0=0, y1=1, yref="paper", line=line)
        label = {"size": 11, "color": "#333333"}
        figure.add_annotation(x=start, y=1, yref="paper", text=chart_text(name), showarrow=False, xanchor="left",
                              yanchor="top", font=label, bgcolor="rgba(255,255,255,0.7)")  # fmt: skip
    for target, label in marks.goals:
        figure.add_hline(
            y=target,
            line={"color": PALETTE[5], "width": 1.5, "dash": "dash"},
            annotation_text=chart_text(label),
            annotation_position="bottom right",
            annotation_font={"size": 11, "color": PALETTE[5]},
        )


def trend_lines(
    series: Sequence[tuple[str, pa.Table]],
    unit: str,
    band: Band | None = None,
    statistic: str = "",
    marks: Marks | None = None,
) -> go.Figure:
    """Lines of (name, trend table with period_start/value/n), the band's tiers drawn behind them, and initiatives
    and goals marked."""
    figure = go.Figure()
    peak = 0.0
    for index, (series_name, table) in enumerate(series):
        name = chart_text(series_name)
        values = table.column("value").to_pylist()
        peak = max([peak, *[value for value in values if value is not None]])
        figure.add_scatter(
            x=table.column("period_start").to_pylist(),
            y=values,
            name=name,
            mode="lines+markers",
            connectgaps=False,
            line={"color": PALETTE[index % len(PALETTE)], "width": 2},
            customdata=table.column("n").to_pylist(),
            hovertemplate=f"{name}<br>%{{x|%d %b %Y}}: %{{y:.1f}} {unit} {statistic}<br>%{{customdata}} items"
            "<extra></extra>",
        )
    band_shapes(figure, band, peak * 1.1 or 1.0)
    add_marks(figure, marks)
    figure.update_yaxes(title_text=unit_label(unit), rangemode="tozero")
    return style(figure, height=300)


def box_by_group(groups: Sequence[tuple[str, Sequence[float]]], unit: str) -> go.Figure:
    """One box per group with every point: distributions, not only averages."""
    figure = go.Figure()
    for index, (group, values) in enumerate(groups):
        name = chart_text(group)
        figure.add_box(
            y=list(values),
            name=name,
            boxpoints="outliers",
            marker={"color": PALETTE[index % len(PALETTE)], "size": 4},
            hovertemplate=f"%{{y:.1f}} {unit}<extra>{name}</extra>",
        )
    figure.update_yaxes(title_text=unit_label(unit), type="log")
    figure.update_layout(showlegend=False)
    return style(figure, height=340)


def tier_heatmap(rows: Sequence[str], columns: Sequence[str], cells: Sequence[Sequence[tuple]]) -> go.Figure:
    """Metrics x teams coloured by tier rank; cells are (value text, tier name or '', rank or None, tiers)."""
    colours = [[(-1 if cell[2] is None else cell[2] / max(cell[3] - 1, 1)) for cell in row] for row in cells]
    text = [
        [f"{chart_text(cell[0])}<br>{chart_text(cell[1])}" if cell[1] else chart_text(cell[0]) for cell in row]
        for row in cells
    ]
    scale = [[0.0, "#eeeeee"], [0.49, "#eeeeee"]] + [
        [0.5 + index / (2 * (len(TIER_COLOURS) - 1)), colour] for index, colour in enumerate(TIER_COLOURS)
    ]
    figure = go.Figure(
        go.Heatmap(
            z=[[(value + 1) / 2 if value >= 0 else 0 for value in row] for row in colours],
            x=[chart_text(column) for column in columns],
            y=[chart_text(row) for row in rows],
            text=text,
            texttemplate="%{text}",
            hovertemplate="%{y} · %{x}<br>%{text}<extra></extra>",
            colorscale=scale,
            zmin=0,
            zmax=1,
            showscale=False,
            xgap=3,
            ygap=3,
        )
    )
    figure.update_yaxes(autorange="reversed")
    figure.update_xaxes(side="top")
    return style(figure, height=70 + 48 * len(rows))


def grouped_bars(
    categories: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], unit: str
) -> go.Figure:
    """Bars per category, one colour per series (e.g. planning and capacity accuracy per sprint)."""
    figure = go.Figure()
    for index, (series_name, values) in enumerate(series):
        name = chart_text(series_name)
        figure.add_bar(
            x=[chart_text(category) for category in categories],
            y=list(values),
            name=name,
            marker={"color": PALETTE[index % len(PALETTE)]},
            hovertemplate=f"%{{x}}<br>{name}: %{{y:.1f}} {unit}<extra></extra>",
        )
    figure.update_layout(barmode="group")
    figure.update_yaxes(title_text=unit_label(unit))
    return style(figure, height=340)


def count_lines(series: Sequence[tuple[str, Sequence, Sequence]], unit: str, *, step: bool = True) -> go.Figure:
    """Lines of (name, xs, ys) series, e.g. team sizes per month or survey scores per round."""
    figure = go.Figure()
    for index, (series_name, xs, ys) in enumerate(series):
        name = chart_text(series_name)
        figure.add_scatter(
            x=list(xs),
            y=list(ys),
            name=name,
            mode="lines+markers",
            line={"color": PALETTE[index % len(PALETTE)], "width": 2, "shape": "hv" if step else "linear"},
            hovertemplate=f"{name}<br>%{{x|%d %b %Y}}: %{{y:.1f}} {unit}<extra></extra>",
        )
    figure.update_yaxes(title_text=unit_label(unit), rangemode="tozero")
    return style(figure, height=300)


def reference_band(figure: go.Figure, low: float, high: float, label: str) -> None:
    """Shade a horizontal range that is good (e.g. 70-95 % planning accuracy), labelled."""
    figure.add_hrect(
        y0=low,
        y1=high,
        fillcolor=TIER_COLOURS[0],
        opacity=0.08,
        line_width=0,
        layer="below",
        annotation_text=label,
        annotation_position="top left",
        annotation_font={"size": 11, "color": "#444"},
    )


def impact_intervals(rows: Sequence[tuple[str, float, float, float]], direction: str) -> go.Figure:
    """Each (label, change %, interval low, high) as a point on its 95% interval, against a line at no change; the
    side where the metric is better is named on the axis."""
    figure = go.Figure()
    for index, (label, estimate, low, high) in enumerate(rows):
        name = chart_text(label)
        figure.add_scatter(
            x=[estimate],
            y=[name],
            mode="markers",
            name=name,
            marker={"color": PALETTE[index % len(PALETTE)], "size": 11},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [high - estimate],
                "arrayminus": [estimate - low],
                "thickness": 2,
                "width": 6,
            },  # fmt: skip
            hovertemplate=f"{name}<br>change %{{x:+.1f}}% (95% CI {low:+.1f}% to {high:+.1f}%)<extra></extra>",
        )
    figure.add_vline(x=0, line={"color": "#333333", "width": 1})
    better = "lower is better ←" if direction == "lower" else "→ higher is better"
    figure.update_xaxes(title_text=f"change after vs before, % ({better})", zeroline=False)
    figure.update_layout(showlegend=False)
    return style(figure, height=80 + 40 * len(rows))
