"""Jira exports: CSV with repeated headers in each date format and language, and REST JSON with a changelog."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from flowgauge.loaders.imports import import_files, preview_import
from flowgauge.snapshot import open_snapshot

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
WORK_ITEM_COLUMNS = ["item_key", "item_type", "status", "status_category", "story_points", "parent_key", "is_subtask",
                     "assignee_id", "created_at", "resolved_at"]  # fmt: skip


def preview(name: str):
    result = preview_import(name, (FIXTURES / name).read_bytes())
    assert result.problems == []
    return result


def work_items(result) -> list[tuple]:
    return [tuple(row.values()) for row in result.tables["work_items"].select(WORK_ITEM_COLUMNS).to_pylist()]


def sprint_items(result) -> list[tuple]:
    columns = ["sprint_id", "item_key", "added_after_start", "story_points_at_start", "completed_in_sprint"]
    return [tuple(row.values()) for row in result.tables["sprint_items"].select(columns).to_pylist()]


def test_english_export_dd_mmm_yy_with_repeated_sprint_and_label_columns():
    result = preview("jira_export_en.csv")
    assert result.kind == "jira_csv"
    assert "dates read as DD/MMM/YY" in result.notes
    assert work_items(result) == [
        ("PAY-101", "Bug", "Done", "done", 3.0, None, False, "ana.silva", datetime(2021, 9, 8, 14, 2),
         datetime(2021, 9, 14, 16, 45)),
        ("PAY-102", "Story", "In Review", "in_progress", 5.0, None, False, "ben.okafor", datetime(2021, 9, 9, 10, 15),
         None),
        # Parent given as the parent's issue id (10102), resolved through the Issue id column.
        ("PAY-103", "Sub-task", "To Do", "todo", None, "PAY-102", True, None, datetime(2021, 9, 10, 0, 0), None),
        # A quoted summary spanning two lines; parent given as a key.
        ("PAY-104", "Task", "Closed", "done", None, "PAY-102", False, "dependabot[bot]", datetime(2021, 9, 11, 8, 0),
         datetime(2021, 9, 12, 8, 0)),
    ]  # fmt: skip
    assert result.tables["work_items"].column("summary").to_pylist()[2:] == [
        '=HYPERLINK("http://example.com","Refund docs")',
        "Multi-line\ndescription in summary",
    ]
    # A CSV cannot tell planned from added work: added_after_start is unknown (NULL).
    assert sprint_items(result) == [
        ("jira:name:PAY Sprint 12", "PAY-101", None, 3.0, False),  # carried over into Sprint 13
        ("jira:name:PAY Sprint 13", "PAY-101", None, 3.0, None),
        ("jira:name:PAY Sprint 13", "PAY-102", None, 5.0, None),
        ("jira:name:PAY Sprint 12", "PAY-104", None, None, None),
    ]
    assert sorted(result.tables["sprints"].column("name").to_pylist()) == ["PAY Sprint 12", "PAY Sprint 13"]
    labels = dict(zip(*result.tables["work_items"].select(["item_key", "labels"]).to_pydict().values(), strict=True))
    assert labels["PAY-101"] == ["payments", "customer-reported"]  # one label per repeated Labels column
    people = {row["person_id"]: row for row in result.tables["people"].to_pylist()}
    assert people["dependabot[bot]"]["is_bot"] is True and people["dependabot[bot]"]["bot_reason"] == "[bot] suffix"
    assert people["ana.silva"]["display_name"] == "Ana Silva" and people["ana.silva"]["is_bot"] is False
    aliases = {(r["alias_kind"], r["alias"]): r["person_id"] for r in result.tables["person_aliases"].to_pylist()}
    assert aliases[("account_id", "5b10a2844c20165700ede21g")] == "ana.silva"
    assert aliases[("name", "ben okafor")] == "ben.okafor"


def test_german_export_dd_mm_yyyy_with_translated_status_categories_and_decimal_comma():
    result = preview("jira_export_de.csv")
    assert "dates read as DD-MM-YYYY" in result.notes
    assert work_items(result) == [
        ("ABR-7", "Story", "Erledigt", "done", 2.5, None, False, "jürgen.weiß", datetime(2024, 9, 6, 13, 55),
         datetime(2024, 9, 9, 17, 30)),
        ("ABR-8", "Story", "In Arbeit", "in_progress", 8.0, None, False, "anna.müller", datetime(2024, 9, 7, 9, 0),
         None),
        ("ABR-9", "Unteraufgabe", "Offen", "todo", None, "ABR-8", True, None, datetime(2024, 12, 31, 23, 59), None),
    ]  # fmt: skip


def test_french_export_d_m_yyyy_without_status_category_uses_status_names():
    result = preview("jira_export_fr_latin1.csv")
    assert "dates read as DD/MM/YYYY" in result.notes
    assert [(key, status, category, created) for key, _, status, category, *_, created, _ in work_items(result)] == [
        ("FAC-1", "Terminé", "done", datetime(2021, 8, 9, 9, 5)),
        ("FAC-2", "En cours", "in_progress", datetime(2021, 8, 10, 14, 30)),
        ("FAC-3", "À faire", "todo", datetime(2021, 8, 11, 8, 0)),
    ]


def test_duplicate_issue_rows_are_dropped_and_counted():
    source = (FIXTURES / "jira_export_en.csv").read_text()
    doubled = source + source.split("\n", 1)[1].split("\n", 1)[0] + "\n"  # PAY-101 again
    result = preview_import("jira.csv", doubled.encode())
    assert result.duplicates_dropped == {"work_items": 1}
    assert "work_items: 1 duplicate row dropped (same issue key)" in result.notes


def test_unknown_status_category_names_the_row_and_column():
    csv = "Summary,Issue key,Issue Type,Status,Status Category,Created\nA,X-1,Task,Parked,Geparkt,2024-01-01\n"
    result = preview_import("jira.csv", csv.encode())
    assert [str(p) for p in result.problems] == [
        "jira.csv: row 2, column Status Category: 'Geparkt' is not a Jira status category "
        "(expected To Do, In Progress or Done, or a translation)"
    ]


def test_jira_json_with_changelog_tells_start_times_and_unplanned_sprint_work():
    result = preview("jira_search.json")
    assert result.kind == "jira_json"
    assert work_items(result) == [
        ("PAY-201", "Story", "Erledigt", "done", 5.0, "PAY-200", False, "ana@acme.io", datetime(2024, 3, 1, 8, 0),
         datetime(2024, 3, 8, 15, 30)),
        ("PAY-202", "Sub-task", "En curso", "in_progress", None, "PAY-201", True, None, datetime(2024, 3, 2, 9, 0),
         None),
    ]  # fmt: skip
    assert result.tables["work_items"].column("started_at").to_pylist() == [datetime(2024, 3, 6, 8, 30), None]
    assert result.tables["work_items"].column("labels").to_pylist()[0] == ["reliability"]
    assert result.tables["sprints"].to_pylist() == [
        {"sprint_id": "jira:31", "name": "PAY Sprint 14", "team_id": None, "state": "closed",
         "starts_at": datetime(2024, 3, 4, 8), "ends_at": datetime(2024, 3, 15, 17),
         "completed_at": datetime(2024, 3, 15, 17, 5)},
    ]  # fmt: skip
    # PAY-201 joined on 5 March, after the sprint started on the 4th; PAY-202 was planned.
    assert [(r[1], r[2]) for r in sprint_items(result)] == [("PAY-201", True), ("PAY-202", False)]


def test_jira_csv_import_lands_in_the_snapshot(tmp_path):
    target = tmp_path / "jira.duckdb"
    report = import_files([FIXTURES / "jira_export_en.csv", FIXTURES / "jira_export_de.csv"], target)
    assert [f.rows["work_items"] for f in report.files] == [4, 3]
    con = open_snapshot(target)
    try:
        counts = con.execute(
            "SELECT status_category, count(*) FROM work_items GROUP BY ALL ORDER BY status_category"
        ).fetchall()
        members = con.execute("SELECT count(*) FROM sprint_items").fetchall()
    finally:
        con.close()
    assert counts == [("done", 3), ("in_progress", 2), ("todo", 2)]
    assert members == [(7,)]


@pytest.mark.skipif(
    not (Path(__file__).parents[2] / "shared" / "testdata" / "perceval_testdata" / "jira").exists(),
    reason="shared test data not present",
)
def test_recorded_jira_search_page_imports():
    page = Path(__file__).parents[2] / "shared" / "testdata" / "perceval_testdata" / "jira" / "jira_issues_page_1.json"
    result = preview_import(page.name, page.read_bytes())
    assert result.kind == "jira_json"
    assert result.problems == []
    rows = result.tables["work_items"].select(["item_key", "status_category", "created_at"]).to_pylist()
    assert rows == [
        {"item_key": "HELP-6043", "status_category": "todo", "created_at": datetime(2016, 3, 3, 13, 40, 1)},
        {"item_key": "HELP-6042", "status_category": "done", "created_at": datetime(2016, 3, 3, 13, 11, 1)},
    ]


def test_export_with_german_headers_is_read_and_messages_use_the_headers_as_written():
    csv = (
        "Zusammenfassung,Vorgangsschlüssel,Vorgangs-ID,Vorgangstyp,Status,Statuskategorie,Bearbeiter,Erstellt,"
        "Erledigt,Sprint,Sprint\n"
        "Abgleich,ABR-1,1,Story,Erledigt,Fertig,Anna Müller,06-09-2024 13:55,09-09-2024 17:30,ABR Sprint 4,\n"
    )
    result = preview_import("jira-de.csv", csv.encode())
    assert result.kind == "jira_csv"
    assert work_items(result) == [
        ("ABR-1", "Story", "Erledigt", "done", None, None, False, "anna.müller", datetime(2024, 9, 6, 13, 55),
         datetime(2024, 9, 9, 17, 30)),
    ]  # fmt: skip
    bad = preview_import("jira-de.csv", csv.replace("06-09-2024 13:55", "31-31-2024 13:55").encode())
    assert [str(p) for p in bad.problems] == [
        "jira-de.csv: row 2, column Erstellt: '31-31-2024 13:55' is not a date in this file's format DD-MM-YYYY"
    ]
