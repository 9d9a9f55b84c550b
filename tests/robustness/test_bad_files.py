"""Bad input files through the real `flowgauge import` and the Data page's upload: one line naming the file (and row
and column), exit 1, no traceback, the snapshot byte-identical and nothing left beside it; awkward files read right."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from flowgauge.cli.main import run
from flowgauge.loaders.store import write_snapshot
from flowgauge.snapshot import open_snapshot
from robustness.bad_file_corpus import ACCEPTED, REFUSED, Accepted, Refused, folder_listing, survey, write_case

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "flowgauge: error: "


@pytest.fixture
def snapshot(tmp_path) -> Path:
    """A snapshot that already holds data, in a folder of its own (the files under test live elsewhere)."""
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "snap.duckdb"
    with write_snapshot(path, fresh=True) as writer:
        writer.upsert("teams", [{"team_id": "platform", "name": "Platform"}])
        writer.record_source("import:teams.csv", "import", "teams.csv")
    return path


def flowgauge(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """The console-script entry point in this process: (exit status, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["flowgauge", *args])
    try:
        run()
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def expected_line(case: Refused, path: Path) -> str:
    return case.message.replace("{path}", str(path))


def assert_one_line(stderr: str, expected: str) -> None:
    assert stderr.endswith("\n") and stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr
    line = stderr[len(PREFIX) : -1]
    assert stderr.startswith(PREFIX)
    if expected.endswith("..."):
        assert line.startswith(expected[:-3])
    else:
        assert line == expected
    # Never a raw control character (NUL, ESC, CR...) in a message, whatever the file held.
    assert all(ch.isprintable() for ch in line), repr(line)


@pytest.mark.parametrize("case", REFUSED, ids=[case.id for case in REFUSED])
def test_a_bad_file_is_refused_with_one_line_and_the_snapshot_untouched(case, snapshot, tmp_path, monkeypatch, capsys):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    path = write_case(inputs, case.name, case.content)
    digest = hashlib.sha256(snapshot.read_bytes()).hexdigest()
    files_before = folder_listing(snapshot.parent)

    code, out, err = flowgauge(monkeypatch, capsys, "import", str(path), "--into", str(snapshot))

    assert code == 1, out + err
    assert_one_line(err, expected_line(case, path))
    assert "Traceback" not in out
    assert hashlib.sha256(snapshot.read_bytes()).hexdigest() == digest
    assert folder_listing(snapshot.parent) == files_before  # no temp file, lock or cache left behind


@pytest.mark.parametrize("case", ACCEPTED, ids=[case.id for case in ACCEPTED])
def test_an_awkward_file_is_read_as_meant(case: Accepted, snapshot, tmp_path, monkeypatch, capsys):
    path = write_case(tmp_path, case.name, case.content)

    code, out, err = flowgauge(monkeypatch, capsys, "import", str(path), "--into", str(snapshot))

    assert code == 0, err
    assert err == ""
    con = open_snapshot(snapshot)
    try:
        assert con.execute(case.query).fetchall() == case.expected
        (detail,) = con.execute("SELECT detail FROM sources WHERE source_id = ?", [f"import:{case.name}"]).fetchone()
    finally:
        con.close()
    # What was guessed or dropped is recorded with the load (and shown in its summary), never silent.
    assert case.summary in " ".join(json.loads(detail)["notes"])


def test_a_failed_import_of_several_files_writes_none_of_them(snapshot, tmp_path, monkeypatch, capsys):
    good = write_case(tmp_path, "teams.csv", b"team_id,name\npayments,Payments\n")
    bad = write_case(tmp_path, "export.csv", bytes(range(256)) * 8)
    digest = hashlib.sha256(snapshot.read_bytes()).hexdigest()

    code, _, err = flowgauge(monkeypatch, capsys, "import", str(good), str(bad), "--into", str(snapshot))

    assert code == 1
    assert err == PREFIX + "export.csv: is a binary file, not text (CSV, JSON or JSON Lines)\n"
    assert hashlib.sha256(snapshot.read_bytes()).hexdigest() == digest


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "survey.csv",
            survey("2026-06-10,platform,Ease,4,a1", "2026-06-10,platform,Ease,high,a2", newline="\r"),
            "survey.csv: row 3, column score: 'high' is not a number",
        ),
        ("export.csv", bytes(range(256)) * 4, "export.csv: is a binary file, not text (CSV, JSON or JSON Lines)"),
        ("folder.csv", lambda path: path.mkdir(), "{path}: is a directory, not a file"),
    ],
    ids=["CR-only", "binary", "directory"],
)
def test_the_installed_command_prints_one_line_and_no_traceback(name, content, message, snapshot, tmp_path):
    path = write_case(tmp_path, name, content)
    digest = hashlib.sha256(snapshot.read_bytes()).hexdigest()
    completed = subprocess.run(
        [sys.executable, "-m", "flowgauge.cli.main", "import", str(path), "--into", str(snapshot)],
        capture_output=True,
        text=True,
        timeout=300,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )
    assert completed.returncode == 1
    assert completed.stderr == PREFIX + message.replace("{path}", str(path)) + "\n"
    assert "Traceback" not in completed.stdout
    assert hashlib.sha256(snapshot.read_bytes()).hexdigest() == digest


def test_report_skips_an_out_of_range_time_in_a_copied_in_snapshot(tmp_path, monkeypatch, capsys):
    # Written directly, as a snapshot from elsewhere or an older Flowgauge might hold it: year 10000 has no Python
    # datetime, and the default window used to end there (OverflowError).
    path = tmp_path / "far.duckdb"
    with write_snapshot(path, fresh=True) as writer:
        writer.con.execute(
            "INSERT INTO pull_requests (pr_id, repo_id, number, state, is_draft, created_at, merged_at) VALUES "
            "('acme/x#1', 'acme/x', 1, 'merged', false, TIMESTAMP '2026-03-01 10:00', TIMESTAMP '2026-03-02 10:00'),"
            "('acme/x#2', 'acme/x', 2, 'merged', false, TIMESTAMP '2026-03-05 10:00', TIMESTAMP '10000-01-01 00:00')"
        )

    code, out, err = flowgauge(monkeypatch, capsys, "report", str(path))

    assert code == 0, err
    assert err == ""
    # The window ends after the latest time a report can hold (PR 2 opened 2026-03-05), not in year 10000.
    assert "Flowgauge report 2025-12-06 to 2026-03-05 (UTC), all teams" in out


# The Data page's upload goes through the same reading code; a bad file is one problem row and no exception.


@pytest.fixture
def data_page(app_data_dir, tmp_path) -> tuple[AppTest, Path]:
    shutil.copy(app_data_dir / "demo.duckdb", tmp_path / "demo.duckdb")
    at = AppTest.from_file(str(ROOT / "flowgauge" / "dashboard" / "pages" / "data.py"), default_timeout=60)
    at.session_state["fg_data_dir"] = str(tmp_path)
    return at.run(), tmp_path / "demo.duckdb"


def test_upload_of_a_cr_only_file_is_previewed(data_page):
    at, snapshot = data_page
    content = survey("2026-06-10,platform,Ease,4,a1", "2026-06-10,platform,Ease,5,a2", newline="\r")
    at.file_uploader(key="fg_upload").upload("survey.csv", content, "text/csv").run()
    assert not at.exception
    assert not at.error
    assert "`survey_responses`: 2 row(s) would be written" in [markdown.value for markdown in at.markdown]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("export.csv", bytes(range(256)) * 4, "is a binary file, not text (CSV, JSON or JSON Lines)"),
        (
            "survey.csv",
            survey("2026-06-10,platform,Ease,4,a1", "2026-06-10,platform,Ease,high,a2", newline="\r"),
            "'high' is not a number",
        ),
        (
            "teams.parquet",
            b"PAR1" + b"\x00garbage" * 20 + b"PAR1",
            "is not a readable Parquet file: it may be truncated or damaged",
        ),
    ],
    ids=["binary", "CR-only with a bad value", "corrupt Parquet"],
)
def test_upload_of_a_bad_file_shows_one_problem_and_writes_nothing(data_page, name, content, message):
    at, snapshot = data_page
    digest = hashlib.sha256(snapshot.read_bytes()).hexdigest()
    at.file_uploader(key="fg_upload").upload(name, content, "text/csv").run()
    assert not at.exception
    problems = next(
        frame.value for frame in at.dataframe if list(frame.value.columns) == ["file", "row", "column", "problem"]
    )
    assert [row[0] for row in problems.itertuples(index=False, name=None)] == [name]
    assert list(problems["problem"]) == [message]
    assert any("nothing will be written" in error.value for error in at.error)
    assert not [button for button in at.button if button.key == "fg_import_go"]
    assert hashlib.sha256(snapshot.read_bytes()).hexdigest() == digest
