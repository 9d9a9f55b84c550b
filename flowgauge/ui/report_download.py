"""The sidebar's "Download report" button: the planning-meeting report of the view on screen, built when clicked."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

import streamlit as st

from flowgauge.errors import FlowgaugeError
from flowgauge.metrics.benchmark_sets import BenchmarkSet
from flowgauge.report import build_content, report_html, scope_text
from flowgauge.report.pdf import find_chromium, pdf_of
from flowgauge.rules import Rules
from flowgauge.snapshot import SnapshotIdentity
from flowgauge.ui import filters
from flowgauge.ui.connection import connections
from flowgauge.ui.organisation import organisation


def report_file_name(view: filters.View) -> str:
    """flowgauge-report-<snapshot>-<first day>-<last day>.html"""
    return f"flowgauge-report-{view.snapshot}-{view.start.isoformat()}-{view.end.isoformat()}.html"


def report_button(
    identity: SnapshotIdentity,
    view: filters.View,
    team_names: Mapping[str, str],
    benchmark_set: BenchmarkSet,
    rules: Rules,
) -> None:
    """A button downloading the view's report as one HTML file; computed only when clicked, on its own cursor (the
    click is served outside the page's run, where Streamlit's caches and commands do not apply)."""
    registry = connections()
    link = filters.link_for(view)
    kept, problem = organisation(identity)
    teams = [team_names.get(team, team) for team in view.teams]

    def page() -> str:
        with registry.cursor(identity) as cursor:
            content = build_content(
                cursor,
                view.filters(),
                snapshot=view.snapshot,
                statistic=view.statistic,
                benchmark_set=benchmark_set,
                rules=rules,
                link=link,
                scope=scope_text(teams, view.repos, view.services),
                organisation=kept,
                team_names=team_names,
                organisation_problem=problem,
            )
        return report_html(content)

    def as_html() -> bytes:
        try:
            return page().encode("utf-8")
        except (FlowgaugeError, KeyError) as error:  # KeyError: the snapshot was replaced and closed meanwhile
            return failure_page(error).encode("utf-8")

    def as_pdf() -> bytes:
        try:
            return pdf_of(page())
        except (FlowgaugeError, KeyError) as error:
            return pdf_of(failure_page(error))

    st.sidebar.download_button(
        "Download report",
        data=as_html,
        file_name=report_file_name(view),
        mime="text/html",
        icon=":material/summarize:",
        on_click="ignore",
        width="stretch",
        help="This view's scorecard, trends, initiatives, goals, effort allocation and data-quality notes, as one "
        "HTML file that opens offline and prints well (takes a few seconds).",
    )
    if find_chromium() is not None:
        st.sidebar.download_button(
            "Download report (PDF)",
            data=as_pdf,
            file_name=report_file_name(view).removesuffix(".html") + ".pdf",
            mime="application/pdf",
            icon=":material/picture_as_pdf:",
            on_click="ignore",
            width="stretch",
            help="The same report printed to PDF by this server's Chromium (takes a few seconds more).",
        )


def failure_page(error: Exception) -> str:
    """A one-paragraph page saying why the report could not be made (the download cannot show an error itself)."""
    message = escape(f"The report could not be made: {error}. Reload the dashboard and try again.")
    return f'<!DOCTYPE html><html lang="en"><meta charset="utf-8"><p>{message}</p></html>'
