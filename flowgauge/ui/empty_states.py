"""Empty states that say why there is nothing to show and what to load or change."""

from __future__ import annotations

import streamlit as st

from flowgauge.ui import docs
from flowgauge.ui.filters import View
from flowgauge.ui.text import plain

# What to load for each kind of missing data (the metrics engine's empty_reason says which is missing).
LOAD_HINTS = {
    "pull_requests": "Load pull requests with `flowgauge snapshot github` (or gitlab), or open the demo snapshot.",
    "deployments": "Load deployments (GitHub deployments, releases or workflow runs) or import a deployments CSV "
    "on the Data page.",
    "incidents": "Import incidents (PagerDuty, Opsgenie or a CSV) on the Data page.",
    "sprints": "Import a Jira CSV export with a sprint calendar on the Data page (the sprints.csv template; "
    "docs/imports.md, Sprint calendars), or load sprints with their dates and changelogs with `flowgauge snapshot "
    "jira` (docs/loaders-api.md, Jira loader).",
    "survey_responses": "Import a developer-experience survey CSV on the Data page.",
    "commit_line_ages": "Load a local clone with `flowgauge snapshot git` to measure rework and refactoring.",
}


def describe(view: View) -> str:
    """The selection in words, as Markdown for captions and empty states (the snapshot's ids shown as text)."""
    scope = []
    for noun, ids in (
        ("teams", view.teams),
        ("repositories", view.repos),
        ("services", view.services),
        ("environments", view.environments),
    ):
        if ids:
            scope.append(f"{noun} {', '.join(plain(value) for value in ids)}")
    where = "; ".join(scope) if scope else "the whole organisation"
    bots = "bots included" if view.include_bots else "bots left out"
    return f"{view.start:%d %b %Y} – {view.end:%d %b %Y} (UTC), {where}, {bots}"


def show_empty(what: str, reason: str | None, view: View, table: str | None = None) -> None:
    """An info box: nothing to show for what, why, and what to load or change."""
    hint = LOAD_HINTS.get(table or "", "Widen the date range or clear the team, repository or service filters.")
    because = f" because {plain(reason)}" if reason else ""
    st.info(f"**No {what} to show**{because}, for {describe(view)}.\n\n{hint}", icon=":material/info:")


# Where each kind of missing data is explained: (docs file, heading), shown under the empty state.
LOAD_DOCS = {
    "sprints": (("imports.md", "Sprint calendars"), ("loaders-api.md", "Jira loader")),
}


def show_load_docs(table: str) -> None:
    """The docs sections that say how to load what is missing, each in an expander named after its file."""
    for file, heading in LOAD_DOCS.get(table, ()):
        text = docs.section(file, heading)
        if text is not None:
            with st.expander(f"{heading} (docs/{file})", icon=":material/menu_book:"):
                st.markdown(text)
