"""The organisation config's default benchmark set, used by `flowgauge report --config flowgauge.toml` and by the
dashboard when it finds flowgauge.toml where it finds the rules; --benchmarks and a plain rules file still win."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from flowgauge.cli.main import app
from flowgauge.loaders.store import write_snapshot
from flowgauge.metrics.benchmark_sets import DEFAULT_SET_ID, load_benchmark_sets
from flowgauge.ui.text import plain

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "metrics" / "march_2024.sql"
MARCH = ["--from", "2024-03-01", "--to", "2024-04-01"]
ORGANISATION = 'benchmarks = "dora-2024"\n\n[[files]]\nfolder = "exports"\n'


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("defaults") / "march.duckdb"
    with write_snapshot(path, fresh=True) as writer:
        writer.con.execute(FIXTURE.read_text())
    return path


def report(*args: str) -> str:
    result = CliRunner().invoke(app, ["report", *args], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    return result.stdout


def tiers(*args: str) -> dict[str, str | None]:
    return {metric: line["tier"] for metric, line in json.loads(report(*args, "--format", "json")).items()}


def test_report_given_the_organisation_config_tiers_against_its_benchmark_set(snapshot, tmp_path):
    config = tmp_path / "acme.toml"  # any name: an organisation config is known by its keys
    config.write_text(ORGANISATION, encoding="utf-8")
    assert "tier (DORA 2024 clusters)" in report(str(snapshot), *MARCH, "--config", str(config))
    configured = tiers(str(snapshot), *MARCH, "--config", str(config))
    assert configured == tiers(str(snapshot), *MARCH, "--benchmarks", "dora-2024")
    assert configured != tiers(str(snapshot), *MARCH, "--benchmarks", "linearb-2024-p75")  # a set tiers its own way


def test_benchmarks_given_on_the_command_line_win_over_the_config(snapshot, tmp_path):
    config = tmp_path / "flowgauge.toml"
    config.write_text(ORGANISATION, encoding="utf-8")
    out = report(str(snapshot), *MARCH, "--config", str(config), "--benchmarks", "linearb-2024-p75")
    assert "tier (LinearB 2024 (P75))" in out


def test_a_plain_rules_file_leaves_the_default_set(snapshot, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text('[deployments]\nproduction = "^prod$"\n', encoding="utf-8")
    shipped = load_benchmark_sets()[DEFAULT_SET_ID].name
    assert f"tier ({shipped})" in report(str(snapshot), *MARCH, "--config", str(rules))


def test_an_organisation_config_with_a_bad_set_is_one_line(snapshot, tmp_path):
    config = tmp_path / "flowgauge.toml"
    config.write_text(ORGANISATION.replace("dora-2024", "dora-1999"), encoding="utf-8")
    result = CliRunner().invoke(app, ["report", str(snapshot), *MARCH, "--config", str(config)])
    assert result.exit_code != 0
    assert str(result.exception).startswith(f"{config}:1: benchmarks: 'dora-1999' is not a benchmark set; choose")


def test_the_dashboard_opens_on_the_organisations_benchmark_set(app_data_dir, tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    (data / "demo.duckdb").write_bytes((app_data_dir / "demo.duckdb").read_bytes())
    (data / "flowgauge.toml").write_text(ORGANISATION, encoding="utf-8")
    monkeypatch.setenv("FLOWGAUGE_DATA_DIR", str(data))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="fg_bench").value == "dora-2024"
    at.switch_page("flowgauge/dashboard/pages/data.py").run()
    assert "Benchmark set: DORA 2024 clusters" in [s.value for s in at.subheader]


def test_a_broken_organisation_config_leaves_the_dashboard_on_the_default_set(app_data_dir, tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    (data / "demo.duckdb").write_bytes((app_data_dir / "demo.duckdb").read_bytes())
    (data / "flowgauge.toml").write_text(ORGANISATION.replace("dora-2024", "dora-1999"), encoding="utf-8")
    monkeypatch.setenv("FLOWGAUGE_DATA_DIR", str(data))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="fg_bench").value == DEFAULT_SET_ID
    expected = plain(f"The organisation config's default benchmark set was not used: {data / 'flowgauge.toml'}:1: ")
    assert [w.value for w in at.warning if w.value.startswith(expected)]
