"""Developer experience: survey scores over time by team and question, next to the "how unblocked" signals."""

from dataclasses import replace

import streamlit as st

from flowgauge.ui import cached, charts, downloads, organisation, previous_window
from flowgauge.ui.empty_states import describe, show_empty
from flowgauge.ui.frame import page_context
from flowgauge.ui.scorecard import metric_card

UNBLOCKED = ("waiting_for_review_rate", "stale_open_prs", "review_load")
MAX_TEAM_LINES = 8
context = page_context()
view = context.view
st.title("Developer experience")
st.caption(describe(view))

now, before = previous_window.results_and_previous(context.identity, view.filters(), view.statistic)
survey = now["survey_score"]

left, right = st.columns([3, 2])
with left:
    st.subheader("Survey scores")
    if survey.value is None:
        show_empty("survey answers", survey.empty_reason, view, "survey_responses")
    else:
        teams = view.teams or tuple(context.choices.teams)
        if len(teams) > MAX_TEAM_LINES:  # hundreds of lines read as noise: show the organisation instead
            st.caption(f"{len(teams)} teams: showing the organisation; choose up to {MAX_TEAM_LINES} teams to compare.")
            teams = ()
        selections = [(context.choices.teams.get(team, team), replace(view.filters(), teams=(team,))) for team in teams]
        series = [
            (name, trend)
            for name, filters in selections or [("Organisation", view.filters())]
            for trend in [cached.trend(context.identity, "survey_score", filters, None, "month")]
            if any(value is not None for value in trend.column("value").to_pylist())
        ]
        marks = organisation.marks(context.identity, "survey_score", context.choices.teams, view.teams, "mean")
        downloads.chart(
            charts.trend_lines(series, survey.unit, statistic=survey.statistic, marks=marks), "survey-by-team"
        )
        st.caption(f"Mean score per month by team, as {survey.unit} (months without a survey round are gaps).")
        questions = cached.breakdown(context.identity, "survey_score", view.filters(), None, "question")
        downloads.chart(
            charts.grouped_bars(
                questions.column("key").to_pylist(), [("Score", questions.column("value").to_pylist())], survey.unit
            ),
            "survey-by-question",
        )
        downloads.table(
            questions.rename_columns(["question", f"score ({survey.unit})", "answers"]), "survey-by-question"
        )
with right:
    st.subheader("How unblocked")
    for metric_id in UNBLOCKED:
        trend = cached.trend(context.identity, metric_id, view.filters(), None, "week")
        metric_card(
            now[metric_id],
            (before or {}).get(metric_id),
            context.benchmark_set,
            trend.column("value").to_pylist(),
            previous_label=f"previous {view.days} days",
        )

if before is None:
    previous_window.measuring_note(context.identity, view.filters(), view.days)
