"""The Impact page, goals on the Overview and Teams pages and initiative marks on trend charts, on the app fixture
snapshot with initiatives and goals written beside it in the test."""

from __future__ import annotations

import json
import shutil
import threading
import time
from concurrent.futures import wait
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from flowgauge.impact import goal_status, measure_impact
from flowgauge.impact.verdict import metric_label
from flowgauge.metrics import METRICS
from flowgauge.organisation_data import Goal, Initiative, load_organisation, save_changes
from flowgauge.snapshot import open_snapshot
from flowgauge.ui import organisation
from flowgauge.ui.charts import Marks, trend_lines
from flowgauge.ui.deferred import Deferred
from flowgauge.ui.text import plain

ROOT = Path(__file__).resolve().parents[1]
ROTA = Initiative(
    name="**Rota** [x](https://e.example)",
    start=date(2026, 4, 1),
    teams=("platform",),
    metrics=("pr_size", "deploy_frequency"),
    note="<b>pairing</b> :red[loud]",
    window_days=60,
)
GOAL = Goal("platform", "pr_size", 50.0, "median", date(2026, 12, 31), date(2026, 3, 1))


@pytest.fixture
def data_dir(app_data_dir, tmp_path) -> Path:
    """A copy of the app fixture's data folder with an initiative and a goal beside the snapshot."""
    shutil.copy(app_data_dir / "demo.duckdb", tmp_path / "demo.duckdb")
    save_changes(tmp_path / "demo.duckdb", [ROTA], [GOAL], "ana")
    return tmp_path


def open_page(data_dir: Path, page: str, params=None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "flowgauge" / "dashboard" / "pages" / f"{page}.py"), default_timeout=90)
    at.session_state["fg_data_dir"] = str(data_dir)
    for key, value in {"from": "2026-01-01", "to": "2026-06-30", "stat": "median", **(params or {})}.items():
        at.query_params[key] = value
    return at.run()


def on_snapshot(cursor, data_dir: Path) -> bool:
    """Whether cursor reads the snapshot in data_dir."""
    paths = cursor.execute("SELECT path FROM duckdb_databases() WHERE path IS NOT NULL").fetchall()
    return (data_dir / "demo.duckdb").resolve() in [Path(path).resolve() for (path,) in paths]


def test_impact_page_shows_each_metrics_verdict_and_sentence_with_file_text_as_text(data_dir):
    con = open_snapshot(data_dir / "demo.duckdb")
    try:
        expected = [measure_impact(con, ROTA, metric_id) for metric_id in ROTA.metrics]
        status = goal_status(con, GOAL)
    finally:
        con.close()
    at = open_page(data_dir, "impact")
    assert not at.exception and not at.error
    shown = [element.value for element in at.markdown]
    assert f"#### {plain(ROTA.name)}" in shown  # a name from the file, never a heading's Markdown or a link
    for result in expected:
        assert plain(result.sentence) in shown
        assert any(value.startswith(f"**{plain(metric_label(result))}** :") for value in shown)
    assert any(plain(status.sentence) in value for value in shown)
    assert any(plain(ROTA.note) in caption.value for caption in at.caption)


def test_an_editor_creates_an_initiative_from_the_form_and_the_change_is_logged(data_dir):
    at = open_page(data_dir, "impact")
    at.text_input(key="impact_editor").input("Carla").run()
    form = next(text for text in at.text_input if text.label == "Name")
    form.input("Smaller PRs")
    next(select for select in at.multiselect if select.label == "Teams it touched").select("payments")
    next(select for select in at.multiselect if select.label == "Metrics it meant to move").select("pr_size")
    next(button for button in at.button if button.label == "Save initiative").click().run()
    assert not at.exception, at.exception
    kept = load_organisation(data_dir / "demo.duckdb")
    created = kept.initiative("Smaller PRs")
    assert created is not None and created.teams == ("payments",) and created.metrics == ("pr_size",)
    last = kept.changes[-1]
    assert (last.by, last.action, last.kind, last.subject) == ("Carla", "create", "initiative", "Smaller PRs")


def test_a_form_without_any_team_repository_or_service_is_refused_in_one_line(data_dir):
    at = open_page(data_dir, "impact")
    at.text_input(key="impact_editor").input("Carla").run()
    next(text for text in at.text_input if text.label == "Name").input("Nothing touched")
    next(button for button in at.button if button.label == "Save initiative").click().run()
    assert [error.value for error in at.error] == [
        plain("initiative: name at least one of teams, repos or services the initiative touched")
    ]
    assert load_organisation(data_dir / "demo.duckdb").initiative("Nothing touched") is None


def test_without_a_name_for_the_log_there_are_no_forms(data_dir):
    at = open_page(data_dir, "impact")
    assert not any(button.label == "Save initiative" for button in at.button)


def test_overview_and_teams_pages_show_the_goals_of_the_teams_in_view(data_dir):
    overview = open_page(data_dir, "overview", {"team": "platform"})
    assert not overview.exception
    assert any(plain("Platform, PR size median:") in element.value for element in overview.markdown)
    assert any(plain(ROTA.name) in element.value for element in overview.markdown)
    other = open_page(data_dir, "overview", {"team": "mobile"})
    assert not any("PR size median" in element.value for element in other.markdown)
    teams = open_page(data_dir, "teams")
    teams.selectbox(key="teams_focus").set_value("platform").run()
    assert any(plain("Platform, PR size median:") in element.value for element in teams.markdown)


def test_the_overview_draws_its_scorecard_while_the_initiatives_and_goals_are_measured(data_dir, monkeypatch):
    """Verdicts and goal statuses are measured on a background thread: the first run names them as being measured
    (the scorecard does not wait), a later run shows the numbers measure_impact and goal_status give."""
    con = open_snapshot(data_dir / "demo.duckdb")
    try:
        expected = [measure_impact(con, ROTA, metric_id) for metric_id in ROTA.metrics]
        status = goal_status(con, GOAL)
    finally:
        con.close()
    release = threading.Event()
    measured = []

    def held(original):
        def measure(*args, **kwargs):
            if not on_snapshot(args[0], data_dir):  # an earlier test's work, still on the shared background thread
                return original(*args, **kwargs)
            assert release.wait(60)
            measured.append(original.__name__)
            return original(*args, **kwargs)

        return measure

    monkeypatch.setattr(organisation, "measure_impact", held(organisation.measure_impact))
    monkeypatch.setattr(organisation, "goal_status", held(organisation.goal_status))
    overview = open_page(data_dir, "overview", {"team": "platform"})
    assert not overview.exception
    assert len(overview.metric) >= 20  # the scorecard is drawn while nothing is measured yet
    shown = [element.value for element in overview.markdown]
    for metric_id in ROTA.metrics:
        assert plain(f"{ROTA.name}: measuring its impact on {METRICS[metric_id].name}…") in shown
    assert plain("Platform, PR size median: measuring…") in shown
    release.set()
    deadline = time.monotonic() + 60
    while any("measuring" in element.value for element in overview.run().markdown) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sorted(measured) == ["goal_status", "measure_impact", "measure_impact"]  # each measured once
    shown = [element.value for element in overview.markdown]
    assert not any("measuring" in value for value in shown)
    for result in expected:
        assert any(plain(result.sentence) in value and plain(ROTA.name) in value for value in shown)
    assert any(plain(status.sentence) in value for value in shown)


def test_the_teams_page_draws_while_the_focused_teams_goals_are_measured(data_dir, monkeypatch):
    """The focused team's goal statuses are measured on the background thread, as the Overview's: the page is drawn
    with the goal named as being measured, and a later run shows the status goal_status gives."""
    con = open_snapshot(data_dir / "demo.duckdb")
    try:
        status = goal_status(con, GOAL)
    finally:
        con.close()
    release = threading.Event()
    measured = []

    def held(*args, **kwargs):
        if not on_snapshot(args[0], data_dir):  # an earlier test's work, still on the shared background thread
            return goal_status(*args, **kwargs)
        assert release.wait(60)
        measured.append(args[1])
        return goal_status(*args, **kwargs)

    monkeypatch.setattr(organisation, "goal_status", held)
    teams = open_page(data_dir, "teams")
    teams.selectbox(key="teams_focus").set_value("platform").run()
    assert not teams.exception
    shown = [element.value for element in teams.markdown]
    assert "**Platform's goals**" in shown
    assert plain("Platform, PR size median: measuring…") in shown
    assert teams.selectbox(key="teams_focus").value == "platform"  # the rest of the page is drawn meanwhile
    assert any(subheader.value == "Team membership over time" for subheader in teams.subheader)
    release.set()
    deadline = time.monotonic() + 60
    while any("measuring" in element.value for element in teams.run().markdown) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert measured == [GOAL]  # measured once
    shown = [element.value for element in teams.markdown]
    assert not any("measuring" in value for value in shown)
    assert status.status == "off_track" and status.sentence.startswith("Platform, PR size median: 264 lines now")
    assert f":orange-badge[:material/warning: off track] {plain(status.sentence)}" in shown
    assert [bar.proto.text for bar in teams.get("progress")] == ["0% of the way from where it was when set"]


def test_deferred_work_runs_once_per_key_and_forgets_only_finished_work():
    deferred = Deferred(max_kept=2)
    release = threading.Event()
    runs = []
    first = deferred.submit("a", lambda: runs.append("a") or release.wait(60))
    assert deferred.submit("a", lambda: runs.append("again")) is first
    deferred.submit("b", lambda: runs.append("b"))
    deferred.submit("c", lambda: runs.append("c"))
    assert len(deferred) == 3 and not first.done()  # beyond max_kept, but none has finished: all kept
    release.set()
    first.result(timeout=60)
    wait([deferred.submit(key, lambda: None) for key in "bc"], timeout=60)
    assert runs == ["a", "b", "c"]
    deferred.submit("d", lambda: runs.append("d")).result(timeout=60)
    assert len(deferred) == 2  # the oldest finished ones forgotten: a, b
    deferred.submit("a", lambda: runs.append("a again")).result(timeout=60)
    assert runs == ["a", "b", "c", "d", "a again"]


def test_trend_charts_mark_initiatives_and_goals_with_their_names_escaped():
    figure = trend_lines([], "lines", marks=Marks(((date(2026, 4, 1), "<b>Rota</b>"),), ((50.0, "Platform goal"),)))
    spec = json.loads(figure.to_json())["layout"]
    assert [(shape["x0"], shape["type"]) for shape in spec["shapes"]][:1] == [("2026-04-01", "line")]
    assert {annotation["text"] for annotation in spec["annotations"]} == {"&lt;b&gt;Rota&lt;/b&gt;", "Platform goal"}
    assert any(shape.get("y0") == 50.0 and shape.get("y1") == 50.0 for shape in spec["shapes"])


def test_cycle_time_trends_carry_the_initiative_that_touched_the_chosen_team(data_dir):
    at = open_page(data_dir, "cycle_time", {"team": "platform"})
    assert not at.exception
    charts = [json.loads(chart.proto.spec)["layout"] for chart in at.get("plotly_chart")]
    marked = [
        layout for layout in charts if any(a.get("text") == plain(ROTA.name) for a in layout.get("annotations", []))
    ]
    # ROTA names pr_size only among its metrics, so no phase chart marks it; a metric-less initiative marks them all.
    assert marked == []
    save_changes(data_dir / "demo.duckdb", [Initiative("Everything", date(2026, 3, 2), teams=("platform",))], [], "ana")
    again = open_page(data_dir, "cycle_time", {"team": "platform"})
    charts = [json.loads(chart.proto.spec)["layout"] for chart in again.get("plotly_chart")]
    assert sum(any(a.get("text") == "Everything" for a in layout.get("annotations", [])) for layout in charts) == 5


def test_ai_page_adoption_trends_mark_an_initiative_meant_to_move_agentic_share(data_dir):
    agents = Initiative("Agent pilot", date(2026, 3, 2), teams=("platform",), metrics=("agentic_pr_share",))
    save_changes(data_dir / "demo.duckdb", [agents], [], "ana")
    at = open_page(data_dir, "ai", {"team": "platform"})
    assert not at.exception
    charts = [json.loads(chart.proto.spec)["layout"] for chart in at.get("plotly_chart")]
    marked = [layout for layout in charts if any(a.get("text") == "Agent pilot" for a in layout.get("annotations", []))]
    # Only the agentic-share chart: the initiative names that metric alone.
    assert len(marked) == 1
    assert [shape["x0"] for shape in marked[0]["shapes"] if shape.get("type") == "line"][:1] == ["2026-03-02"]
