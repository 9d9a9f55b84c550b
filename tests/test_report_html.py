"""The planning-meeting report: the scorecard's own values, nothing fetched from elsewhere, every snapshot text
escaped, and `flowgauge report --format html|pdf` writing it."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowgauge.allocation import allocation, shares
from flowgauge.cli.main import app
from flowgauge.impact import goal_status, impact_of_all
from flowgauge.loaders.store import write_snapshot
from flowgauge.metrics import compute_all
from flowgauge.metrics.benchmark_sets import DEFAULT_SET_ID, load_benchmark_sets
from flowgauge.organisation_data import Goal, Initiative, load_organisation, save_goal, save_initiative
from flowgauge.report import build_content, reopen_link, report_html, scope_text
from flowgauge.report import pdf as report_pdf
from flowgauge.report.pdf import NoChromium, find_chromium
from flowgauge.rules import DEFAULTS
from flowgauge.snapshot import open_snapshot
from flowgauge.ui.charts import format_value
from flowgauge.ui.filters import View

VIEW = View("demo", date(2026, 4, 1), date(2026, 6, 30), benchmark_set=DEFAULT_SET_ID)
DASHBOARD = "https://flowgauge.example.com/"
SCENARIO = Path(__file__).parent / "fixtures" / "allocation" / "snapshot.sql"
ATTRIBUTE_URL = re.compile(r"""\b(?:src|href|xlink:href|action|data|poster)\s*=\s*["']?([^"' >]*)""", re.I)


def report_of(path: Path, view: View) -> str:
    con = open_snapshot(path)
    try:
        content = build_content(
            con,
            view.filters(),
            snapshot=view.snapshot,
            statistic=view.statistic,
            benchmark_set=load_benchmark_sets()[DEFAULT_SET_ID],
            rules=DEFAULTS,
            link=reopen_link(DASHBOARD, view),
            scope=scope_text(),
        )
    finally:
        con.close()
    return report_html(content)


@pytest.fixture(scope="module")
def report(app_data_dir) -> str:
    return report_of(app_data_dir / "demo.duckdb", VIEW)


def test_the_report_holds_the_values_the_scorecard_shows(app_data_dir, report):
    con = open_snapshot(app_data_dir / "demo.duckdb")
    try:
        expected = compute_all(con, VIEW.filters(), statistic="p75")
    finally:
        con.close()
    rows = dict(re.findall(r'<tr><td>([^<]*)</td><td class="num">([^<]*)</td>', report))
    with_value = {
        html.escape(result.name): html.escape(format_value(result.value, result.unit))
        for result in expected.values()
        if result.value is not None
    }
    assert len(with_value) >= 20
    assert {name: rows.get(name) for name in with_value} == with_value


def test_nothing_is_fetched_from_elsewhere_and_the_one_link_reopens_the_view(report):
    link = html.escape(reopen_link(DASHBOARD, VIEW))
    assert "from=2026-04-01&amp;to=2026-06-30" in link and "stat=p75" in link
    assert ATTRIBUTE_URL.findall(report) == [link]
    assert re.findall(r"https?://[^\s\"'<)]+", report) == [link, link]  # the link's target and its text
    assert "<script" not in report.lower() and "@import" not in report and "url(" not in report


def test_the_report_has_every_section_and_the_allocation(app_data_dir, report):
    for heading in (
        "Scorecard",
        "Trends",
        "Initiatives and their impact",
        "Team goals",
        "Where the effort went",
        "Data quality",
    ):
        assert f"<h2>{heading}</h2>" in report
    assert report.count("<svg ") >= 7  # six trends and the allocation by team
    con = open_snapshot(app_data_dir / "demo.duckdb")
    try:
        counted = allocation(con, VIEW.filters())
    finally:
        con.close()
    platform = shares(counted.by_team, "prs", ["team_id"])[("platform",)]
    total = sum(share.value for share in platform)
    percents = "".join(f'<td class="num">{share.percent:.0f}%</td>' for share in platform)
    assert total > 0
    assert f'<td>Platform</td><td>PRs merged</td><td class="num">{total:,.0f}</td>{percents}</tr>' in report


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """The allocation scenario with a team named like markup."""
    path = tmp_path_factory.mktemp("report") / "hostile.duckdb"
    with write_snapshot(path, fresh=True) as writer:
        writer.con.execute(SCENARIO.read_text(encoding="utf-8"))
        writer.con.execute("UPDATE teams SET name = '<script>alert(1)</script>' WHERE team_id = 'beta'")
    return path


def test_names_from_the_snapshot_are_escaped(hostile):
    page = report_of(hostile, View("hostile", date(2024, 3, 1), date(2024, 4, 30)))
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def run(*args: str):
    return CliRunner().invoke(app, ["report", *args], catch_exceptions=False)


def test_cli_writes_the_html_report(hostile, tmp_path):
    out = tmp_path / "meeting.html"
    result = run(str(hostile), "--from", "2024-03-01", "--to", "2024-05-01", "--format", "html", "--out", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="http://localhost:8501/?snapshot=hostile&amp;from=2024-03-01&amp;to=2024-04-30' in page
    assert not list(tmp_path.glob(".*partial"))


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium to print with (apt-get install chromium)")
def test_cli_prints_the_pdf_with_chromium(hostile, tmp_path):
    out = tmp_path / "meeting.pdf"
    result = run(str(hostile), "--from", "2024-03-01", "--to", "2024-05-01", "--format", "pdf", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:5] == b"%PDF-"
    assert not list(tmp_path.glob(".*partial"))


def test_without_chromium_pdf_is_refused_in_one_line(hostile, tmp_path, monkeypatch):
    monkeypatch.setattr(report_pdf, "find_chromium", lambda: None)
    monkeypatch.setattr("flowgauge.cli.report_commands.find_chromium", lambda: None)
    result = CliRunner().invoke(app, ["report", str(hostile), "--format", "pdf", "--out", str(tmp_path / "x.pdf")])
    assert isinstance(result.exception, NoChromium)
    message = str(result.exception)
    assert message.startswith("--format pdf needs Chromium (apt-get install chromium), and none was found")
    assert "\n" not in message and not (tmp_path / "x.pdf").exists()


def test_initiatives_and_goals_are_reported_and_marked(hostile):
    start = date(2024, 3, 18)
    save_initiative(
        hostile,
        Initiative("<b>Review rota</b>", start, teams=("alpha",), metrics=("review_time",), note="n"),
        by="test",
    )
    save_goal(hostile, Goal("alpha", "merge_frequency", 3.0, "rate", date(2024, 6, 30)), by="test")
    view = View("hostile", date(2024, 3, 1), date(2024, 4, 30), teams=("alpha",), statistic="p75")
    con = open_snapshot(hostile)
    try:
        organisation = load_organisation(hostile)
        expected = [result.as_dict() for result in impact_of_all(con, organisation)]
        status = goal_status(con, organisation.goals[0]).as_dict()
        content = build_content(
            con,
            view.filters(),
            snapshot="hostile",
            statistic="p75",
            benchmark_set=load_benchmark_sets()[DEFAULT_SET_ID],
            rules=DEFAULTS,
            link=reopen_link(DASHBOARD, view),
            scope=scope_text(["Alpha"]),
            organisation=organisation,
            team_names={"alpha": "Alpha", "beta": "<script>alert(1)</script>"},
        )
    finally:
        con.close()
    page = report_html(content)
    assert [row["verdict"] for row in content.impacts] == [row["verdict"] for row in expected] == ["insufficient_data"]
    assert f"<td>&lt;b&gt;Review rota&lt;/b&gt;</td><td>Review time ({expected[0]['statistic']})</td>" in page
    assert f"<li>{html.escape(expected[0]['sentence'])}</li>" in page
    # The initiative's start is marked on its metric's trend, and the team's goal is a line on merge frequency's.
    review = next(trend for trend in content.trends if trend.metric_id == "review_time")
    assert [(mark.label, mark.day) for mark in review.markers] == [("<b>Review rota</b>", start)]
    assert ">&lt;b&gt;Review rota&lt;/b&gt;</text>" in page
    merges = next(trend for trend in content.trends if trend.metric_id == "merge_frequency")
    assert [mark.value for mark in merges.markers] == [3.0]
    assert f"<td>{status['status'].replace('_', ' ')}</td></tr>" in page
    assert "<b>" not in page and "<script" not in page.lower()
