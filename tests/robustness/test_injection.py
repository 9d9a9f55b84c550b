"""Crafted snapshots: names holding quotes, SQL and markup are shown as text and never run, and no connection a
reader opens on a snapshot can reach other files, attach databases or load extensions."""

from __future__ import annotations

import duckdb
import pytest

from flowgauge.inventory import summarize_snapshot
from flowgauge.loaders.store import write_snapshot
from flowgauge.snapshot import open_snapshot
from flowgauge.ui.connection import SnapshotConnections
from robustness.checks import digest, one_error_line

# Each would run its COPY if a reader pasted it into SQL between double quotes: the file pwned.csv would appear.
TABLE = "evil\"; COPY people TO 'pwned.csv'; --"
COLUMN = "at\") FROM people; COPY people TO 'pwned.csv'; SELECT max(\"at"
MARKUP = "[bold red]notes[/bold red]"


@pytest.fixture
def crafted(tmp_path):
    """A snapshot (one person) with two extra tables whose names are SQL and rich markup, as anyone could craft."""
    path = tmp_path / "crafted.duckdb"
    with write_snapshot(path, fresh=True) as writer:
        writer.upsert("people", [{"person_id": "ana", "display_name": "Ana", "is_bot": False}])
    con = duckdb.connect(str(path))
    con.execute(f"CREATE TABLE {quote(TABLE)} ({quote(COLUMN)} TIMESTAMP)")
    con.execute(f"INSERT INTO {quote(TABLE)} VALUES ('2024-03-01 10:00'), ('2024-05-02 11:00')")
    con.execute(f"CREATE TABLE {quote(MARKUP)} (n INTEGER)")
    con.close()
    return path


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def test_crafted_names_are_summarised_as_names(crafted):
    con = open_snapshot(crafted)
    try:
        tables = {t.table: t for t in summarize_snapshot(con).tables}
    finally:
        con.close()
    evil = tables[TABLE]
    assert (evil.rows, evil.time_column) == (2, COLUMN)
    assert (evil.earliest.isoformat(), evil.latest.isoformat()) == ("2024-03-01T10:00:00", "2024-05-02T11:00:00")
    assert tables["people"].rows == 1 and tables[MARKUP].rows == 0


def test_info_shows_crafted_names_as_text_and_runs_nothing(crafted, tmp_path, flowgauge):
    before = digest(crafted)
    shown = flowgauge("info", crafted.name, cwd=tmp_path, env={"COLUMNS": "400"})
    assert shown.returncode == 0, shown.stderr
    assert TABLE in shown.stdout and COLUMN in shown.stdout
    assert MARKUP in shown.stdout  # the markup is printed, not applied
    assert "2024-03-01" in shown.stdout and "2024-05-02" in shown.stdout
    assert not (tmp_path / "pwned.csv").exists()
    assert digest(crafted) == before


def test_report_on_a_crafted_snapshot_runs_nothing(crafted, tmp_path, flowgauge):
    reported = flowgauge("report", crafted.name, "--format", "json", cwd=tmp_path)
    assert reported.returncode == 0, reported.stderr
    assert not (tmp_path / "pwned.csv").exists()


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "COPY (SELECT 1) TO '{folder}/copied.csv'",
        "ATTACH '{folder}/other.duckdb' AS other",
        "INSTALL httpfs",
        "SET enable_external_access = true",
    ],
)
def test_report_and_dashboard_connections_cannot_reach_outside_the_snapshot(crafted, tmp_path, statement):
    statement = statement.format(folder=tmp_path)
    report = open_snapshot(crafted)  # what `flowgauge report` and `info` read through
    dashboard = SnapshotConnections()  # what every dashboard page reads through (facts cache attached)
    identity = dashboard.identity(crafted)
    try:
        with pytest.raises(duckdb.Error, match="disabled by configuration|Cannot enable external access"):
            report.execute(statement)
        with dashboard.cursor(identity) as cursor, pytest.raises(duckdb.Error, match="disabled|Cannot enable"):
            cursor.execute(statement)
        with dashboard.cursor(identity) as cursor:
            assert cursor.execute("SELECT count(*) FROM people").fetchall() == [(1,)]  # the snapshot itself reads
    finally:
        report.close()
        dashboard.close_all()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == ["crafted.duckdb"]


VIEW = "CREATE VIEW teams AS SELECT column0 AS team_id FROM read_csv('/etc/passwd', header = false)"
MACRO = "CREATE MACRO fg_week(d) AS (SELECT count(*) FROM read_csv('/etc/passwd'))"


@pytest.mark.parametrize(
    ("command", "stored", "name"),
    [("report", VIEW, "teams"), ("import", VIEW, "teams"), ("info", MACRO, "fg_week")],
    ids=["report-view", "import-view", "info-macro"],
)
def test_a_snapshot_bringing_its_own_sql_is_refused_in_one_line(tmp_path, flowgauge, command, stored, name):
    path = tmp_path / "crafted.duckdb"
    with write_snapshot(path, fresh=True):
        pass
    con = duckdb.connect(str(path))
    if name == "teams":
        con.execute("DROP TABLE teams")
    con.execute(stored)
    con.close()
    before = digest(path)
    if command == "import":
        team_map = tmp_path.parent / "team_map.csv"
        team_map.write_text("person,team\nana,Payments\n")
        result = flowgauge("import", str(team_map), "--into", str(path))
    else:
        result = flowgauge(command, str(path))
    assert result.returncode == 1
    assert one_error_line(result.stderr).startswith(
        f"{path}: holds views or macros ('{name}'), which Flowgauge snapshots never have; refused"
    )
    assert digest(path) == before
