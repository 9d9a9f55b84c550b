"""Freshness on every page: the last successful sync per source, and a warning, error text shown as text, for a
source whose last run failed or whose data is older than its limit."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from flowgauge.loaders.store import utc_now, write_snapshot
from flowgauge.sync.freshness import read_freshness
from flowgauge.ui.text import plain

ROOT = Path(__file__).resolve().parents[1]
APP_FIXTURE_SQL = ROOT / "tests" / "fixtures" / "app" / "snapshot.sql"
ERROR = "HTTP 401 from https://api.github.test/graphql: *Bad* credentials [reset](javascript:alert(1))"


def run(name, kind, hours_ago, succeeded, error=None, limit=26.0):
    now = utc_now()
    return {
        "source_name": name,
        "source_kind": kind,
        "started_at": now - timedelta(hours=hours_ago, minutes=1),
        "finished_at": now - timedelta(hours=hours_ago),
        "succeeded": succeeded,
        "rows_written": 10 if succeeded else 0,
        "error": error,
        "freshness_hours": limit,
    }


@pytest.fixture
def synced_data_dir(tmp_path):
    with write_snapshot(tmp_path / "demo.duckdb", fresh=True) as writer:
        writer.con.execute(APP_FIXTURE_SQL.read_text(encoding="utf-8"))
        writer.upsert(
            "sync_runs",
            [
                run("github", "github", 50, True),
                run("github", "github", 2, False, ERROR),  # failed after a success two days ago
                run("shop", "git", 1, True),  # fresh
                run("incidents", "files", 30, True, limit=24),  # stale: over its 24 h limit
            ],
        )
    return tmp_path


def test_freshness_reads_the_latest_run_of_each_source(synced_data_dir):
    from flowgauge.snapshot import open_snapshot

    con = open_snapshot(synced_data_dir / "demo.duckdb")
    try:
        sources = {s.name: s for s in read_freshness(con)}
    finally:
        con.close()
    now = utc_now()
    assert sources["github"].last_run_failed and sources["github"].last_error == ERROR
    assert round(sources["github"].age_hours(now)) == 50
    assert sources["shop"].warning(now) is None
    assert sources["incidents"].warning(now).startswith("Source “incidents” (files) is stale: its data is from ")
    assert sources["incidents"].warning(now).endswith("(30 h ago), over its limit of 24 h.")


@pytest.mark.parametrize("page", ["overview", "data"])
def test_every_page_shows_last_syncs_and_warns_of_failed_and_stale_sources(synced_data_dir, monkeypatch, page):
    monkeypatch.setenv("FLOWGAUGE_DATA_DIR", str(synced_data_dir))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    if page != "overview":
        at.switch_page(f"flowgauge/dashboard/pages/{page}.py").run()
    assert not at.exception, at.exception
    captions = [c.value for c in at.caption]
    assert plain("Last successful sync: github 50 h ago, incidents 30 h ago, shop 1 h ago.") in captions
    warnings = [w.value for w in at.warning]
    failed = [w for w in warnings if w.startswith(plain("Source “github” (github) failed at "))]
    assert len(failed) == 1
    assert plain(ERROR) in failed[0]  # the server's text escaped: no emphasis, no live link
    assert "[reset](javascript" not in failed[0]
    assert failed[0].endswith(plain(" UTC (50 h ago)."))  # its last good data, two days old
    assert [w for w in warnings if w.startswith(plain("Source “incidents” (files) is stale"))]
    assert not [w for w in warnings if "shop" in w]


def test_a_snapshot_never_synced_shows_no_freshness(app_data_dir, monkeypatch):
    monkeypatch.setenv("FLOWGAUGE_DATA_DIR", str(app_data_dir))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert not at.exception, at.exception
    assert not [c.value for c in at.caption if c.value.startswith("Last successful sync")]


def test_the_data_page_lists_each_synced_source_with_its_last_run(synced_data_dir, monkeypatch):
    monkeypatch.setenv("FLOWGAUGE_DATA_DIR", str(synced_data_dir))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    at.switch_page("flowgauge/dashboard/pages/data.py").run()
    assert not at.exception, at.exception
    syncs = next(d.value for d in at.dataframe if "last success (UTC)" in d.value.columns)
    shown = syncs.set_index("source")
    assert shown["result"].to_dict() == {"github": "failed", "incidents": "stale", "shop": "ok"}
    assert shown["rows written (last run)"].to_dict() == {"github": 0, "incidents": 10, "shop": 10}
    assert shown["limit (hours)"].to_dict() == {"github": 26.0, "incidents": 24.0, "shop": 26.0}
    assert shown.loc["github", "error"] == ERROR  # whole, as text in a cell
    assert shown[["error"]].loc[["incidents", "shop"]].isna().all().all()
    # The last success is the run two days ago, not the failed run since.
    age = utc_now() - shown.loc["github", "last success (UTC)"].to_pydatetime()
    assert timedelta(hours=49) < age < timedelta(hours=51)
