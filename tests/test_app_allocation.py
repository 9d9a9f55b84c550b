"""The Allocation page shows the allocation module's shares for the view, keeps its weight in the URL, and the
sidebar's "Download report" button is on every page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from flowgauge.allocation import CATEGORY_NAMES, allocation, shares
from flowgauge.report.pdf import find_chromium
from flowgauge.snapshot import open_snapshot
from flowgauge.ui.filters import View

ROOT = Path(__file__).resolve().parents[1]
LINK = {"from": "2026-04-01", "to": "2026-06-30", "stat": "p75"}
VIEW = View("demo", date(2026, 4, 1), date(2026, 6, 30))


def open_page(app_data_dir, params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "flowgauge" / "dashboard" / "pages" / "allocation.py"), default_timeout=60)
    at.session_state["fg_data_dir"] = str(app_data_dir)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def expected_percents(app_data_dir, weight: str) -> dict[str, str]:
    con = open_snapshot(app_data_dir / "demo.duckdb")
    try:
        result = allocation(con, VIEW.filters())
    finally:
        con.close()
    return {CATEGORY_NAMES[s.category]: f"{s.percent:.0f} %" for s in shares(result.all_teams, weight)[()]}


@pytest.mark.parametrize(("params", "weight"), [({}, "engineer_weeks"), ({"weight": "prs"}, "prs")])
def test_the_page_shows_the_shares_of_the_weight_in_the_url(app_data_dir, params, weight):
    at = open_page(app_data_dir, {**LINK, **params})
    assert not at.exception and not at.error, at.exception or [e.value for e in at.error]
    shown = {metric.label: metric.value for metric in at.metric}
    assert shown == expected_percents(app_data_dir, weight)
    assert at.get("segmented_control")[0].value == weight


def test_an_unknown_weight_in_the_link_falls_back_to_engineer_weeks(app_data_dir):
    at = open_page(app_data_dir, {**LINK, "weight": "hours"})
    assert at.get("segmented_control")[0].value == "engineer_weeks"


def test_choosing_a_weight_puts_it_in_the_url(app_data_dir):
    at = open_page(app_data_dir, LINK)
    at.get("segmented_control")[0].set_value("work_items").run()
    assert at.query_params["weight"] == "work_items"
    assert {m.label: m.value for m in at.metric} == expected_percents(app_data_dir, "work_items")


def test_every_page_has_the_download_report_button(app_data_dir, monkeypatch):
    monkeypatch.setenv("FLOWGAUGE_DATA_DIR", str(app_data_dir))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    for page in ("overview", "allocation", "data"):
        at.switch_page(f"flowgauge/dashboard/pages/{page}.py").run()
        assert not at.exception, at.exception
        labels = [button.proto.label for button in at.get("download_button")]
        assert labels.count("Download report") == 1, page
        assert labels.count("Download report (PDF)") == (1 if find_chromium() else 0), page
