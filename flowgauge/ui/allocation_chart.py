"""The Allocation page's chart: one team's months as stacked bars of 100 %, one colour per kind of work."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import plotly.graph_objects as go

from flowgauge.allocation import CATEGORY_NAMES, Share
from flowgauge.report.svg import CATEGORY_COLOURS
from flowgauge.ui.charts import style
from flowgauge.ui.text import chart_text


def monthly_bars(title: str, months: Sequence[date], by_month: Mapping[date, Sequence[Share]], unit: str) -> go.Figure:
    """Each month's share of every category (unclassified included) of unit, stacked to 100 %; months without any
    counted item are left empty."""
    labels = [month.strftime("%b %Y") for month in months]
    figure = go.Figure()
    for category, name in CATEGORY_NAMES.items():
        parts = [{share.category: share for share in by_month.get(month, ())}.get(category) for month in months]
        figure.add_bar(
            x=labels,
            y=[part.percent if part else None for part in parts],
            customdata=[part.value if part else None for part in parts],
            name=name,
            marker={"color": CATEGORY_COLOURS[category]},
            hovertemplate=f"%{{x}}<br>{name}: %{{y:.0f}} % (%{{customdata:,.1f}} {unit})<extra></extra>",
        )
    figure.update_yaxes(title_text=f"% of {unit}", range=[0, 100])
    style(figure, height=340, title=chart_text(title))
    # Below the bars, in stacking order: above them, in a half-width column, six entries took a line each.
    figure.update_layout(
        barmode="stack",
        legend={"orientation": "h", "yanchor": "top", "y": -0.25, "x": 0, "traceorder": "normal", "font_size": 11},
        margin={"b": 90},
    )
    return figure
