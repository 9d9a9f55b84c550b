"""A never-prepared snapshot's first view draws its own window first, then the change against the previous window.

The Overview of a snapshot with no kept facts (copied in by hand, or after an upgrade changed the facts' cache key)
stages only its own window's facts before drawing, says the change is being measured, and measures the previous
window on a background thread once the page is drawn (flowgauge/ui/previous_window.py). The changes it then draws
must be the ones a prepared snapshot shows at once.
"""

import shutil
import time
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from flowgauge.metrics.engine import compute_all
from flowgauge.snapshot import open_snapshot
from flowgauge.ui import cached
from flowgauge.ui.connection import connections
from flowgauge.ui.filters import View
from flowgauge.ui.scorecard import signed

ROOT = Path(__file__).resolve().parents[1]
LINK = {"from": "2026-04-01", "to": "2026-06-30", "stat": "p75"}
MEASURING = "Change against the previous 91 days: measuring…"


def _overview(data_dir: Path) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in LINK.items():
        at.query_params[key] = value
    return at


def _expected_changes(snapshot: Path) -> dict[str, str]:
    view = View("demo", date.fromisoformat(LINK["from"]), date.fromisoformat(LINK["to"]))
    con = open_snapshot(snapshot)
    try:
        now = compute_all(con, view.filters(), statistic="p75")
        previous = compute_all(con, view.filters().previous(), statistic="p75")
    finally:
        con.close()
    return {
        result.name: signed(result.value - previous[metric_id].value, result.unit)
        for metric_id, result in now.items()
        if result.value is not None and previous[metric_id].value is not None
    }


def _facts_kept(identity) -> bool:
    with connections().cursor(identity) as cursor:
        return bool(cursor.execute("SELECT count(*) FROM fg_cache.main.fg_fact_variants").fetchall()[0][0])


def test_a_never_prepared_overview_draws_its_window_then_the_changes(app_data_dir, tmp_path, monkeypatch):
    # Its own copy: no connection of this process has kept its facts. No whole-snapshot build either, so every run
    # below takes the never-prepared path, as it does for the seconds such a build takes at a million PRs.
    shutil.copy(app_data_dir / "demo.duckdb", tmp_path / "demo.duckdb")
    monkeypatch.setenv("FLOWGAUGE_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(cached, "start_warming", lambda *args: None)
    expected = _expected_changes(tmp_path / "demo.duckdb")
    assert len(expected) >= 10

    at = _overview(tmp_path).run()
    assert not at.exception, at.exception
    assert MEASURING in [caption.value for caption in at.caption]
    shown = {metric.label: metric.value for metric in at.metric}
    assert shown["Cycle time"] != "–"  # this window's values are drawn at once
    assert all(not metric.delta for metric in at.metric)  # no change is drawn before it is measured

    # A later run of the same view (the browser's poll, here the page run again) starts measuring; the run after it
    # is measured draws every change.
    deadline = time.monotonic() + 60
    while MEASURING in [caption.value for caption in at.run().caption] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert MEASURING not in [caption.value for caption in at.caption]
    changes = {metric.label: metric.delta for metric in at.metric}
    assert {name: changes.get(name) for name in expected} == expected


def test_a_prepared_overview_draws_the_changes_in_its_first_run(app_data_dir, tmp_path, monkeypatch):
    shutil.copy(app_data_dir / "demo.duckdb", tmp_path / "demo.duckdb")
    monkeypatch.setenv("FLOWGAUGE_DATA_DIR", str(tmp_path))
    first = _overview(tmp_path).run()  # never prepared: its facts are built after it, then cached beside it
    assert not first.exception, first.exception
    identity = connections().identity(tmp_path / "demo.duckdb")
    deadline = time.monotonic() + 60
    while not _facts_kept(identity) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list((tmp_path / ".flowgauge-cache").glob("demo.*.duckdb"))  # built by the child, then attached

    at = _overview(tmp_path).run()  # a new session: the cached facts are attached before its first view
    assert not at.exception, at.exception
    assert MEASURING not in [caption.value for caption in at.caption]
    changes = {metric.label: metric.delta for metric in at.metric}
    expected = _expected_changes(tmp_path / "demo.duckdb")
    assert {name: changes.get(name) for name in expected} == expected


def test_a_never_prepared_overview_aggregates_its_window_while_staging_its_facts(app_data_dir, tmp_path, monkeypatch):
    """The first view's own selection is aggregated on the threads that stage its window's facts, each group's
    sources as soon as their facts are in (cached.prepare_first_view): the page then finds every part ready and
    aggregates nothing itself, and draws the values compute_all gives."""
    shutil.copy(app_data_dir / "demo.duckdb", tmp_path / "demo.duckdb")
    monkeypatch.setenv("FLOWGAUGE_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(cached, "start_warming", lambda *args: None)
    aggregated_by_page: list = []
    original = cached._aggregate_on_two_cursors

    def recording(pool, identity, sources, filters, *rest):
        aggregated_by_page.append((filters, tuple(sources)))
        return original(pool, identity, sources, filters, *rest)

    monkeypatch.setattr(cached, "_aggregate_on_two_cursors", recording)
    view = View("demo", date.fromisoformat(LINK["from"]), date.fromisoformat(LINK["to"])).filters()

    at = _overview(tmp_path).run()
    assert not at.exception, at.exception
    assert [filters for filters, _ in aggregated_by_page if filters == view] == []
    identity = connections().identity(tmp_path / "demo.duckdb")
    con = open_snapshot(tmp_path / "demo.duckdb")
    try:
        expected = compute_all(con, view, statistic="p75")
    finally:
        con.close()
    shown = {metric.label: metric.value for metric in at.metric}
    prepared = cached._aggregates(
        cached._parts(), connections(), identity, view, cached.CURRENT_GROUPINGS, cached.DEFAULT_RULES, True, None,
        compute=False,
    )  # fmt: skip
    assert prepared is not None  # every part of the view, kept where the page reads it
    drawn = cached.results_for(prepared, "p75")
    assert {metric_id: result.value for metric_id, result in drawn.items()} == {
        metric_id: None if result.value is None else pytest.approx(result.value, rel=1e-12)
        for metric_id, result in expected.items()
    }
    assert shown["Cycle time"] != "–"
