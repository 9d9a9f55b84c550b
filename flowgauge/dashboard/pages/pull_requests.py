"""Pull requests, deployments and incidents as filterable, sortable tables with every phase time, size and link."""

import streamlit as st

from flowgauge.access.gate import can
from flowgauge.access.roles import Role
from flowgauge.ui import cached, downloads, tables
from flowgauge.ui.empty_states import describe, show_empty
from flowgauge.ui.frame import page_context
from flowgauge.ui.row_filters import RowFilters, filtered

HOURS = {
    "coding_hours": "coding (h)",
    "pickup_hours": "pickup (h)",
    "review_hours": "review (h)",
    "deploy_hours": "deploy (h)",
    "cycle_hours": "cycle (h)",
}
DEPLOYMENT_FILTERS = RowFilters(
    key="deploys",
    noun="production deployments",
    search_label="Search deployments, repositories, services and environments",
    search_columns=("deployment_id", "repo_id", "service_id", "environment"),
    search_placeholder="e.g. v2.3",
    choice_label="Status",
    choice_column="status",
    toggle_label="Failed only",
    toggle_column="failed",
    toggle_help="Failed as change failure rate counts it: a failed status, a linked incident, or a hotfix or "
    "rollback of the same service soon after.",
)
INCIDENT_FILTERS = RowFilters(
    key="incidents",
    noun="incidents",
    search_label="Search incident titles, ids, repositories, services and deployments",
    search_columns=("incident_id", "title", "repo_id", "service_id", "caused_by_deployment"),
    choice_label="Severity",
    choice_column="severity",
    toggle_label="Still open only",
    toggle_column="still_open",
)
context = page_context()
view = context.view
st.title("Pull requests")
st.caption(f"{describe(view)} · sort by clicking a column header")

prs_tab, deployments_tab, incidents_tab = st.tabs(["Pull requests", "Deployments", "Incidents"])

with prs_tab:
    prs = cached.pull_request_rows(context.identity, view.filters())
    if prs.num_rows == 0:
        show_empty("pull requests", "no PR was merged, made ready or left open in the selection", view, "pull_requests")
    else:
        left, middle, right = st.columns([2, 2, 1])
        text = left.text_input("Search titles, branches and PR ids", key="prs_search", placeholder="e.g. PAY-12")
        states = middle.multiselect("State", ["merged", "open", "closed"], key="prs_states", placeholder="All states")
        # People, not surveillance: authors are hidden unless someone explicitly asks for them, and only admins may.
        people = can(Role.ADMIN) and right.toggle(
            "Show authors", key="prs_people", help="Per-person columns are off by default."
        )
        shown = tables.filter_rows(prs, states=states, text=text, text_columns=("title", "head_branch", "pr_id"))
        columns = [
            "pr_id",
            "title",
            "repo_id",
            "head_branch",
            *(["author_id"] if people else []),
            "team_ids",
            "state",
            "code_origin",
            "created_at",
            "merged_at",
            "deployed_at",
            *HOURS,
            "size_lines",
            "url",
        ]
        st.caption(f"{shown.num_rows:,} of {prs.num_rows:,} PRs")
        downloads.table(
            shown.select(columns),
            "pull-requests",
            column_config={
                "url": st.column_config.LinkColumn("link", display_text="open"),
                "size_lines": st.column_config.NumberColumn("size (lines)"),
                **{column: st.column_config.NumberColumn(label, format="%.1f") for column, label in HOURS.items()},
            },
            height=560,
        )

# Deployments and incidents: the rows the metrics used, narrowed by their own controls.
for tab, rows, controls, what in (
    (deployments_tab, cached.deployment_rows(context.identity, view.filters()), DEPLOYMENT_FILTERS, "deployments"),
    (incidents_tab, cached.incident_rows(context.identity, view.filters()), INCIDENT_FILTERS, "incidents"),
):
    with tab:
        if rows.num_rows == 0:
            show_empty(controls.noun, None, view, what)
            continue
        downloads.table(
            filtered(rows, controls),
            what,
            column_config={"url": st.column_config.LinkColumn("link", display_text="open")},
            height=480,
        )
