"""Scorecard cards: a metric's value, its tier against the chosen benchmark set, its trend and its change."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from flowgauge.metrics import NO_BENCHMARK, MetricResult, tier_of
from flowgauge.metrics.benchmark_sets import BenchmarkSet
from flowgauge.ui.charts import PALETTE, format_value, tier_badge
from flowgauge.ui.sparklines import sparkline_svg
from flowgauge.ui.text import plain

FAMILY_TITLES = {
    "flow": "PR flow",
    "dora": "DORA",
    "code": "Code",
    "planning": "Planning",
    "hygiene": "PM hygiene",
    "devex": "Developer experience",
}


def signed(value: float, unit: str) -> str:
    """A change with its sign and unit ('+3.2 h', '-1.0 %'), as st.metric reads deltas."""
    return ("-" if value < 0 else "+") + format_value(abs(value), unit)


def change_colour(change: float | None, unit: str, direction: str) -> str:
    """st.metric's delta_color for a change: green when it moved the good way, red the bad way, grey when it rounds
    to nothing as shown ('+0.0 h' is no change, not a worsening)."""
    if change is not None and format_value(abs(change), unit) == format_value(0.0, unit):
        return "off"
    return "inverse" if direction == "lower" else "normal"


def explain(result: MetricResult) -> str:
    """Tooltip text: definition, statistic, sample size, what was left out and how it was measured."""
    lines = [result.definition, "", f"Unit: {result.unit}. **{result.statistic}** over **{result.n_used:,}** items."]
    lines += [f"- {count:,} left out: {reason}" for count, reason in result.exclusions]
    lines += [f"- measured: {flag}" for flag in result.flags]
    return "\n".join(lines)


def benchmark_caption(result: MetricResult, benchmark_set: BenchmarkSet) -> None:
    """The tier badge and where the benchmark comes from, or why this value is not placed in a tier.

    One line of Markdown holds both the badge (Streamlit's badge directive) and the source: every element of a card
    is redrawn in the browser on each rerun, and the Overview has about 30 cards.
    """
    scored = tier_of(result, benchmark_set)
    if scored.tier is None or scored.band is None:
        reason = NO_BENCHMARK if scored.band is None else scored.note
        st.caption(f"No tier: {plain(reason)} ({plain(benchmark_set.name)}).")
        return
    band = scored.band
    colour, icon = tier_badge(scored.tier.rank, len(band.tier_names))
    notes = [f"[{plain(benchmark_set.name)}]({band.source_url})", band.statistic]
    if band.confidence != "primary":
        notes.append(f"**{band.confidence} source**")
    st.markdown(
        f":{colour}-badge[{icon} {plain(scored.tier.name)}] :small[:gray[{' · '.join(notes)}]]",
        help="Tiers, best first: " + " → ".join(band.tier_names),
    )


def metric_card(
    result: MetricResult,
    previous: MetricResult | None,
    benchmark_set: BenchmarkSet,
    trend: Sequence[float | None] | None = None,
    previous_label: str = "previous period",
) -> None:
    """One bordered card: value with unit, change against the previous period, tier badge and sparkline."""
    with st.container(border=True):
        change = None
        if result.value is not None and previous is not None and previous.value is not None:
            change = result.value - previous.value
        delta = None if change is None else signed(change, result.unit)
        st.metric(
            result.name,
            format_value(result.value, result.unit),
            delta=delta,
            delta_color=change_colour(change, result.unit, result.direction),
            delta_description=f"vs {previous_label}" if delta else None,
            help=explain(result),
        )
        drawing = sparkline_svg(trend or (), PALETTE[0])
        if drawing is not None:
            weeks = sum(value is not None for value in trend or ())
            st.image(drawing, width="stretch", alt=f"{result.name} per week, oldest first ({weeks} weeks with a value)")
        if result.value is None:
            st.caption(f"No value: {plain(result.empty_reason or 'nothing measured')}.")
        else:
            benchmark_caption(result, benchmark_set)


def scorecard(
    results: Mapping[str, MetricResult],
    previous: Mapping[str, MetricResult],
    benchmark_set: BenchmarkSet,
    families: Mapping[str, str],
    trends: Mapping[str, Sequence[float | None]] | None = None,
    columns: int = 4,
    previous_label: str = "previous period",
) -> list[MetricResult]:
    """Cards for every metric with a value, grouped by family; returns the metrics without one."""
    empty = [result for result in results.values() if result.value is None]
    for family, title in FAMILY_TITLES.items():
        shown = [r for metric_id, r in results.items() if families.get(metric_id) == family and r.value is not None]
        if not shown:
            continue
        st.subheader(title)
        for row_start in range(0, len(shown), columns):
            for column, result in zip(st.columns(columns), shown[row_start : row_start + columns], strict=False):
                with column:
                    metric_card(
                        result,
                        previous.get(result.metric_id),
                        benchmark_set,
                        (trends or {}).get(result.metric_id),
                        previous_label,
                    )
    return empty
