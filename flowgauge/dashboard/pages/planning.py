"""Planning: planning and capacity accuracy per sprint, and the PM hygiene rates."""

import streamlit as st

from flowgauge.ui import cached, charts, downloads, previous_window, tables
from flowgauge.ui.empty_states import describe, show_empty, show_load_docs
from flowgauge.ui.frame import page_context
from flowgauge.ui.scorecard import metric_card
from flowgauge.ui.text import plain

HEADLINE = ("planning_accuracy", "capacity_accuracy")
HYGIENE = (
    "pm_prs_linked_to_issue",
    "pm_issues_linked_to_parent",
    "pm_in_progress_with_estimate",
    "pm_in_progress_with_assignee",
)
context = page_context()
view = context.view
st.title("Planning")
st.caption(describe(view))

now, before = previous_window.results_and_previous(context.identity, view.filters(), view.statistic)
previous_label = f"previous {view.days} days"

st.subheader("Sprints")
if now["planning_accuracy"].value is None:
    show_empty("sprint accuracy", now["planning_accuracy"].empty_reason, view, "sprints")
    show_load_docs("sprints")
else:
    for column, metric_id in zip(st.columns(len(HEADLINE)), HEADLINE, strict=True):
        with column:
            metric_card(
                now[metric_id], (before or {}).get(metric_id), context.benchmark_set, previous_label=previous_label
            )
    for flag in (flag for flag in now["planning_accuracy"].flags if "approximate:" in flag):
        st.warning(plain(flag[0].upper() + flag[1:]), icon=":material/warning:")
    sprints = cached.sprint_rows(context.identity, view.filters())
    per_sprint = tables.sprint_accuracy(
        sprints,
        cached.breakdown(context.identity, "planning_accuracy", view.filters(), None, "question"),
        cached.breakdown(context.identity, "capacity_accuracy", view.filters(), None, "question"),
    )
    labels = [f"{sprint} ({team})" for sprint, team in zip(*per_sprint.select(["sprint", "team"]).columns, strict=True)]
    figure = charts.grouped_bars(
        [str(label) for label in labels],
        [
            ("Planning accuracy", per_sprint.column("planning accuracy %").to_pylist()),
            ("Capacity accuracy", per_sprint.column("capacity accuracy %").to_pylist()),
        ],
        "percent",
    )
    charts.reference_band(figure, 70, 95, "70–95 %: committed about right")
    downloads.chart(figure, "sprint-accuracy")
    st.caption(
        "Planning accuracy: planned work completed ÷ planned work (work added mid-sprint left out). Below 70 % "
        "suggests over-commitment, above 95 % under-commitment. Capacity accuracy: all completed work ÷ planned."
    )
    downloads.table(per_sprint, "sprint-accuracy")

st.subheader("PM hygiene")
if all(now[metric_id].value is None for metric_id in HYGIENE):
    show_empty("PM hygiene rates", now["pm_issues_linked_to_parent"].empty_reason, view, "sprints")
else:
    for column, metric_id in zip(st.columns(len(HYGIENE)), HYGIENE, strict=True):
        with column:
            metric_card(
                now[metric_id], (before or {}).get(metric_id), context.benchmark_set, previous_label=previous_label
            )

if before is None:
    previous_window.measuring_note(context.identity, view.filters(), view.days)
