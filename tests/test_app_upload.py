"""Uploading files on the Data page: a good file is imported, a bad one is explained per row and writes nothing."""

import hashlib
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from flowgauge.loaders.store import write_snapshot
from flowgauge.metrics import DEFAULT_RULES
from flowgauge.metrics.facts import keep_facts, warm_facts
from flowgauge.snapshot import open_snapshot, snapshot_identity
from flowgauge.ui.text import plain

ROOT = Path(__file__).resolve().parents[1]
GOOD = (
    b"date,team,question,score,respondent\n"
    b"2026-06-10,platform,Ease of release,4,a1\n"
    b"2026-06-10,platform,Ease of release,5,a2\n"
)
BAD = b"date,team,question,score\n2026-06-10,platform,Ease of release,4\n2026-99-10,platform,Ease,=1+1\n"


@pytest.fixture
def data_page(app_data_dir, tmp_path) -> tuple[AppTest, Path]:
    """The Data page over a private copy of the fixture snapshot (imports write to it)."""
    shutil.copy(app_data_dir / "demo.duckdb", tmp_path / "demo.duckdb")
    at = AppTest.from_file(str(ROOT / "flowgauge" / "dashboard" / "pages" / "data.py"), default_timeout=60)
    at.session_state["fg_data_dir"] = str(tmp_path)
    return at.run(), tmp_path / "demo.duckdb"


def survey_answers(path: Path) -> int:
    con = open_snapshot(path)
    try:
        return con.execute("SELECT count(*) FROM survey_responses").fetchall()[0][0]
    finally:
        con.close()


def test_a_good_file_is_previewed_then_imported(data_page):
    at, snapshot = data_page
    before = survey_answers(snapshot)
    at.file_uploader(key="fg_upload").upload("survey.csv", GOOD, "text/csv").run()
    assert not at.exception
    previews = [markdown.value for markdown in at.markdown]
    assert any("DevEx survey results" in text for text in previews)
    assert "`survey_responses`: 2 row(s) would be written" in previews
    assert survey_answers(snapshot) == before  # a preview writes nothing

    at.button(key="fg_import_go").click().run()
    assert not at.exception
    assert survey_answers(snapshot) == before + 2
    assert any(plain("Imported into demo.duckdb") in success.value for success in at.success)
    # The metrics' facts of the new file were cached with the import, so the next view filters them.
    reader = open_snapshot(snapshot)
    try:
        assert keep_facts(reader, snapshot_identity(snapshot)) and warm_facts(reader, DEFAULT_RULES, build=False)
    finally:
        reader.close()


def test_a_bad_file_shows_each_problem_by_row_and_column_and_writes_nothing(data_page):
    at, snapshot = data_page
    digest = hashlib.sha256(snapshot.read_bytes()).hexdigest()
    at.file_uploader(key="fg_upload").upload("survey.csv", BAD, "text/csv").run()
    assert not at.exception
    assert any("nothing will be written" in error.value for error in at.error)
    problems = next(
        frame.value for frame in at.dataframe if list(frame.value.columns) == ["file", "row", "column", "problem"]
    )
    assert list(problems.itertuples(index=False, name=None)) == [
        ("survey.csv", 3, "date", "'2026-99-10' is not a date in this file's format YYYY-MM-DD"),
        ("survey.csv", 3, "score", "'=1+1' is not a number"),
    ]
    assert not [button for button in at.button if button.key == "fg_import_go"]
    assert hashlib.sha256(snapshot.read_bytes()).hexdigest() == digest


def test_a_rewritten_snapshot_shows_at_once(data_page):
    at, snapshot = data_page
    counts = next(frame.value for frame in at.dataframe if "PRs" in frame.value.columns)
    assert list(counts["PRs"]) == [600]
    with write_snapshot(snapshot) as writer:  # a loader refreshes the file while the dashboard is open
        writer.con.execute("DELETE FROM pull_requests WHERE number >= 100")
    at.run()
    counts = next(frame.value for frame in at.dataframe if "PRs" in frame.value.columns)
    assert list(counts["PRs"]) == [100]
