"""Sprint calendars and Jira sprint reports date a Jira CSV export's sprints; planning accuracy then is approximate."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowgauge.cli.main import app
from flowgauge.loaders.imports import import_files, preview_import, template_csv
from flowgauge.metrics import Filters, compute_all
from flowgauge.snapshot import open_snapshot

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
SEPTEMBER_2021 = Filters(date(2021, 9, 1), date(2021, 10, 15))
UNDATED = "no dates: planning accuracy needs a sprint calendar (flowgauge import --template sprints) or the Jira loader"
TO_DATE_SPRINTS = (
    "import a sprint calendar beside the Jira CSV export (flowgauge import --template sprints; docs/imports.md) "
    "or load the sprints with the Jira loader (flowgauge snapshot jira; docs/loaders-api.md)"
)
APPROXIMATE = (
    "approximate: no changelog, so work added after the sprint started is unknown and every item in the sprint at "
    "its end counts as planned (story points; load sprints with the Jira loader for exact figures)"
)


def planning(snapshot: Path, filters: Filters = SEPTEMBER_2021):
    con = open_snapshot(snapshot)
    try:
        results = compute_all(con, filters, metric_ids=["planning_accuracy", "capacity_accuracy"])
    finally:
        con.close()
    return results["planning_accuracy"], results["capacity_accuracy"]


def test_a_jira_csv_without_sprint_dates_says_what_is_missing_in_the_summary_and_the_empty_reason(tmp_path):
    snapshot = tmp_path / "jira.duckdb"
    report = import_files([FIXTURES / "jira_export_en.csv"], snapshot)
    assert f"2 sprints have {UNDATED}" in report.files[0].notes
    planned, capacity = planning(snapshot)
    assert planned.value is None and capacity.value is None
    assert planned.empty_reason == f"2 sprints in this snapshot have no dates: {TO_DATE_SPRINTS}"


def test_a_sprint_calendar_gives_approximate_planning_and_capacity_accuracy(tmp_path):
    snapshot = tmp_path / "jira.duckdb"
    import_files([FIXTURES / "jira_export_en.csv"], snapshot)
    report = import_files([FIXTURES / "sprint_calendar.csv"], snapshot)
    assert report.files[0].kind == "sprint_calendar" and report.files[0].rows == {"sprints": 2, "teams": 1}
    planned, capacity = planning(snapshot)
    # By points (the items carry estimates): Sprint 12 (closed 17 Sep): PAY-101 (3) carried over, not done; PAY-104
    # unestimated, left out. Sprint 13 (ends 1 Oct): PAY-101 (3) resolved on 14 Sep, done; PAY-102 (5) open.
    # Every item counts as planned (the CSV cannot tell): 3 done of 3 + 3 + 5 planned.
    assert planned.value == pytest.approx(100 * 3 / 11)
    assert capacity.value == pytest.approx(100 * 3 / 11)
    assert planned.flags == (APPROXIMATE,) and capacity.flags == (APPROXIMATE,)
    assert planned.as_dict()["flags"] == [APPROXIMATE]
    assert planned.exclusions == ((1, "sprint items without an estimate: left out of points"),)


def test_a_calendar_in_the_same_import_dates_the_export_whatever_the_order_and_a_later_export_keeps_them(tmp_path):
    snapshot = tmp_path / "jira.duckdb"
    report = import_files([FIXTURES / "jira_export_en.csv", FIXTURES / "sprint_calendar.csv"], snapshot)
    assert [f.kind for f in report.files] == ["jira_csv", "sprint_calendar"]
    assert not any(UNDATED in note for note in report.files[0].notes)
    # Re-importing the export (names only) must not blank the calendar's dates.
    again = import_files([FIXTURES / "jira_export_en.csv"], snapshot)
    assert not any(UNDATED in note for note in again.files[0].notes)
    con = open_snapshot(snapshot)
    try:
        sprints = con.execute("SELECT sprint_id, team_id, state, starts_at, ends_at FROM sprints ORDER BY 1").fetchall()
    finally:
        con.close()
    assert sprints == [
        ("jira:name:PAY Sprint 12", "payments-core", "closed", datetime(2021, 9, 6, 9), datetime(2021, 9, 17, 17)),
        ("jira:name:PAY Sprint 13", "payments-core", None, datetime(2021, 9, 20, 9), datetime(2021, 10, 1, 17)),
    ]
    assert planning(snapshot)[0].value == pytest.approx(100 * 3 / 11)


def test_a_jira_sprint_report_dates_its_sprint(tmp_path):
    snapshot = tmp_path / "jira.duckdb"
    report = import_files([FIXTURES / "jira_export_en.csv", FIXTURES / "jira_sprint_report.json"], snapshot)
    assert report.files[1].kind == "jira_sprint_report"
    assert f"1 sprint has {UNDATED}" in report.files[0].notes  # Sprint 13 has no report
    con = open_snapshot(snapshot)
    try:
        dated = con.execute(
            "SELECT name, state, starts_at, ends_at, completed_at FROM sprints WHERE ends_at IS NOT NULL"
        )
        rows = dated.fetchall()
    finally:
        con.close()
    assert rows == [("PAY Sprint 12", "closed", datetime(2021, 9, 6, 9), datetime(2021, 9, 17, 17),
                     datetime(2021, 9, 17, 17, 5, 12))]  # fmt: skip
    # Sprint 12 only: PAY-101 (3 points) carried over; PAY-104 unestimated.
    assert planning(snapshot)[0].value == 0.0


def test_a_sprint_report_without_iso_dates_is_read_in_the_users_format():
    doc = json.loads((FIXTURES / "jira_sprint_report.json").read_text())
    for field in ("isoStartDate", "isoEndDate", "isoCompleteDate"):
        del doc["sprint"][field]
    result = preview_import("report.json", json.dumps([doc]).encode())
    assert result.problems == []
    assert result.tables["sprints"].select(["starts_at", "ends_at"]).to_pylist() == [
        {"starts_at": datetime(2021, 9, 6, 9), "ends_at": datetime(2021, 9, 17, 17)}
    ]


def test_template_sprints_is_the_calendar_and_a_filled_one_round_trips():
    assert template_csv("sprints") == "sprint,start,end,team,completed\n"
    filled = template_csv("sprints") + "S1,2024-03-04,2024-03-15,,\n"
    result = preview_import("sprints.csv", filled.encode())
    assert result.kind == "sprint_calendar" and result.problems == []
    assert result.tables["sprints"].select(["sprint_id", "starts_at"]).to_pylist() == [
        {"sprint_id": "jira:name:S1", "starts_at": datetime(2024, 3, 4)}
    ]


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        ("S1,2024-03-04,,,\n", "row 2, column end: is empty, but a sprint calendar needs every sprint's start and end"),
        ("S1,2024-03-15,2024-03-04,,\n", "row 2, column end: '2024-03-04' is not after the start"),
        (",2024-03-04,2024-03-15,,\n", "row 2, column sprint: is empty, but every sprint has a name"),
    ],
)
def test_bad_calendar_rows_are_named(rows, problem):
    result = preview_import("sprints.csv", (template_csv("sprints") + rows).encode())
    assert [str(p) for p in result.problems] == [f"sprints.csv: {problem}"]


def test_a_calendar_whose_dates_fit_both_orders_is_read_the_way_start_before_end_allows():
    # Month-first, S1 would end on 3 Jan, before its start on 3 Feb: only day-first fits.
    calendar = template_csv("sprints") + "S1,02/03/2024,01/04/2024,,\nS2,01/04/2024,12/04/2024,,\n"
    result = preview_import("sprints.csv", calendar.encode())
    assert result.problems == []
    assert result.tables["sprints"].column("ends_at").to_pylist() == [datetime(2024, 4, 1), datetime(2024, 4, 12)]


def test_the_report_json_flags_planning_accuracy_approximate(tmp_path):
    snapshot = tmp_path / "jira.duckdb"
    import_files([FIXTURES / "jira_export_en.csv", FIXTURES / "sprint_calendar.csv"], snapshot)
    result = CliRunner().invoke(app, ["report", str(snapshot), "--from", "2021-09-01", "--to", "2021-10-15",
                                      "--format", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["planning_accuracy"]["value"] == pytest.approx(100 * 3 / 11)
    assert report["planning_accuracy"]["flags"] == [APPROXIMATE]
    assert report["capacity_accuracy"]["flags"] == [APPROXIMATE]


def test_no_sprint_ending_in_the_window_while_others_are_undated_says_both(tmp_path):
    snapshot = tmp_path / "jira.duckdb"
    import_files([FIXTURES / "jira_export_en.csv", FIXTURES / "jira_sprint_report.json"], snapshot)
    planned, _ = planning(snapshot, Filters(date(2022, 1, 1), date(2022, 4, 1)))
    assert (
        planned.empty_reason == f"no sprints ended in the selection, and 1 other sprint has no dates: {TO_DATE_SPRINTS}"
    )


def test_no_sprints_at_all_says_what_to_load(tmp_path):
    snapshot = tmp_path / "incidents.duckdb"
    import_files([FIXTURES / "pagerduty_incidents.csv"], snapshot)
    planned, _ = planning(snapshot)
    assert planned.empty_reason == (
        "no sprint data in this snapshot: import a Jira export with a sprint calendar (docs/imports.md) or load "
        "sprints with the Jira loader (flowgauge snapshot jira; docs/loaders-api.md)"
    )
