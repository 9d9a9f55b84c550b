"""The Planning page on a Jira CSV export: the empty state names the missing sprint dates and shows how to load
them; with a sprint calendar the accuracy cards say they are approximate."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from flowgauge.loaders.imports import import_files

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "imports"
SEPTEMBER_2021 = {"from": "2021-09-01", "to": "2021-10-14"}


def planning_page(data_dir: Path) -> AppTest:
    at = AppTest.from_file(str(ROOT / "flowgauge" / "dashboard" / "pages" / "planning.py"), default_timeout=60)
    at.session_state["fg_data_dir"] = str(data_dir)
    for key, value in SEPTEMBER_2021.items():
        at.query_params[key] = value
    return at.run()


def test_without_sprint_dates_the_empty_state_names_them_and_shows_the_docs(tmp_path):
    import_files([FIXTURES / "jira_export_en.csv"], tmp_path / "demo.duckdb")
    at = planning_page(tmp_path)
    assert not at.exception, at.exception
    # The reason is shown as text (Markdown escaped).
    empty = next(box.value.replace("\\", "") for box in at.info if "No sprint accuracy to show" in box.value)
    assert "because 2 sprints in this snapshot have no dates: import a sprint calendar" in empty
    assert "flowgauge import --template sprints" in empty and "flowgauge snapshot jira" in empty
    assert "Sprint calendars (docs/imports.md)" in [expander.label for expander in at.expander]
    docs = next(expander for expander in at.expander if expander.label.startswith("Sprint calendars"))
    assert any("flowgauge import --template sprints > sprints.csv" in md.value for md in docs.markdown)


def test_with_a_sprint_calendar_the_cards_say_approximate(tmp_path):
    import_files([FIXTURES / "jira_export_en.csv", FIXTURES / "sprint_calendar.csv"], tmp_path / "demo.duckdb")
    at = planning_page(tmp_path)
    assert not at.exception, at.exception
    cards = {metric.label: metric.value for metric in at.metric}
    assert cards["Planning accuracy (approximate)"] == "27.3 %"
    assert cards["Capacity accuracy (approximate)"] == "27.3 %"
    # Shown as text (Markdown escaped): the flag, capitalised.
    assert [box.value.replace("\\", "") for box in at.warning] == [
        "Approximate: no changelog, so work added after the sprint started is unknown and every item in the sprint at "
        "its end counts as planned (story points; load sprints with the Jira loader for exact figures)"
    ]


def test_the_data_page_shows_the_import_summary_of_undated_sprints(tmp_path):
    import_files([FIXTURES / "jira_export_en.csv"], tmp_path / "demo.duckdb")
    at = AppTest.from_file(str(ROOT / "flowgauge" / "dashboard" / "pages" / "data.py"), default_timeout=60)
    at.session_state["fg_data_dir"] = str(tmp_path)
    at.run()
    assert not at.exception, at.exception
    sources = next(frame.value for frame in at.dataframe if "load summary" in frame.value.columns)
    assert (
        "2 sprints have no dates: planning accuracy needs a sprint calendar (flowgauge import --template sprints) "
        "or the Jira loader" in sources["load summary"][0]
    )
