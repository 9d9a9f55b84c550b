"""The `flowgauge` command as a user runs it: real subprocesses, exit codes and the lines they print."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb

from flowgauge.loaders.store import write_snapshot
from flowgauge.snapshot import SCHEMA_VERSION, open_snapshot


def flowgauge(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flowgauge.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )


def test_info_on_a_missing_path_is_one_clear_line(tmp_path):
    result = flowgauge("info", str(tmp_path / "nowhere.duckdb"))
    assert result.returncode == 1
    assert result.stderr == f"flowgauge: error: {tmp_path / 'nowhere.duckdb'}: no such snapshot file\n"
    assert "Traceback" not in result.stderr + result.stdout


def test_info_on_a_file_that_is_not_duckdb(tmp_path):
    bogus = tmp_path / "export.csv"
    bogus.write_text("id,title\n1,hello\n")
    result = flowgauge("info", str(bogus))
    assert result.returncode == 1
    assert result.stderr == f"flowgauge: error: {bogus}: not a DuckDB file, so not a Flowgauge snapshot\n"


def test_info_on_a_folder(tmp_path):
    result = flowgauge("info", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr == f"flowgauge: error: {tmp_path}: is a directory, not a snapshot file\n"


def test_info_on_a_duckdb_file_that_is_not_a_snapshot(tmp_path):
    other = tmp_path / "analytics.duckdb"
    duckdb.connect(str(other)).execute("CREATE TABLE events (id INTEGER)").close()
    result = flowgauge("info", str(other))
    assert result.returncode == 1
    assert "a DuckDB file, but not a Flowgauge snapshot" in result.stderr
    assert result.stderr.count("\n") == 1


def test_info_lists_tables_counts_span_and_sources(tmp_path):
    path = tmp_path / "small.duckdb"
    with write_snapshot(path) as writer:
        writer.upsert(
            "incidents",
            [
                {"incident_id": "pd:1", "source": "pagerduty", "opened_at": "2025-01-05 10:00:00"},
                {"incident_id": "pd:2", "source": "pagerduty", "opened_at": "2025-03-09 08:00:00"},
            ],
        )
        writer.record_source("import:incidents.csv", "import", "incidents.csv")
    result = flowgauge("info", str(path))
    assert result.returncode == 0, result.stderr
    incidents_line = next(line for line in result.stdout.splitlines() if " incidents " in line)
    assert "2" in incidents_line and "2025-01-05" in incidents_line and "2025-03-09" in incidents_line
    assert "import:incidents.csv" in result.stdout and "incidents.csv" in result.stdout
    assert f"schema v{SCHEMA_VERSION}" in result.stdout
    assert "Empty tables:" in result.stdout and "pull_requests" in result.stdout


def test_demo_then_info_shows_every_history_table_populated(tmp_path):
    out = tmp_path / "x.duckdb"
    made = flowgauge("demo", "--out", str(out), "--scale", "0.05", "--seed", "3", "--end", "2026-06-30")
    assert made.returncode == 0, made.stderr
    assert f"Wrote {out}" in made.stdout
    shown = flowgauge("info", str(out))
    assert shown.returncode == 0, shown.stderr
    assert "Empty tables" not in shown.stdout
    con = open_snapshot(out)
    empty = [
        table
        for (table,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE table_name NOT IN ('sync_state', 'sync_runs')"
        ).fetchall()
        if con.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0] == 0
    ]
    con.close()
    assert empty == []


def test_demo_with_a_bad_end_date_names_the_option(tmp_path):
    result = flowgauge("demo", "--out", str(tmp_path / "x.duckdb"), "--end", "30/06/2026")
    assert result.returncode == 2
    assert "'30/06/2026' is not a date in the form YYYY-MM-DD" in result.stderr
    assert not (tmp_path / "x.duckdb").exists()


def test_upgrade_on_a_current_snapshot_keeps_it_readable(tmp_path):
    path = tmp_path / "s.duckdb"
    with write_snapshot(path) as writer:
        writer.upsert("teams", [{"team_id": "payments", "name": "Payments"}])
    result = flowgauge("upgrade", str(path))
    assert result.returncode == 0, result.stderr
    con = open_snapshot(path)
    assert con.execute("SELECT name FROM teams").fetchall() == [("Payments",)]
    con.close()


def test_version_prints_the_installed_version():
    from flowgauge import __version__

    result = flowgauge("--version")
    assert result.returncode == 0
    assert result.stdout == f"flowgauge {__version__}\n"


def test_shell_completion_is_offered_and_completes_choices():
    # Typer names the shell by looking for one among the command's parent processes, as when a person types it:
    # run it from bash, not straight from a test worker that may have none above it.
    script = subprocess.run(
        ["bash", "-c", '"$0" -m flowgauge.cli.main --show-completion; exit $?', sys.executable],
        capture_output=True,
        text=True,
        timeout=300,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )
    assert script.returncode == 0, script.stderr
    assert "_FLOWGAUGE_COMPLETE=complete_bash" in script.stdout
    completed = subprocess.run(
        [sys.executable, "-m", "flowgauge.cli.main"],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": "/usr/bin:/bin",
            "_FLOWGAUGE_COMPLETE": "complete_bash",
            "COMP_WORDS": "flowgauge report x --format ",
            "COMP_CWORD": "4",
        },
    )
    assert completed.stdout.split() == ["table", "json", "csv", "html", "pdf"]


def test_usage_errors_exit_2(tmp_path):
    assert flowgauge("import", "--into", str(tmp_path / "x.duckdb")).returncode == 2  # no files
    kind = flowgauge("import", "a.csv", "--into", str(tmp_path / "x.duckdb"), "--kind", "excel")
    assert kind.returncode == 2
    assert "Invalid value for '--kind'" in kind.stderr
    assert not (tmp_path / "x.duckdb").exists()


def test_every_day_option_takes_the_same_form(tmp_path):
    # One parser for --since, --from, --to and --end: a UTC day as YYYY-MM-DD, nothing else.
    for args in (
        ["demo", "--out", str(tmp_path / "x.duckdb"), "--end", "2026-06-30T12:00"],
        ["snapshot", "git", str(tmp_path), "--since", "2026-06-30 12:00"],
        ["snapshot", "github", "acme/web", "--since", "20260630"],
        ["snapshot", "gitlab", "acme/web", "--since", "30.06.2026"],
        ["report", str(tmp_path / "x.duckdb"), "--from", "2026-W26"],
    ):
        result = flowgauge(*args)
        assert result.returncode == 2, args
        assert "is not a date in the form YYYY-MM-DD (a UTC day)" in result.stderr, args
    far = flowgauge("report", str(tmp_path / "x.duckdb"), "--to", "1969-12-31")
    assert far.returncode == 2
    assert "'1969-12-31' is outside the dates Flowgauge accepts (1970-01-01 to 2099-12-31 UTC)" in far.stderr
