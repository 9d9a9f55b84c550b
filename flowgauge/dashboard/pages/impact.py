"""Impact: what each initiative changed, with its 95% interval and a comparison group, the teams' goals, and (for
editors) the forms that create and edit them."""

from pathlib import Path

import streamlit as st

from flowgauge.access import Role, can, signed_in_email
from flowgauge.errors import FlowgaugeError
from flowgauge.impact import SETTLE_DAYS
from flowgauge.metrics import STATISTICS
from flowgauge.ui import impact_cards, organisation
from flowgauge.ui.empty_states import describe
from flowgauge.ui.frame import page_context
from flowgauge.ui.text import plain

EACH_OWN = "each metric's own"
context = page_context()
view = context.view
teams = context.choices.teams
st.title("Impact")
st.caption(
    f"{describe(view)} · What each initiative changed: the metric before and after its start, with a 95% interval, "
    "against the teams it did not touch (method and limits: docs/impact.md)."
)
kept, problem = organisation.organisation(context.identity)
if problem:
    st.error(plain(problem))

left, middle, right = st.columns(3)
window = left.number_input(
    "Days compared on each side (0: each initiative's own, else 90)", 0, 365, 0, key="impact_window"
)
settle = middle.number_input("Days after the start left out (settling)", 0, 365, SETTLE_DAYS, key="impact_settle")
statistic = right.selectbox("Statistic of time metrics", [EACH_OWN, *STATISTICS], key="impact_stat")

st.subheader("Initiatives")
if not kept.initiatives:
    st.info(
        "No initiatives yet. Add one below, or write them in a TOML file and run "
        "`flowgauge initiatives import FILE --into SNAPSHOT`."
    )
for initiative in kept.initiatives:
    st.markdown(f"#### {plain(initiative.name)}")
    st.caption(impact_cards.initiative_caption(initiative, teams))
    if not initiative.metrics:
        st.caption("No metrics named: edit the initiative to say which it meant to move.")
    for metric_id in initiative.metrics:
        try:
            result = organisation.impact(
                context.identity, initiative.name, metric_id, int(window) or None, int(settle),
                None if statistic == EACH_OWN else statistic,
            )  # fmt: skip
        except FlowgaugeError as error:  # a team the snapshot lacks: say so, and show the other initiatives
            st.error(plain(f"{initiative.name}: {error}"))
            continue
        impact_cards.impact_card(result)

st.subheader("Team goals")
statuses = organisation.goal_statuses(context.identity, teams, view.teams)
if statuses:
    impact_cards.goal_panel(statuses)
else:
    st.caption("No goals for the teams in this view.")

st.subheader("Edit initiatives and goals")
snapshot = Path(context.identity.path)
st.caption(plain(f"Kept beside the snapshot in {organisation.organisation_file(context.identity).name}; it survives "
                 "every rebuild and sync, and every change is logged."))  # fmt: skip
# Signed in, the change log names the person's address; without sign-in (a laptop), the name written here.
editor = signed_in_email() if can(Role.EDITOR) else None
if not can(Role.EDITOR):
    st.caption("Creating and editing initiatives and goals is for editors: ask an admin for the editor role.")
elif editor is None:
    editor = st.text_input("Your name, for the change log", key="impact_editor").strip()
    if not editor:
        st.caption("Write your name to create or edit initiatives and goals.")
if editor:
    with st.expander("Add or edit an initiative"):
        impact_cards.initiative_form(
            snapshot, kept, teams, list(context.choices.repos), list(context.choices.services), editor
        )
    with st.expander("Add or edit a goal"):
        impact_cards.goal_form(snapshot, kept, teams, editor)
with st.expander(f"Change log ({len(kept.changes)} changes)"):
    impact_cards.change_log(kept)
