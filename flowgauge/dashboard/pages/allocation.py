"""Allocation: where the effort went (new features, improvements, tech debt, bugs, unplanned) by team and month."""

import streamlit as st

from flowgauge.allocation import CATEGORY_NAMES, WEIGHTS, months_of, shares
from flowgauge.ui import cached, downloads, filters
from flowgauge.ui.allocation_chart import monthly_bars
from flowgauge.ui.empty_states import describe
from flowgauge.ui.frame import page_context
from flowgauge.ui.tables import allocation_table
from flowgauge.ui.text import plain

WEIGHT_KEY, DEFAULT_WEIGHT = "weight", "engineer_weeks"
context = page_context()
view = context.view
st.title("Allocation")
st.caption(describe(view))

weight = filters.page_choice(WEIGHT_KEY, tuple(WEIGHTS), DEFAULT_WEIGHT)
chosen = st.segmented_control(
    "Weighted by",
    list(WEIGHTS),
    default=weight,
    format_func=lambda key: WEIGHTS[key][0].upper() + WEIGHTS[key][1:],
    help="Engineer-weeks: each author's ISO week with a merged PR counts one, split over that week's PRs.",
)
if chosen and chosen != weight:
    filters.keep_page_choice(WEIGHT_KEY, chosen, DEFAULT_WEIGHT)
    weight = chosen
unit = WEIGHTS[weight]

result = cached.allocation(context.identity, view.filters(), context.rules)
total = result.total(weight)
if not total:
    st.info(
        f"No {unit} in this selection: effort allocation counts PRs merged and work items resolved in the window"
        + (" (points: only estimated work items)." if weight == "points" else ".")
    )
    st.stop()

overall = shares(result.all_teams, weight)[()]
for column, share in zip(st.columns(len(overall)), overall, strict=True):
    amount = f"{share.value:,.1f} of {total:,.1f} {unit}"
    column.metric(CATEGORY_NAMES[share.category], f"{share.percent:.0f} %", help=amount)
if result.unclassified:
    reasons = "; ".join(f"{n:,} {reason}" for n, reason in result.unclassified)
    st.caption(plain(f"Unclassified: {reasons}. Add a rule for them to the rules file ([allocation], docs/rules.md)."))

st.subheader("By team and month")
months = months_of(result.by_team)
by_team_month = shares(result.by_team, weight, ["team_id", "month"])
teams = list(dict.fromkeys(team for team, _ in by_team_month))
for start in range(0, len(teams), 2):
    for column, team in zip(st.columns(2), teams[start : start + 2], strict=False):
        with column:
            by_month = {month: group for (team_id, month), group in by_team_month.items() if team_id == team}
            name = result.team_name(team)
            downloads.chart(monthly_bars(name, months, by_month, unit), f"allocation-{team or 'no-team'}-{weight}")
st.caption(
    "A team's PRs count for their author's team when they merged; a work item for its own team, else its "
    "assignee's when it was resolved. Months are UTC calendar months, cut by the selected dates."
)
downloads.table(allocation_table(result, weight), f"allocation-{weight}")

with st.expander("What is counted, and by which rule"):
    for n, reason in result.left_out:
        st.markdown(f"- Left out: {n:,} {plain(reason)}")
    if result.unestimated:
        st.markdown(f"- {result.unestimated:,} work items have no estimate: the points weight cannot count them")
    for note in result.notes:
        st.markdown(f"- {plain(note)}")
    st.caption(plain(f"Rules: {context.rules.allocation.describe()} ({context.rules.source or 'built-in rules'})."))
    counts = {rule: (prs, items) for rule, prs, items in result.rule_counts}
    for number, rule in enumerate(context.rules.allocation.rules, start=1):
        prs, items = counts.get(number, (0, 0))
        st.markdown(f"{number}. {plain(rule.describe())}: {prs:,} PRs, {items:,} work items")
