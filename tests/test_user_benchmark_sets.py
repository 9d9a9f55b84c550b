"""A team's own benchmark set in benchmarks/ beside the snapshots: named by the organisation config, chosen with
`flowgauge report --benchmarks`, and opened by the dashboard, as docs/benchmarks.md promises."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from flowgauge.cli.main import app
from flowgauge.loaders.store import write_snapshot
from flowgauge.org_config import load_org_config

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "metrics" / "march_2024.sql"
MARCH = ["--from", "2024-03-01", "--to", "2024-04-01"]
PLATFORM_SET = """\
[set]
id = "platform-2026"
name = "Platform team targets"
publisher = "Platform team"
year = 2026
statistic = "p75"
tier_names = ["On target", "Close", "Off target"]
source_url = "https://wiki.example.com/platform/targets"
confidence = "primary"
description = "What we aim for this year."

[bands.cycle_time]
unit = "hours"
direction = "lower"
thresholds = [24, 72]
confidence = "primary"
"""
CONFIG = 'benchmarks = "platform-2026"\n\n[[files]]\nfolder = "exports"\n'


@pytest.fixture(scope="module")
def march(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("march") / "march.duckdb"
    with write_snapshot(path, fresh=True) as writer:
        writer.con.execute(FIXTURE.read_text())
    return path


@pytest.fixture
def data(tmp_path, march) -> Path:
    """A data folder: the March snapshot and benchmarks/platform.toml beside it."""
    folder = tmp_path / "data"
    (folder / "benchmarks").mkdir(parents=True)
    shutil.copy(march, folder / "march.duckdb")
    (folder / "benchmarks" / "platform.toml").write_text(PLATFORM_SET, encoding="utf-8")
    return folder


def run(*args: str):
    return CliRunner().invoke(app, ["report", *args], env={"COLUMNS": "250"})


def test_report_tiers_against_a_set_beside_the_snapshot(data):
    result = run(str(data / "march.duckdb"), *MARCH, "--benchmarks", "platform-2026", "--format", "json")
    assert result.exit_code == 0, result.output
    cycle = json.loads(result.stdout)["cycle_time"]
    # P75 of the March cycle times is 31.25 h: between the 24 h and 72 h boundaries, the middle tier.
    assert (cycle["value"], cycle["statistic"], cycle["tier"]) == (31.25, "p75", "Close")


def test_the_organisation_config_may_name_a_set_of_its_own(data):
    config = data.parent / "flowgauge.toml"
    config.write_text(CONFIG, encoding="utf-8")  # data_folder defaults to ./data beside the config
    assert load_org_config(config).benchmarks == "platform-2026"
    result = run(str(data / "march.duckdb"), *MARCH, "--config", str(config))
    assert result.exit_code == 0, result.output
    assert "tier (Platform team targets)" in result.stdout


def test_a_config_naming_a_set_nobody_has_says_where_own_sets_are_read(data):
    config = data.parent / "flowgauge.toml"
    config.write_text(CONFIG.replace("platform-2026", "platform-2027"), encoding="utf-8")
    with pytest.raises(Exception) as raised:
        load_org_config(config)
    message = str(raised.value)
    assert message.startswith(f"{config}:1: benchmarks: 'platform-2027' is not a benchmark set; choose one of ")
    assert "platform-2026" in message and message.endswith(f"(your own sets are read from {data / 'benchmarks'})")


def test_a_broken_file_of_ones_own_does_not_stop_a_report_on_a_shipped_set(data):
    broken = data / "benchmarks" / "broken.toml"
    broken.write_text("[set\n", encoding="utf-8")
    result = run(str(data / "march.duckdb"), *MARCH, "--benchmarks", "dora-2024", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["cycle_time"]["value"] == 25.0  # DORA 2024 reads the median
    assert result.stderr.startswith(f"Your benchmark files were not loaded: {broken}")


def test_a_broken_file_stops_a_report_on_ones_own_set_in_one_line(data):
    broken = data / "benchmarks" / "broken.toml"
    broken.write_text("[set\n", encoding="utf-8")
    result = run(str(data / "march.duckdb"), *MARCH, "--benchmarks", "platform-2026")
    assert result.exit_code != 0
    assert str(result.exception).startswith(str(broken)) and "\n" not in str(result.exception)


def test_the_dashboard_opens_on_the_configs_own_set(data, tmp_path, monkeypatch):
    # A config kept in the data folder itself, where the dashboard finds it, says so with data_folder = ".".
    (data / "flowgauge.toml").write_text('data_folder = "."\n' + CONFIG, encoding="utf-8")
    monkeypatch.setenv("FLOWGAUGE_DATA_DIR", str(data))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="fg_bench").value == "platform-2026"
