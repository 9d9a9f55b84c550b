"""Cycle time & trends: each phase per week or month with the benchmark bands behind it, distributions, slowest PRs."""

import streamlit as st

from flowgauge.ui import cached, charts, downloads, organisation, tables
from flowgauge.ui.empty_states import describe, show_empty
from flowgauge.ui.frame import page_context
from flowgauge.ui.text import plain

PHASES = (*charts.PHASES, "cycle_time")
PHASE_COLUMNS = {
    "coding_time": "coding_hours",
    "pickup_time": "pickup_hours",
    "review_time": "review_hours",
    "deploy_time": "deploy_hours",
    "cycle_time": "cycle_hours",
}
context = page_context()
view = context.view
st.title("Cycle time & trends")
st.caption(f"{describe(view)} · {view.statistic}")

now = cached.results(context.identity, view.filters(), view.statistic)
if now["cycle_time"].value is None:
    show_empty("cycle times", now["cycle_time"].empty_reason, view, "pull_requests")
    st.stop()

grain = st.segmented_control("Period", ["week", "month"], default="week", key="cycle_grain") or "week"
st.subheader(f"Each phase per {grain}")
st.caption(
    f"The {view.statistic} of the PRs merged in each {grain}; shaded bands are "
    f"{plain(context.benchmark_set.name)}'s tiers where it benchmarks the phase at the same statistic; dotted "
    "lines mark initiatives' starts, dashed ones the goals of the chosen teams."
)
for row_start in range(0, len(PHASES), 2):
    for column, metric_id in zip(st.columns(2), PHASES[row_start : row_start + 2], strict=False):
        with column:
            result = now[metric_id]
            band = context.benchmark_set.band(metric_id)
            like_for_like = band if band is not None and band.statistic == view.statistic else None
            st.markdown(f"**{plain(result.name)}** · {charts.format_value(result.value, result.unit)} over the period")
            series = cached.trend(context.identity, metric_id, view.filters(), view.statistic, grain)
            marks = organisation.marks(context.identity, metric_id, context.choices.teams, view.teams, view.statistic)
            downloads.chart(
                charts.trend_lines([(result.name, series)], "hours", like_for_like, view.statistic, marks),
                f"{metric_id}-per-{grain}",
            )

st.subheader("Distributions")
prs = cached.pull_request_rows(context.identity, view.filters())
groups = [(now[metric_id].name, tables.values_where(prs, column)) for metric_id, column in PHASE_COLUMNS.items()]
downloads.chart(charts.box_by_group(groups, "hours"), "phase-distributions")
st.caption("Each box spans the middle half of the PRs (log scale); the line inside is the median.")

st.subheader("Slowest PRs of the period")
slow = tables.slowest(prs, "cycle_hours", 20).select(
    ["pr_id", "title", "repo_id", "cycle_hours", "coding_hours", "pickup_hours", "review_hours", "deploy_hours", "url"]
)
downloads.table(
    slow,
    "slowest-prs",
    column_config={
        "url": st.column_config.LinkColumn("link", display_text="open"),
        "cycle_hours": st.column_config.NumberColumn("cycle (h)", format="%.1f"),
        "coding_hours": st.column_config.NumberColumn("coding (h)", format="%.1f"),
        "pickup_hours": st.column_config.NumberColumn("pickup (h)", format="%.1f"),
        "review_hours": st.column_config.NumberColumn("review (h)", format="%.1f"),
        "deploy_hours": st.column_config.NumberColumn("deploy (h)", format="%.1f"),
    },
)
