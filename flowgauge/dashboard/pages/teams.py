"""Teams: every team side by side coloured by tier, one team against the organisation, membership over time."""

from dataclasses import replace

import streamlit as st

from flowgauge.ui import cached, charts, downloads, impact_cards, organisation, tables
from flowgauge.ui.empty_states import describe, show_empty
from flowgauge.ui.frame import page_context
from flowgauge.ui.text import plain

HEATMAP_METRICS = (
    "cycle_time",
    "coding_time",
    "pickup_time",
    "review_time",
    "deploy_time",
    "pr_size",
    "merge_frequency",
    "deploy_frequency",
    "change_failure_rate",
    "failed_deployment_recovery_time",
)
context = page_context()
view = context.view
st.title("Teams")
st.caption(f"{describe(view)} · {view.statistic} · tiers from {plain(context.benchmark_set.name)}")
teams = context.choices.teams
if not teams:
    show_empty("teams", "this snapshot has no teams", view)
    st.stop()

st.subheader("Teams side by side")
matrix = cached.team_matrix(context.identity, view.filters(), view.statistic, HEATMAP_METRICS)
if not matrix.columns:
    show_empty("team metrics", "no team has events in the selection", view, "pull_requests")
else:
    figure = charts.tier_heatmap(
        matrix.metric_names, [teams.get(team, team) for team in matrix.columns], matrix.cells(context.benchmark_set)
    )
    downloads.chart(figure, "teams-heatmap")
    if matrix.hidden_teams:
        st.caption(f"The {len(matrix.columns)} teams with the most activity; {matrix.hidden_teams} more are left out: "
                   "choose teams in the sidebar to compare others.")  # fmt: skip
    st.caption(
        "Each event counts for the team its person (or the owning team, for deployments) belonged to at the time. "
        "Grey cells have no benchmark at this statistic in the chosen set; the tier is always written in the cell."
    )
    downloads.csv_button(matrix.as_table(teams), "teams-side-by-side")

st.subheader("One team against the organisation")
team = st.selectbox("Team", list(teams), format_func=teams.get, key="teams_focus")
team_results = cached.results(context.identity, replace(view.filters(), teams=(team,)), view.statistic)
org_results = cached.results(context.identity, replace(view.filters(), teams=()), view.statistic)
downloads.table(
    tables.team_comparison(team_results, org_results, context.benchmark_set), f"team-{team}-vs-organisation"
)
team_goals = organisation.goals_in_view(context.identity, teams, (team,))
if team_goals:
    st.markdown(f"**{plain(teams.get(team, team))}'s goals**")
    impact_cards.goals_panel(context.identity, team_goals, teams)  # measured on the background thread

st.subheader("Team membership over time")
sizes = cached.team_sizes(context.identity, view.filters())
if sizes.num_rows == 0:
    show_empty("team memberships", "the snapshot has no team memberships", view)
else:
    series = tables.series_by(sizes, "team", "month", "members")
    downloads.chart(charts.count_lines(series, "members"), "team-membership")
    st.caption(f"People in each team on the first day of each month ({plain(view.snapshot)}; bots excluded).")
