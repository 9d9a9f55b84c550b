"""The AI page on the fixture snapshot: the origin shares and acceptance rate the metrics module computes, the flow
metrics side by side by origin, our ratios beside LinearB 2026's, and the agents' PRs waiting for review."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from flowgauge.metrics import compute_all
from flowgauge.metrics.filters import DEFAULT_RULES, Filters
from flowgauge.snapshot import open_snapshot
from flowgauge.ui.charts import format_value

ROOT = Path(__file__).resolve().parents[1]
LINK = {"from": "2026-04-01", "to": "2026-06-30", "stat": "p75"}
WINDOW = Filters(date(2026, 4, 1), date(2026, 7, 1))


@pytest.fixture(scope="module")
def page(app_data_dir) -> AppTest:
    at = AppTest.from_file(str(ROOT / "flowgauge" / "dashboard" / "pages" / "ai.py"), default_timeout=90)
    at.session_state["fg_data_dir"] = str(app_data_dir)
    for key, value in LINK.items():
        at.query_params[key] = value
    return at.run()


@pytest.fixture(scope="module")
def expected(app_data_dir):
    con = open_snapshot(app_data_dir / "demo.duckdb")
    try:
        overall = compute_all(con, WINDOW, DEFAULT_RULES, "p75")
        by_origin = {
            origin: compute_all(con, replace(WINDOW, origins=(origin,)), DEFAULT_RULES, "p75")
            for origin in ("agentic", "ai_assisted", "unassisted")
        }
    finally:
        con.close()
    return overall, by_origin


def test_the_page_runs_and_shows_the_shares_and_acceptance_the_module_computes(page, expected):
    overall, _ = expected
    assert not page.exception, page.exception
    assert page.title[0].value == "AI-assisted delivery"
    # Labels and text are Markdown-escaped (plain()): read them without the escapes.
    shown = {metric.label.replace("\\", ""): metric.value for metric in page.metric}
    for metric_id in ("agentic_pr_share", "ai_assisted_pr_share", "acceptance_rate"):
        result = overall[metric_id]
        assert shown[result.name] == format_value(result.value, result.unit)
    assert overall["ai_assisted_pr_share"].value > 0


def test_flow_metrics_sit_side_by_side_by_origin(page, expected):
    _, by_origin = expected
    table = page.dataframe[0].value
    pickup = table[table["metric"] == "Pickup time"].iloc[0]
    assert pickup["AI-assisted"] == pytest.approx(by_origin["ai_assisted"]["pickup_time"].value)
    assert pickup["Unassisted"] == pytest.approx(by_origin["unassisted"]["pickup_time"].value)
    assert pickup["Unassisted (n)"] == by_origin["unassisted"]["pickup_time"].n_used


def test_published_ratios_are_shown_beside_ours(page, expected):
    _, by_origin = expected
    text = " ".join(block.value for block in page.markdown).replace("\\", "")
    assert "in LinearB 2026 (AI productivity edition) (secondary)" in text
    assert "Acceptance rate of human (unassisted) PRs: " in text
    ours = format_value(by_origin["unassisted"]["acceptance_rate"].value, "percent")
    assert f"Acceptance rate of human (unassisted) PRs: {ours} here; 84.4 % in LinearB 2026" in text


def test_the_agents_open_prs_waiting_longest_for_review_come_first(page, app_data_dir):
    con = open_snapshot(app_data_dir / "demo.duckdb")
    try:
        waiting = [
            pr_id
            for (pr_id,) in con.execute(
                "SELECT pr_id FROM pull_requests JOIN pr_code_origins USING (pr_id) WHERE origin = 'agentic' "
                "AND state = 'open' AND first_review_at IS NULL AND created_at < '2026-07-01' "
                "ORDER BY coalesce(ready_for_review_at, created_at), pr_id LIMIT 20"
            ).fetchall()
        ]
    finally:
        con.close()
    table = next(frame.value for frame in page.dataframe if "waiting_hours" in frame.value.columns)
    assert len(waiting) > 1 and list(table["pr_id"]) == waiting
    assert list(table["waiting_hours"]) == sorted(table["waiting_hours"], reverse=True)


def test_metrics_origins_reach_through_links_sit_by_origin_and_the_rest_is_named_once(page, expected):
    _, by_origin = expected
    table = page.dataframe[0].value
    review = table[table["metric"] == "Review load"].iloc[0]
    for origin, label in (("ai_assisted", "AI-assisted"), ("unassisted", "Unassisted")):
        assert review[f"{label} (n)"] == by_origin[origin]["review_load"].n_used > 0
        assert review[label] == pytest.approx(by_origin[origin]["review_load"].value)
    # The fixture has no line ages or deployment links: the rows are there, with the items each origin has.
    for name, metric_id in (("Rework rate", "rework_rate"), ("Change failure rate", "change_failure_rate")):
        row = table[table["metric"] == name].iloc[0]
        assert row["Unassisted (n)"] == by_origin["unassisted"][metric_id].n_used
    legend = [caption.value for caption in page.caption if caption.value.startswith("Not shown by origin")]
    assert len(legend) == 1
    assert "Deployment frequency" in legend[0] and "(deployments of every origin count)" in legend[0]
