"""Overview: a scorecard of every metric with its tier and change, and the cycle-time breakdown."""

import streamlit as st

from flowgauge.metrics import METRICS, tier_of
from flowgauge.ui import cached, charts, downloads, impact_cards, organisation, previous_window
from flowgauge.ui.breakdown_bar import breakdown_alt, breakdown_svg
from flowgauge.ui.empty_states import describe, show_empty
from flowgauge.ui.frame import page_context
from flowgauge.ui.scorecard import scorecard
from flowgauge.ui.text import plain

context = page_context()
view = context.view
st.title("Overview")
st.caption(f"{describe(view)} · {view.statistic} · compared with {plain(context.benchmark_set.name)}")

now, before = previous_window.results_and_previous(context.identity, view.filters(), view.statistic)
tiered = cached.tiered_results(context.identity, view.filters(), view.statistic, context.benchmark_set)
with_value = tuple(metric_id for metric_id, result in now.items() if result.value is not None)
trends = cached.weekly_values(context.identity, view.filters(), view.statistic, with_value)

if all(result.value is None for result in now.values()):
    show_empty("metrics", now["cycle_time"].empty_reason, view, "pull_requests")
    st.stop()

st.subheader("Cycle time breakdown")
phases = [
    (metric_id, now[metric_id].name, now[metric_id].value, tier_of(now[metric_id], context.benchmark_set).tier)
    for metric_id in charts.PHASES
]
downloads.drawing(
    breakdown_svg(phases),
    breakdown_alt(phases, view.statistic),
    lambda: charts.cycle_breakdown(phases, view.statistic),
    "cycle-time-breakdown",
)
st.caption(
    f"Each phase is the {view.statistic} of its own PRs, so the phases need not add up to the cycle time's "
    f"{view.statistic} ({charts.format_value(now['cycle_time'].value, 'hours')})."
)

empty = scorecard(
    now,
    before or {},
    context.benchmark_set,
    {metric_id: definition.family for metric_id, definition in METRICS.items()},
    trends,
    previous_label=f"previous {view.days} days",
    tiered=tiered,
)
if before is None:
    previous_window.measuring_note(context.identity, view.filters(), view.days)
if empty:
    with st.expander(f"{len(empty)} metrics have no value in this selection"):
        for result in empty:
            st.markdown(f"- **{plain(result.name)}**: {plain(result.empty_reason)}")

initiatives, goals = organisation.in_view(context.identity, context.choices.teams, view.teams)
if initiatives or goals:
    st.subheader("Initiatives and goals")
    impact_cards.overview_panel(context.identity, initiatives, goals, context.choices.teams)
    st.caption("The Impact page shows each initiative's intervals and comparison group, and edits them.")
