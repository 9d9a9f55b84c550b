"""Day-first or month-first in every kind of export besides Jira CSV: decided from what the source guarantees, else
refused with one line asking for --date-order, never guessed.

Deployments and PagerDuty incidents go through `flowgauge import` as a user runs it; the other kinds through
preview_import, which runs their parsers.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from flowgauge.loaders.imports import ImportRejected, import_files, preview_import
from flowgauge.loaders.imports.dates import DateReader
from flowgauge.loaders.imports.validation import Problems
from flowgauge.snapshot import open_snapshot

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
BOTH = "every date fits both DD/MM/YYYY and MM/DD/YYYY"


def flowgauge(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flowgauge.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )


def refusal(file: str, first: str, first_read: tuple[str, str], second: str, second_read: tuple[str, str]) -> str:
    return (
        f"{file}: {BOTH} and the rows do not tell which ('{first}' is {first_read[0]} (dmy) or {first_read[1]} (mdy); "
        f"'{second}' is {second_read[0]} (dmy) or {second_read[1]} (mdy)): "
        "import again with --date-order dmy or --date-order mdy"
    )


def query(snapshot: Path, sql: str) -> list[tuple]:
    con = open_snapshot(snapshot)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def notes_of(snapshot: Path, file: str) -> list[str]:
    [(detail,)] = query(snapshot, f"SELECT detail FROM sources WHERE source_id = 'import:{file}'")
    return json.loads(detail)["notes"]


def folder_state(folder: Path) -> dict[str, str]:
    """Every file under folder (temporary and hidden ones too) with a hash of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def assert_refused_and_untouched(tmp_path: Path, export: Path, expected: str) -> Path:
    """Import export into a data folder already holding a snapshot: one line, exit 1, nothing changed or left."""
    data = tmp_path / "data"
    target = data / "org.duckdb"
    data.mkdir()
    import_files([FIXTURES / "team_map.csv"], target)
    before = folder_state(data)
    refused = flowgauge("import", str(export), "--into", str(target))
    assert refused.returncode == 1  # as every other import error
    assert refused.stderr == f"flowgauge: error: {expected}\n"
    assert folder_state(data) == before  # the snapshot byte-identical, no temporary file left
    return target


# -- Deployments: a deployment finishes after it starts. --------------------------------------------------------------

DEPLOY_HEADER = "repo,sha,environment,started_at,finished_at,status\n"


def test_deployments_read_month_first_where_day_first_would_finish_one_before_it_started(tmp_path):
    export = tmp_path / "deploys.csv"
    # The second one waited for an environment's reviewers (GitHub holds a job up to 30 days): day-first it would
    # have started on 2 Dec and finished on 3 Jan of the same year.
    export.write_text(
        DEPLOY_HEADER + "acme/api,1111111,production,2/5/2024 09:00,2/5/2024 09:20,success\n"
        "acme/api,2222222,production,2/12/2024 09:00,3/1/2024 10:00,success\n"
    )
    target = tmp_path / "org.duckdb"
    result = flowgauge("import", str(export), "--into", str(target))
    assert result.returncode == 0, result.stderr
    assert query(target, "SELECT started_at, finished_at FROM deployments ORDER BY sha") == [
        (datetime(2024, 2, 5, 9), datetime(2024, 2, 5, 9, 20)),
        (datetime(2024, 2, 12, 9), datetime(2024, 3, 1, 10)),
    ]
    assert (
        f"{BOTH}: read as MM/DD/YYYY (read as DD/MM/YYYY, 1 row would have finished_at before started_at)"
        in notes_of(target, "deploys.csv")
    )


def test_deployments_nothing_tells_are_refused_and_date_order_reads_them(tmp_path):
    export = tmp_path / "deploys.csv"
    # Crossing midnight orders both readings alike (5 Jun to 5 Jul, or 6 May to 7 May): a month-long deployment is
    # unlikely, not impossible, so it is no evidence.
    export.write_text(
        DEPLOY_HEADER + "acme/api,3333333,production,3/4/2024 09:00,3/4/2024 09:20,success\n"
        "acme/api,4444444,production,5/6/2024 23:50,5/7/2024 00:10,success\n"
    )
    expected = refusal(
        "deploys.csv", "3/4/2024 09:00", ("3 Apr 2024", "4 Mar 2024"), "5/6/2024 23:50", ("5 Jun 2024", "6 May 2024")
    )
    target = assert_refused_and_untouched(tmp_path, export, expected)
    result = flowgauge("import", str(export), "--into", str(target), "--date-order", "mdy")
    assert result.returncode == 0, result.stderr
    assert query(target, "SELECT started_at, finished_at FROM deployments ORDER BY sha") == [
        (datetime(2024, 3, 4, 9), datetime(2024, 3, 4, 9, 20)),
        (datetime(2024, 5, 6, 23, 50), datetime(2024, 5, 7, 0, 10)),
    ]
    assert "day and month order given by --date-order mdy" in notes_of(target, "deploys.csv")


def test_deployments_as_json_are_decided_the_same_way_and_epoch_times_need_no_order():
    records = [
        {"repo": "acme/api", "sha": "a1", "environment": "production", "started_at": "2/12/2024 09:00",
         "finished_at": "3/1/2024 10:00", "status": "success"},
        {"repo": "acme/api", "sha": "a2", "environment": "production", "started_at": 1709283600,
         "finished_at": "3/1/2024 10:00", "status": "success"},
    ]  # fmt: skip
    result = preview_import("deploys.json", json.dumps(records).encode(), "deployments")
    assert result.problems == []
    assert result.tables["deployments"].select(["started_at", "finished_at"]).to_pylist() == [
        {"started_at": datetime(2024, 2, 12, 9), "finished_at": datetime(2024, 3, 1, 10)},
        {"started_at": datetime(2024, 3, 1, 9), "finished_at": datetime(2024, 3, 1, 10)},
    ]


# -- Incidents: created before acknowledged before resolved. ----------------------------------------------------------

PAGERDUTY_HEADER = "id,incident_number,title,urgency,service_name,created_on,acknowledged_on,resolved_on\n"


def test_pagerduty_incidents_read_month_first_where_day_first_would_resolve_one_before_it_was_created(tmp_path):
    export = tmp_path / "pagerduty.csv"
    # A low-urgency incident left open for weeks: day-first it was created on 2 Dec and resolved on 3 Jan.
    export.write_text(
        PAGERDUTY_HEADER + "PD1,1,Checkout 5xx,high,checkout,2/5/2024 09:00,2/5/2024 09:04,2/5/2024 10:15\n"
        "PD2,2,Disk filling slowly,low,ledger,2/12/2024 08:00,2/12/2024 08:30,3/1/2024 17:00\n"
    )
    target = tmp_path / "org.duckdb"
    result = flowgauge("import", str(export), "--into", str(target))
    assert result.returncode == 0, result.stderr
    assert query(target, "SELECT opened_at, acknowledged_at, resolved_at FROM incidents ORDER BY opened_at") == [
        (datetime(2024, 2, 5, 9), datetime(2024, 2, 5, 9, 4), datetime(2024, 2, 5, 10, 15)),
        (datetime(2024, 2, 12, 8), datetime(2024, 2, 12, 8, 30), datetime(2024, 3, 1, 17)),
    ]
    assert (
        f"{BOTH}: read as MM/DD/YYYY (read as DD/MM/YYYY, 1 row would have resolved_on before created_on)"
        in notes_of(target, "pagerduty.csv")
    )


def test_pagerduty_incidents_nothing_tells_are_refused_and_date_order_reads_them(tmp_path):
    export = tmp_path / "pagerduty.csv"
    export.write_text(
        PAGERDUTY_HEADER + "PD3,3,Search slow,high,search,3/4/2024 09:00,3/4/2024 09:05,3/4/2024 09:40\n"
        "PD4,4,Login errors,high,auth,5/6/2024 23:50,,5/7/2024 00:30\n"
    )
    expected = refusal(
        "pagerduty.csv", "3/4/2024 09:00", ("3 Apr 2024", "4 Mar 2024"), "5/6/2024 23:50", ("5 Jun 2024", "6 May 2024")
    )
    target = assert_refused_and_untouched(tmp_path, export, expected)
    result = flowgauge("import", str(export), "--into", str(target), "--date-order", "mdy")
    assert result.returncode == 0, result.stderr
    assert query(target, "SELECT opened_at, resolved_at FROM incidents ORDER BY opened_at") == [
        (datetime(2024, 3, 4, 9), datetime(2024, 3, 4, 9, 40)),
        (datetime(2024, 5, 6, 23, 50), datetime(2024, 5, 7, 0, 30)),
    ]


def test_pagerduty_acknowledged_before_resolved_decides_on_its_own():
    # 1/1/2024 reads the same both ways; day-first PD5 would be acknowledged on 2 Dec and resolved on 3 Jan.
    csv = PAGERDUTY_HEADER + "PD5,5,Batch late,low,ledger,1/1/2024 08:00,2/12/2024 08:00,3/1/2024 09:00\n"
    result = preview_import("pagerduty.csv", csv.encode())
    assert result.problems == []
    assert result.tables["incidents"].select(["acknowledged_at", "resolved_at"]).to_pylist() == [
        {"acknowledged_at": datetime(2024, 2, 12, 8), "resolved_at": datetime(2024, 3, 1, 9)}
    ]
    assert (
        f"{BOTH}: read as MM/DD/YYYY (read as DD/MM/YYYY, 1 row would have resolved_on before acknowledged_on)"
        in result.notes
    )


def test_pagerduty_seconds_to_resolve_decides_where_an_incident_crosses_midnight():
    # Day-first PD6 was open from 5 Jun to 5 Jul, not the 2,437 seconds PagerDuty counted (the times lost their
    # seconds in a spreadsheet: still within the slack).
    csv = (
        "id,incident_number,title,created_on,resolved_on,seconds_to_resolve\n"
        "PD6,6,Login errors,5/6/2024 23:50,5/7/2024 00:30,2437\nPD7,7,Search slow,3/4/2024 09:00,3/4/2024 09:40,2400\n"
    )
    result = preview_import("pagerduty.csv", csv.encode())
    assert result.problems == []
    assert result.tables["incidents"].select(["opened_at", "resolved_at"]).to_pylist() == [
        {"opened_at": datetime(2024, 5, 6, 23, 50), "resolved_at": datetime(2024, 5, 7, 0, 30)},
        {"opened_at": datetime(2024, 3, 4, 9), "resolved_at": datetime(2024, 3, 4, 9, 40)},
    ]
    assert (
        f"{BOTH}: read as MM/DD/YYYY (read as DD/MM/YYYY, 1 row would contradict its seconds_to_resolve)"
        in result.notes
    )


OPSGENIE_HEADER = "Alias,TinyId,Message,Status,CreatedAt,UpdatedAt,ClosedAt,Priority\n"


def test_opsgenie_alerts_decided_by_creation_before_update_and_close():
    csv = (
        OPSGENIE_HEADER + "a1,1,Queue depth high,closed,2/12/2024 08:00,3/1/2024 17:05,3/1/2024 17:00,P3\n"
        "a2,2,API 5xx,closed,2/5/2024 09:00,2/5/2024 09:30,2/5/2024 09:20,P1\n"
    )
    result = preview_import("opsgenie.csv", csv.encode())
    assert result.problems == []
    assert result.tables["incidents"].select(["opened_at", "resolved_at"]).to_pylist() == [
        {"opened_at": datetime(2024, 2, 12, 8), "resolved_at": datetime(2024, 3, 1, 17)},
        {"opened_at": datetime(2024, 2, 5, 9), "resolved_at": datetime(2024, 2, 5, 9, 20)},
    ]
    assert (
        f"{BOTH}: read as MM/DD/YYYY (read as DD/MM/YYYY, 1 row would have UpdatedAt before CreatedAt)" in result.notes
    )


def test_opsgenie_close_time_decides_where_an_alert_crosses_midnight():
    # Day-first a4 was closed a month after it was created (5 Jun to 5 Jul), not the 40 minutes of its CloseTime.
    csv = (
        "Alias,TinyId,Message,Status,CreatedAt,UpdatedAt,ClosedAt,CloseTime\n"
        "a4,4,Login errors,closed,5/6/2024 23:50,5/7/2024 00:35,5/7/2024 00:30,2400000\n"
    )
    result = preview_import("opsgenie.csv", csv.encode())
    assert result.problems == []
    assert result.tables["incidents"].column("resolved_at").to_pylist() == [datetime(2024, 5, 7, 0, 30)]
    assert f"{BOTH}: read as MM/DD/YYYY (read as DD/MM/YYYY, 1 row would contradict its CloseTime)" in result.notes


def test_opsgenie_alerts_nothing_tells_are_refused_and_date_order_reads_them():
    csv = (
        OPSGENIE_HEADER + "a3,3,Search slow,closed,3/4/2024 09:00,3/4/2024 09:45,3/4/2024 09:40,P2\n"
        "a4,4,Login errors,closed,5/6/2024 23:50,5/7/2024 00:35,5/7/2024 00:30,P1\n"
    )
    refused = preview_import("opsgenie.csv", csv.encode())
    assert refused.tables == {}
    assert [str(p) for p in refused.problems] == [
        refusal(
            "opsgenie.csv",
            *("3/4/2024 09:00", ("3 Apr 2024", "4 Mar 2024")),
            *("5/6/2024 23:50", ("5 Jun 2024", "6 May 2024")),
        )
    ]
    result = preview_import("opsgenie.csv", csv.encode(), date_order="mdy")
    assert result.tables["incidents"].column("resolved_at").to_pylist() == [
        datetime(2024, 3, 4, 9, 40),
        datetime(2024, 5, 7, 0, 30),
    ]


# -- Team maps: a membership ends after it starts. --------------------------------------------------------------------


def test_team_map_read_month_first_where_day_first_would_end_a_membership_before_it_started():
    # Day-first, Ana would have been in Payments from 3 Feb to 6 Jan.
    csv = "person,team,from,to\nana,Payments,3/2/2023,6/1/2023\nana,Ledger,6/1/2023,\n"
    result = preview_import("teams.csv", csv.encode())
    assert result.problems == []
    assert result.tables["team_memberships"].select(["valid_from", "valid_to"]).to_pylist() == [
        {"valid_from": datetime(2023, 3, 2), "valid_to": datetime(2023, 6, 1)},
        {"valid_from": datetime(2023, 6, 1), "valid_to": None},
    ]
    assert f"{BOTH}: read as MM/DD/YYYY (read as DD/MM/YYYY, 1 row would have to before from)" in result.notes


def test_team_map_nothing_tells_is_refused_date_order_reads_it_and_wins_over_the_rows():
    csv = "person,team,from\nana,Payments,3/2/2023\nben,Ledger,5/4/2024\n"
    refused = preview_import("teams.csv", csv.encode())
    assert [str(p) for p in refused.problems] == [
        refusal("teams.csv", "3/2/2023", ("3 Feb 2023", "2 Mar 2023"), "5/4/2024", ("5 Apr 2024", "4 May 2024"))
    ]
    result = preview_import("teams.csv", csv.encode(), date_order="mdy")
    assert result.tables["team_memberships"].column("valid_from").to_pylist() == [
        datetime(2023, 3, 2),
        datetime(2024, 5, 4),
    ]
    # The rows say month-first; the user's word wins, and the row it breaks is named.
    decided = "person,team,from,to\nana,Payments,3/2/2023,6/1/2023\n"
    overridden = preview_import("teams.csv", decided.encode(), date_order="dmy")
    assert [str(p) for p in overridden.problems] == [
        "teams.csv: row 2, column to: '6/1/2023' is not after the start date"
    ]


# -- Surveys: one round's responses come within weeks of each other. --------------------------------------------------


def test_survey_rounds_read_month_first_where_day_first_would_spread_a_round_over_months():
    csv = (
        "date,team,question,score,survey\n"
        "3/1/2025,Payments,Focus,4,Q1 pulse\n3/5/2025,Payments,Focus,3,Q1 pulse\n3/12/2025,Ledger,Focus,5,Q1 pulse\n"
        "6/2/2025,Payments,Focus,4,Q2 pulse\n6/9/2025,Ledger,Focus,2,Q2 pulse\n"
    )
    result = preview_import("survey.csv", csv.encode())
    assert result.problems == []
    assert result.tables["survey_responses"].column("responded_on").to_pylist() == [
        date(2025, 3, 1),
        date(2025, 3, 5),
        date(2025, 3, 12),
        date(2025, 6, 2),
        date(2025, 6, 9),
    ]
    # Month-first the rounds span 11 and 7 days; day-first 334 (3 Jan to 3 Dec) and 212 (6 Feb to 6 Sep).
    assert (
        f"{BOTH}: read as MM/DD/YYYY (a survey's response dates lie 9 days apart this way, 273 days read as "
        "DD/MM/YYYY; median over surveys)" in result.notes
    )


def test_survey_without_rounds_is_refused_and_date_order_reads_it():
    # Without a survey column the round is the date's quarter: the very thing that is unknown.
    csv = "date,team,question,score\n3/1/2025,Payments,Focus,4\n3/5/2025,Ledger,Focus,3\n"
    refused = preview_import("survey.csv", csv.encode())
    assert [str(p) for p in refused.problems] == [
        refusal("survey.csv", "3/1/2025", ("3 Jan 2025", "1 Mar 2025"), "3/5/2025", ("3 May 2025", "5 Mar 2025"))
    ]
    result = preview_import("survey.csv", csv.encode(), date_order="mdy")
    assert result.tables["survey_responses"].select(["survey_id", "responded_on"]).to_pylist() == [
        {"survey_id": "2025-Q1", "responded_on": date(2025, 3, 1)},
        {"survey_id": "2025-Q1", "responded_on": date(2025, 3, 5)},
    ]


# -- Jira's sprint report: a sprint ends after it starts, and lasts weeks. --------------------------------------------


def sprint_report(*sprints: dict) -> bytes:
    return json.dumps([{"sprint": {"state": "CLOSED", **sprint}, "contents": {}} for sprint in sprints]).encode()


def test_sprint_report_read_month_first_where_day_first_would_end_a_sprint_before_it_starts_or_a_year_later():
    # S1 day-first: 2 Dec to 3 Jan; S2 day-first: 3 Jan to 3 Dec.
    ordered = sprint_report({"name": "S1", "startDate": "2/12/2024 09:00", "endDate": "3/1/2024 17:00"})
    result = preview_import("report.json", ordered)
    assert result.problems == []
    assert result.tables["sprints"].select(["starts_at", "ends_at"]).to_pylist() == [
        {"starts_at": datetime(2024, 2, 12, 9), "ends_at": datetime(2024, 3, 1, 17)}
    ]
    assert (
        f"{BOTH}: read as MM/DD/YYYY (read as DD/MM/YYYY, 1 row would have sprint.endDate before sprint.startDate)"
        in result.notes
    )
    weeks_long = sprint_report({"name": "S2", "startDate": "3/1/2024 09:00", "endDate": "3/12/2024 17:00"})
    result = preview_import("report.json", weeks_long)
    assert result.tables["sprints"].column("ends_at").to_pylist() == [datetime(2024, 3, 12, 17)]
    assert (
        f"{BOTH}: read as MM/DD/YYYY (a sprint's start and end dates lie 11 days apart this way, 335 days read as "
        "DD/MM/YYYY; median over sprints)" in result.notes
    )


def test_sprint_report_nothing_tells_is_refused_and_date_order_reads_it():
    # About a month long either way (1 Mar to 2 Apr, or 3 Jan to 4 Feb).
    report = sprint_report({"name": "S3", "startDate": "1/3/2024 09:00", "endDate": "2/4/2024 17:00"})
    refused = preview_import("report.json", report)
    assert [str(p) for p in refused.problems] == [
        refusal(
            "report.json",
            *("1/3/2024 09:00", ("1 Mar 2024", "3 Jan 2024")),
            *("2/4/2024 17:00", ("2 Apr 2024", "4 Feb 2024")),
        )
    ]
    result = preview_import("report.json", report, date_order="mdy")
    assert result.tables["sprints"].select(["starts_at", "ends_at"]).to_pylist() == [
        {"starts_at": datetime(2024, 1, 3, 9), "ends_at": datetime(2024, 2, 4, 17)}
    ]


# -- Every reader: an ambiguous file its parser did not decide is refused, never read day-first. ---------------------


def test_a_reader_nobody_decided_refuses_rather_than_reads_the_first_layout():
    reader = DateReader(["3/4/2021", "5/6/2021"])
    with pytest.raises(ImportRejected) as refused:
        reader.read("3/4/2021", Problems("x.csv"), 2, "date")
    assert str(refused.value) == refusal(
        "x.csv", "3/4/2021", ("3 Apr 2021", "4 Mar 2021"), "5/6/2021", ("5 Jun 2021", "6 May 2021")
    )
