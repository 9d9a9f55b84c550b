"""`flowgauge import` as a user runs it: a happy path, a one-line error with exit code 1, and templates."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from flowgauge.snapshot import open_snapshot

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


def flowgauge(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flowgauge.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )


def test_import_writes_every_file_and_reports_it(tmp_path):
    target = tmp_path / "org.duckdb"
    result = flowgauge(
        "import", str(FIXTURES / "jira_export_en.csv"), str(FIXTURES / "pagerduty_incidents.csv"), "--into", str(target)
    )
    assert result.returncode == 0, result.stderr
    assert f"Imported 2 file(s) into {target}" in result.stdout
    assert "jira_csv" in result.stdout and "pagerduty_csv" in result.stdout
    con = open_snapshot(target)
    try:
        counts = con.execute(
            "SELECT (SELECT count(*) FROM work_items), (SELECT count(*) FROM incidents), (SELECT count(*) FROM sources)"
        ).fetchall()
    finally:
        con.close()
    assert counts == [(4, 3, 2)]


def test_a_bad_file_is_one_line_on_stderr_exit_1_and_the_snapshot_unchanged(tmp_path):
    target = tmp_path / "org.duckdb"
    assert flowgauge("import", str(FIXTURES / "team_map.csv"), "--into", str(target)).returncode == 0
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    bad = tmp_path / "survey.csv"
    bad.write_text("date,team,question,score\n2025-07-01,Payments,Focus,high\n")
    result = flowgauge("import", str(FIXTURES / "devex_survey.csv"), str(bad), "--into", str(target))
    assert result.returncode == 1
    assert result.stderr == "flowgauge: error: survey.csv: row 2, column score: 'high' is not a number\n"
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before


def test_size_limit_option(tmp_path):
    result = flowgauge("import", str(FIXTURES / "jira_export_en.csv"), "--into", str(tmp_path / "x.duckdb"),
                       "--max-mb", "0.001")  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == (
        "flowgauge: error: jira_export_en.csv: the file is 1.1 KB, over the import limit of 1.0 KB "
        "(raise the limit with --max-mb, or split the file)\n"
    )
    assert not (tmp_path / "x.duckdb").exists()


def test_template_prints_a_header_only_csv():
    result = flowgauge("import", "--template", "incidents")
    assert result.returncode == 0
    assert result.stdout == (
        "incident_id,source,title,repo_id,service_id,severity,opened_at,acknowledged_at,resolved_at,deployment_id,url\n"
    )


def test_an_ambiguous_date_order_is_refused_on_one_line_and_date_order_reads_it(tmp_path):
    target = tmp_path / "org.duckdb"
    export = tmp_path / "jira.csv"
    export.write_text(
        "Summary,Issue key,Issue Type,Status,Created\nA,X-1,Task,Done,3/4/2021\nB,X-2,Task,Done,5/6/2021\n"
    )
    refused = flowgauge("import", str(export), "--into", str(target))
    assert refused.returncode == 1
    assert refused.stderr == (
        "flowgauge: error: jira.csv: every date fits both DD/MM/YYYY and MM/DD/YYYY and the rows do not tell which "
        "('3/4/2021' is 3 Apr 2021 (dmy) or 4 Mar 2021 (mdy); '5/6/2021' is 5 Jun 2021 (dmy) or 6 May 2021 (mdy)): "
        "import again with --date-order dmy or --date-order mdy\n"
    )
    assert not target.exists()
    result = flowgauge("import", str(export), "--into", str(target), "--date-order", "mdy")
    assert result.returncode == 0, result.stderr
    con = open_snapshot(target)
    try:
        created = con.execute("SELECT created_at::DATE::VARCHAR FROM work_items ORDER BY item_key").fetchall()
    finally:
        con.close()
    assert created == [("2021-03-04",), ("2021-05-06",)]
    wrong = flowgauge("import", str(export), "--into", str(target), "--date-order", "ymd")
    assert wrong.returncode == 2  # a usage error, the choices named
    assert "Invalid value for '--date-order'" in wrong.stderr and "'dmy', 'mdy'" in wrong.stderr
