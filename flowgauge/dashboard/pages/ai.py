"""AI-assisted delivery: where PRs' code came from over time by team, how agentic, AI-assisted and unassisted PRs
flow side by side with LinearB's 2026 figures, and the agents' PRs waiting longest for review."""

from dataclasses import replace
from datetime import datetime, time, timedelta

import streamlit as st

from flowgauge.metrics.reference_figures import figures_for
from flowgauge.rules.code_origin import SELECTABLE_ORIGINS
from flowgauge.ui import cached, charts, downloads, organisation
from flowgauge.ui.empty_states import describe, show_empty
from flowgauge.ui.frame import page_context
from flowgauge.ui.origin_comparison import (
    COMPARED,
    ORIGIN_LABELS,
    by_origin_table,
    not_narrowed_legend,
    reference_lines,
    waiting_longest,
)
from flowgauge.ui.text import plain

SHARES = ("agentic_pr_share", "ai_assisted_pr_share")
HEADLINE = (*SHARES, "acceptance_rate")
SHARE_MONTHS = 12  # origin shares are drawn over at least the year to the end of the selection
context = page_context()
view = context.view
filters = view.filters()
st.title("AI-assisted delivery")
st.caption(f"{describe(view)} · {view.statistic}")

now = cached.results(context.identity, filters, view.statistic)
if now["acceptance_rate"].value is None and now["agentic_pr_share"].value is None:
    show_empty("code origins", now["agentic_pr_share"].empty_reason, view, "pull_requests")
    st.stop()
for column, metric_id in zip(st.columns(len(HEADLINE)), HEADLINE, strict=True):
    result = now[metric_id]
    column.metric(plain(result.name), charts.format_value(result.value, result.unit), help=plain(result.definition))
    column.caption(f"{result.n_used:,} PRs" + "".join(f" · {n:,} {plain(why)}" for n, why in result.exclusions[:2]))

st.subheader("Code origin over time, by team")
longer = replace(filters, start=min(filters.start, filters.end - timedelta(days=30 * SHARE_MONTHS)))
st.caption(
    f"Share of the PRs merged each month, {longer.start} to {filters.end - timedelta(days=1)}: the selection, "
    f"widened to {SHARE_MONTHS} months so adoption shows. PRs of unknown origin are left out of each share."
)
teams = [team for team in (view.teams or tuple(context.choices.teams)) if team]
for column, metric_id in zip(st.columns(2), SHARES, strict=True):
    with column:
        st.markdown(f"**{plain(now[metric_id].name)}**")
        series = [
            (
                context.choices.teams.get(team, team),
                cached.trend(context.identity, metric_id, replace(longer, teams=(team,)), None, "month"),
            )
            for team in teams
        ] or [("All teams", cached.trend(context.identity, metric_id, longer, None, "month"))]
        # Initiatives meant to move adoption (and teams' goals for it) are marked like on every other trend.
        marks = organisation.marks(context.identity, metric_id, context.choices.teams, view.teams, view.statistic)
        downloads.chart(charts.trend_lines(series, "percent", marks=marks), f"{metric_id}-by-team")

st.subheader("How each origin flows")
by_origin = {
    origin: cached.results(context.identity, replace(filters, origins=(origin,)), view.statistic, COMPARED)
    for origin in SELECTABLE_ORIGINS
}


def value_of(metric_id: str, origins: tuple[str, ...]) -> float | None:
    chosen = replace(filters, origins=tuple(origins))
    return cached.results(context.identity, chosen, view.statistic, (metric_id,))[metric_id].value


downloads.table(
    by_origin_table(by_origin),
    "metrics-by-origin",
    column_config={label: st.column_config.NumberColumn(label, format="%.1f") for label in ORIGIN_LABELS.values()},
)
figures = [figure for metric_id in COMPARED for figure in figures_for(metric_id)]
for line in reference_lines(figures, value_of):
    st.markdown(f"- {plain(line)}")
st.caption(
    "Published figures are LinearB's 2026 benchmarks as secondary sources report them (its 'AI-generated' PRs "
    "are ours agentic and AI-assisted together); ours are this selection's, at the same statistic as the table. "
    "Rework and refactor rate count the commits of each origin's PRs (and coding agents' own commits), change "
    "failure rate the deployments that shipped at least one of its PRs, review load the reviews of its PRs."
)
st.caption(not_narrowed_legend())

st.subheader("Agentic PRs waiting longest for review")
agentic_rows = cached.pull_request_rows(context.identity, replace(filters, origins=("agentic",)))
waiting = waiting_longest(agentic_rows, datetime.combine(filters.end, time()))
if waiting.num_rows == 0:
    st.info("No agentic PR is open and waiting for its first review at the end of the selection.")
else:
    downloads.table(
        waiting.select(["pr_id", "title", "repo_id", "author_id", "ready_at", "waiting_hours", "url"]),
        "agentic-prs-waiting",
        column_config={
            "url": st.column_config.LinkColumn("link", display_text="open"),
            "waiting_hours": st.column_config.NumberColumn("waiting (h)", format="%.0f"),
        },
    )
    st.caption(
        f"{waiting.num_rows} agentic PR(s) ready for review with no review yet, as of {filters.end} 00:00 UTC; "
        "an agent's account is listed as the author."
    )
