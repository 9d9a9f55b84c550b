"""`flowgauge report` on the hand-built March 2024 snapshot: table, JSON and CSV output, and bad options."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowgauge.cli.main import app
from flowgauge.cli.report_commands import BadReportOption
from flowgauge.loaders.store import write_snapshot
from flowgauge.metrics import DEFAULT_RULES, METRICS, facts
from flowgauge.snapshot import open_snapshot, snapshot_identity

FIXTURE = Path(__file__).parent / "fixtures" / "metrics" / "march_2024.sql"
MARCH = ["--from", "2024-03-01", "--to", "2024-04-01"]


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "march.duckdb"
    with write_snapshot(path, fresh=True) as writer:
        writer.con.execute(FIXTURE.read_text())
    return path


def run(*args: str):
    return CliRunner().invoke(app, ["report", *args])


def test_json_keys_are_metric_ids_with_values_tiers_and_changes(snapshot):
    result = run(str(snapshot), *MARCH, "--benchmarks", "linearb-2024-p75", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report) == set(METRICS)
    cycle = report["cycle_time"]
    # P75 of 4 5.5 25 25 25.5 37 48 h (the band's statistic), tier 19-66 h.
    # February: PR12 alone, first commit 02-10 09:00 -> D0 02-12 10:00 = 49 h; (31.25 - 49) / 49 = -36.2%.
    assert (cycle["value"], cycle["statistic"], cycle["n_used"], cycle["tier"]) == (31.25, "p75", 7, "Strong")
    assert cycle["previous_value"] == 49.0
    assert cycle["change_percent"] == pytest.approx((31.25 - 49) / 49 * 100)
    assert cycle["change_better"] is True
    assert report["survey_score"]["benchmark_note"] == "no benchmark in this set"
    assert report["deploy_time"]["exclusions"][1] == {
        "count": 1,
        "reason": "no deployment data for their repository/service: deploy time unknown",
    }


def test_a_report_reuses_the_facts_the_dashboard_cached(snapshot, tmp_path, monkeypatch):
    copy = tmp_path / "march.duckdb"
    copy.write_bytes(snapshot.read_bytes())
    without_cache = run(str(copy), *MARCH, "--format", "json")
    dashboard = open_snapshot(copy)
    assert facts.keep_facts(dashboard, snapshot_identity(copy)) and facts.warm_facts(dashboard, DEFAULT_RULES)
    dashboard.close()
    staged = []
    original = facts.stage_as
    monkeypatch.setattr(
        facts,
        "stage_as",
        lambda con, target, name, *rest, **kw: staged.append(name) or original(con, target, name, *rest, **kw),
    )
    with_cache = run(str(copy), *MARCH, "--format", "json")
    assert with_cache.exit_code == 0, with_cache.output
    assert staged == []  # no per-call facts: every fact table came from the cache file
    assert json.loads(with_cache.output) == json.loads(without_cache.output)


def test_stat_option_applies_to_every_time_metric(snapshot):
    result = run(str(snapshot), *MARCH, "--stat", "median", "--team", "Payments", "--format", "json")
    report = json.loads(result.output)
    assert report["cycle_time"]["value"] == 25.25  # Payments: 25 25 25.5 37
    assert report["cycle_time"]["tier"] is None  # the default set compares at P75, not the median
    assert report["change_failure_rate"]["statistic"] == "rate"


def test_json_names_the_edition_each_band_of_latest_published_comes_from(snapshot):
    report = json.loads(run(str(snapshot), *MARCH, "--format", "json").output)
    sources = {metric_id: (line["benchmark_source"], line["benchmark_year"]) for metric_id, line in report.items()}
    assert sources["cycle_time"] == ("LinearB 2026 (P75)", 2026)
    assert sources["coding_time"] == ("LinearB 2024 (P75)", 2024)
    assert sources["lead_time_for_changes"] == ("DORA 2024 clusters", 2024)
    assert sources["mttr"] == ("DORA 2021 clusters", 2021)
    assert report["lead_time_for_changes"]["statistic"] == "median"  # DORA's bands are compared at the median
    assert sources["approve_time"] == (None, None)
    assert report["approve_time"]["benchmark_note"] == "no published band"


def test_csv_has_one_row_per_metric_and_escapes_formula_cells(snapshot):
    result = run(str(snapshot), *MARCH, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [row["metric_id"] for row in rows] == list(METRICS)
    pickup = next(row for row in rows if row["metric_id"] == "pickup_time")
    assert pickup["change"] == "better"
    # Negative numbers stay numbers; text never starts a formula.
    assert float(pickup["change_percent"]) == pytest.approx(-80.0)
    assert all(not value.startswith(("=", "+", "@")) for row in rows for value in row.values())


def test_table_lists_every_metric_with_its_unit(snapshot):
    result = run(str(snapshot), *MARCH, "--repo", "acme/web")
    assert result.exit_code == 0, result.output
    assert "Flowgauge report 2024-03-01 to 2024-03-31 (UTC), acme/web" in result.output
    for definition in METRICS.values():
        assert definition.name in result.output
    # acme/web's deployments D6 and D5 both succeeded and INC3 linked to neither: nothing to recover from.
    assert "Failed deployment recovery time: no failed production deployments in the selection" in result.output
    # Latest published takes coding time from LinearB 2024 (2026 has no band) and names that edition; approve time
    # has no published band anywhere, and the tier column says so instead of staying blank.
    lines = result.output.splitlines()
    assert "Strong (LinearB 2024 (P75))" in next(line for line in lines if "Coding time" in line)
    assert "no published band" in next(line for line in lines if "Approve time" in line)
    with_2026 = run(str(snapshot), *MARCH, "--repo", "acme/web", "--benchmarks", "linearb-2026-p75")
    assert "no benchmark in this set" in next(line for line in with_2026.output.splitlines() if "Coding time" in line)
    # Sprints belong to teams: the repository filter cannot narrow planning accuracy, and the report says so.
    assert (
        "Planning accuracy: measured in story points; repository filter not applied: sprints belong to teams, "
        "not repositories" in result.output
    )


def test_default_window_ends_after_the_latest_activity(snapshot):
    result = run(str(snapshot), "--format", "json")
    report = json.loads(result.output)
    # Latest activity is D5 on 2024-03-31, so the window is 2024-01-02 .. 2024-04-01 and holds PR12 too.
    assert report["pr_size"]["n_used"] == 8


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--team", "platform"], "unknown team 'platform'; teams in this snapshot: payments, web"),
        (["--repo", "acme/nope"], "unknown repository 'acme/nope'"),
        (["--from", "2024-03-01", "--to", "2024-03-01"], "--to 2024-03-01 must be after --from 2024-03-01"),
        (["--benchmarks", "linearb-1999"], "--benchmarks 'linearb-1999' is not a benchmark set; choose one of dora-"),
    ],
)
def test_values_the_snapshot_does_not_know_raise_one_clear_error(snapshot, args, message):
    result = run(str(snapshot), *args)
    assert isinstance(result.exception, BadReportOption)
    assert str(result.exception).startswith(message)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2024-13-01"], "Invalid value for '--from': '2024-13-01' is not a date in the form YYYY-MM-DD"),
        (["--to", "2024-03-01T10:00"], "Invalid value for '--to': '2024-03-01T10:00' is not a date in the form"),
        (["--stat", "p99"], "Invalid value for '--stat'"),
        (["--format", "xml"], "Invalid value for '--format'"),
    ],
)
def test_bad_option_values_are_usage_errors_exit_2(snapshot, args, message):
    result = run(str(snapshot), *args)
    assert result.exit_code == 2
    assert message in " ".join(result.output.replace("│", " ").split())


def test_choices_are_listed_in_help():
    # A terminal wide enough that Rich does not wrap a long choice list inside its column.
    text = CliRunner().invoke(app, ["report", "--help"], env={"COLUMNS": "200"}).output
    assert "<table|json|csv|html|pdf>" in text and "<median|p75|p90|mean>" in text
    assert "<agentic|ai_assisted|unassisted>" in text


def test_bad_team_exits_2_with_one_line(snapshot):
    completed = subprocess.run(
        [sys.executable, "-m", "flowgauge.cli.main", "report", str(snapshot), "--team", "platform"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 2
    assert completed.stderr == ("flowgauge: error: unknown team 'platform'; teams in this snapshot: payments, web\n")
