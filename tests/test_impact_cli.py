"""`flowgauge impact` and `flowgauge initiatives` as a user runs them: real subprocesses, exit codes, the lines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from flowgauge.impact import VERDICTS

REQUIRED_KEYS = {
    "initiative", "metric", "before", "after", "change_percent", "ci_low", "ci_high", "comparison_change_percent",
    "n_before", "n_after", "verdict",
}  # fmt: skip
PLAN = """
[[initiative]]
name = "Smaller PRs"
start = 2026-05-04
teams = ["Growth"]
metrics = ["pr_size", "change_failure_rate"]

[[goal]]
team = "growth"
metric = "pr_size"
target = 120
due = 2026-12-31
"""


def flowgauge(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flowgauge.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("impact-cli") / "demo.duckdb"
    made = flowgauge("demo", "--out", str(out), "--scale", "0.3", "--seed", "5", "--end", "2026-11-30")
    assert made.returncode == 0, made.stderr
    return out


def test_json_gives_every_initiative_and_metric_with_the_documented_keys(demo):
    first = flowgauge("impact", str(demo), "--format", "json")
    assert first.returncode == 0, first.stderr
    results = json.loads(first.stdout)
    assert [(r["initiative"], r["metric"]) for r in results] == [
        ("Checkout review rota", "review_time"),
        ("Platform pairing fortnight", "review_time"),
    ]
    for result in results:
        assert set(result) >= REQUIRED_KEYS and result["verdict"] in VERDICTS
        assert result["ci_low"] <= result["change_percent"] <= result["ci_high"]
        assert result["change_percent"] == pytest.approx(100 * (result["after"] / result["before"] - 1), abs=0.2)


def test_one_initiative_and_metric_with_windows_set_on_the_command_line(demo):
    run = flowgauge(
        "impact", str(demo), "--initiative", "Checkout review rota", "--metric", "pickup_time", "--window-days", "60",
        "--settle-days", "0", "--stat", "p75", "--format", "json",
    )  # fmt: skip
    (result,) = json.loads(run.stdout)
    assert (result["metric"], result["statistic"], result["settle_days"]) == ("pickup_time", "p75", 0)
    assert result["windows"] == {
        "before_from": "2026-01-05",
        "before_to": "2026-03-06",
        "after_from": "2026-03-06",
        "after_to": "2026-05-05",
    }


def test_the_table_prints_each_verdict_in_words_with_its_windows(demo):
    run = flowgauge("impact", str(demo), "--initiative", "Platform pairing fortnight")
    assert run.returncode == 0, run.stderr
    assert "Platform pairing fortnight: Review time median" in run.stdout
    assert "(before 2026-01-05 to 2026-04-04, after 2026-04-19 to 2026-07-17, 90 days each, UTC)" in run.stdout


def test_an_unknown_initiative_is_a_usage_error_listing_the_known_ones(demo):
    run = flowgauge("impact", str(demo), "--initiative", "Nope")
    assert run.returncode == 2
    assert run.stderr.strip() == (
        f"flowgauge: error: no initiative called 'Nope' beside {demo}; initiatives: 'Checkout review rota', "
        "'Platform pairing fortnight'"
    )


def test_import_logs_who_changed_what_and_the_changes_are_listed(demo, tmp_path):
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN, encoding="utf-8")
    run = flowgauge("initiatives", "import", str(plan), "--into", str(demo), "--by", "ana")
    assert run.returncode == 0, run.stderr
    assert "created initiative 'Smaller PRs'" in run.stdout and "3 changes" not in run.stdout
    assert "2 changes by ana written to" in run.stdout
    again = flowgauge("initiatives", "import", str(plan), "--into", str(demo), "--by", "ana")
    assert again.stdout.startswith("Nothing changed")
    log = flowgauge("initiatives", "list", str(demo), "--changes")
    rows = [line for line in log.stdout.splitlines() if "│ ana " in line]
    assert len(rows) == 2 and "create" in rows[0] and "Smaller PRs" in rows[0]
    listed = flowgauge("initiatives", "list", str(demo))
    assert "Smaller PRs" in listed.stdout and "2026-05-04" in listed.stdout and "growth" in listed.stdout
    impact = flowgauge("impact", str(demo), "--initiative", "Smaller PRs", "--format", "json")
    assert [r["metric"] for r in json.loads(impact.stdout)] == ["pr_size", "change_failure_rate"]


def test_a_bad_file_is_one_line_naming_file_and_line_and_changes_nothing(demo, tmp_path):
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN.replace('"pr_size", "change_failure_rate"', '"pr_sise"'), encoding="utf-8")
    kept = demo.with_name("demo.organisation.json").read_bytes()
    run = flowgauge("initiatives", "import", str(plan), "--into", str(demo))
    assert run.returncode == 1
    assert run.stderr.startswith(f"flowgauge: error: {plan}, line 2 ([[initiative]] 1): unknown metric 'pr_sise'")
    assert len(run.stderr.strip().splitlines()) == 1
    assert demo.with_name("demo.organisation.json").read_bytes() == kept


def test_a_snapshot_without_initiatives_says_how_to_add_them(tmp_path, demo):
    bare = tmp_path / "bare.duckdb"
    bare.write_bytes(demo.read_bytes())
    run = flowgauge("impact", str(bare))
    assert run.returncode == 0
    assert "No initiatives beside" in run.stdout and "flowgauge initiatives import FILE" in run.stdout
