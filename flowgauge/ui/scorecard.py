"""Scorecard cards: a metric's value, its tier against the chosen benchmark set, its trend and its change."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import streamlit as st

from flowgauge.metrics import NO_BENCHMARK, NO_PUBLISHED_BAND, MetricResult, tier_of
from flowgauge.metrics.benchmark_sets import BenchmarkSet
from flowgauge.ui.charts import PALETTE, format_value, tier_badge
from flowgauge.ui.sparklines import image_markdown, sparkline_svg
from flowgauge.ui.text import link, plain

# A scorecard card's width: two fit a row beside the sidebar on a 900-pixel-wide window (440 pixels of content),
# four on a 1,400-pixel one (940 pixels), six on a 1,920-pixel one.
CARD_WIDTH_PX = 210

FAMILY_TITLES = {
    "flow": "PR flow",
    "dora": "DORA",
    "code": "Code",
    "planning": "Planning",
    "hygiene": "PM hygiene",
    "devex": "Developer experience",
    "ai": "AI-assisted delivery",
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


def approximate_notes(result: MetricResult) -> list[str]:
    """How the value's items were measured approximately ('approximate: deployments inferred from merges'): its
    flags that say so, without their 'N of M:' counts, once each."""
    return list(dict.fromkeys(flag[flag.index("approximate:") :] for flag in result.flags if "approximate:" in flag))


def is_approximate(result: MetricResult) -> bool:
    """True when some of the value's items were measured approximately (a flag says 'approximate: ...')."""
    return bool(approximate_notes(result))


def approximate_mark(notes: Sequence[str]) -> str:
    """The visible line under a card or a cluster saying how it is approximate, not only in the tooltip: a manager
    reading 'on-demand' must see that the deployments were merges standing in for them."""
    return f":small[:orange[:material/warning: {plain('; '.join(notes))}]]"


def explain(result: MetricResult) -> str:
    """Tooltip text: definition, statistic, sample size, what was left out and how it was measured."""
    lines = [result.definition, "", f"Unit: {result.unit}. **{result.statistic}** over **{result.n_used:,}** items."]
    lines += [f"- {count:,} left out: {plain(reason)}" for count, reason in result.exclusions]
    lines += [f"- measured: {plain(flag)}" for flag in result.flags]
    return "\n".join(lines)


def benchmark_line(
    result: MetricResult, benchmark_set: BenchmarkSet, tiered: MetricResult | None = None, in_legend: bool = False
) -> tuple[str, str | None]:
    """Markdown for the card's last line, and its tooltip: the tier badge (Streamlit's badge directive) and the
    edition the band comes from, or why the value has no tier (or no value).

    tiered is the same metric at its band's statistic when that is not the one shown (a DORA median beside LinearB's
    P75 in Latest published): the tier is then that value's, and the line says so. in_legend: the scorecard's
    legend names the metrics no publication bands, so their cards say nothing about it.
    """
    if result.value is None:
        return f":small[:gray[No value: {plain(result.empty_reason or 'nothing measured')}.]]", None
    measured = tiered if tiered is not None else result
    scored = tier_of(measured, benchmark_set)
    if scored.band is None and scored.note == NO_PUBLISHED_BAND:
        return ("", None) if in_legend else (f":small[:gray[No published band ({plain(benchmark_set.name)}).]]", None)
    if scored.tier is None or scored.band is None:
        reason = NO_BENCHMARK if scored.band is None else scored.note
        return f":small[:gray[No tier: {plain(reason)} ({plain(benchmark_set.name)}).]]", None
    band = scored.band
    colour, icon = tier_badge(scored.tier.rank, len(band.tier_names))
    statistic = plain(band.statistic)
    if measured.statistic != result.statistic:
        statistic = f"at the {statistic}, {plain(format_value(measured.value, measured.unit))}"
    notes = [link(band.origin_name or benchmark_set.name, band.source_url), statistic]
    if band.confidence != "primary":
        notes.append(f"**{band.confidence} source**")
    if differs := benchmark_set.differs_from_headline(band):
        notes.append(f"{differs} than {plain(benchmark_set.headline or benchmark_set.name)}")
    return (
        f":{colour}-badge[{icon} {plain(scored.tier.name)}] :small[:gray[{' · '.join(notes)}]]",
        "Tiers, best first: " + " → ".join(plain(name) for name in band.tier_names),
    )


def unpublished_legend(results: Mapping[str, MetricResult], benchmark_set: BenchmarkSet) -> str | None:
    """The scorecard's one line naming the shown metrics that no publication bands, or None when there are none."""
    names = [
        result.name
        for metric_id, result in results.items()
        if metric_id in benchmark_set.unpublished and result.value is not None
    ]
    if not names:
        return None
    return (
        f"No published band: {', '.join(names)}. No LinearB or DORA edition publishes tiers for these, so "
        f"{plain(benchmark_set.name)} leaves them untiered rather than invent one."
    )


def metric_card(
    result: MetricResult,
    previous: MetricResult | None,
    benchmark_set: BenchmarkSet,
    trend: Sequence[float | None] | None = None,
    previous_label: str = "previous period",
    width: int | Literal["stretch"] = "stretch",
    tiered: MetricResult | None = None,
    in_legend: bool = False,
) -> None:
    """One bordered card: value with unit, change against the previous period, sparkline and tier badge.

    A card is three elements: the bordered container, the metric, and one Markdown element holding both the
    sparkline (an inline SVG image) and the benchmark line. The browser redraws every element of the page on each
    rerun, and the Overview has about 30 cards: five elements a card (columns, a separate image and caption) cost
    about a third more of the browser's time per filter change (bench/README.md, ninth session).
    """
    with st.container(border=True, width=width):
        change = None
        if result.value is not None and previous is not None and previous.value is not None:
            change = result.value - previous.value
        delta = None if change is None else signed(change, result.unit)
        st.metric(
            f"{result.name} (approximate)" if is_approximate(result) else result.name,
            format_value(result.value, result.unit),
            delta=delta,
            delta_color=change_colour(change, result.unit, result.direction),
            delta_description=f"vs {previous_label}" if delta else None,
            help=explain(result),
        )
        lines = []
        drawing = sparkline_svg(trend or (), PALETTE[0])
        if drawing is not None:
            weeks = sum(value is not None for value in trend or ())
            alt = f"{result.name} per week, oldest first ({weeks} weeks with a value)"
            lines.append(image_markdown(drawing, alt))
        text, tooltip = benchmark_line(result, benchmark_set, tiered, in_legend)
        if notes := approximate_notes(result):
            lines.append(approximate_mark(notes))
        st.markdown("\n\n".join(line for line in [*lines, text] if line), help=tooltip)


def scorecard(
    results: Mapping[str, MetricResult],
    previous: Mapping[str, MetricResult],
    benchmark_set: BenchmarkSet,
    families: Mapping[str, str],
    trends: Mapping[str, Sequence[float | None]] | None = None,
    previous_label: str = "previous period",
    tiered: Mapping[str, MetricResult] | None = None,
) -> list[MetricResult]:
    """Cards for every metric with a value, grouped by family, and the legend of those no publication bands;
    returns the metrics without a value. tiered: each metric at its band's statistic (scoring.tier_statistics)."""
    empty = [result for result in results.values() if result.value is None]
    for family, title in FAMILY_TITLES.items():
        shown = [r for metric_id, r in results.items() if families.get(metric_id) == family and r.value is not None]
        if not shown:
            continue
        st.subheader(title)
        # Cards of a fixed width that wrap (four a row on a laptop, more on a wide screen): one container, where
        # rows of columns took a block per row and per card.
        with st.container(horizontal=True, gap="small"):
            for result in shown:
                metric_card(
                    result,
                    previous.get(result.metric_id),
                    benchmark_set,
                    (trends or {}).get(result.metric_id),
                    previous_label,
                    width=CARD_WIDTH_PX,
                    tiered=(tiered or {}).get(result.metric_id),
                    in_legend=True,
                )
    if legend := unpublished_legend(results, benchmark_set):
        st.caption(legend)
    return empty
