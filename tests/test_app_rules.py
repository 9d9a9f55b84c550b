"""The app reads the same rules file as the CLI, shows the rules in force and what they leave out on the Data page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from flowgauge.loaders.store import write_snapshot
from flowgauge.ui.text import plain

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RULE = "'(?i)^(prod|production|live)([-_ ].*)?$'"


@pytest.fixture
def pages_data(app_data_dir, tmp_path, monkeypatch):
    """The app fixture's snapshot with every deployment moved to 'github-pages', in a data folder of its own."""
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(app_data_dir / "demo.duckdb", folder / "demo.duckdb")
    with write_snapshot(folder / "demo.duckdb") as writer:
        writer.con.execute("UPDATE deployments SET environment = 'github-pages'")
        total = writer.con.execute("SELECT count(*) FROM deployments").fetchone()[0]
    monkeypatch.chdir(tmp_path)  # no rules file in the working directory
    return folder, total


def data_page(folder: Path, rules_env: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "flowgauge" / "dashboard" / "pages" / "data.py"), default_timeout=60)
    at.session_state["fg_data_dir"] = str(folder)
    if rules_env:
        at.session_state["fg_rules_env"] = rules_env
    return at.run()


def table_values(at: AppTest, column: str) -> list[str]:
    return [value for frame in at.dataframe if column in frame.value.columns for value in frame.value[column]]


def test_without_a_rules_file_the_data_page_counts_what_the_rule_leaves_out(pages_data):
    folder, total = pages_data
    at = data_page(folder)
    assert not at.exception and not at.error
    assert f"{total:,} deployments in environment 'github-pages' not production under the rule {DEFAULT_RULE}" in (
        table_values(at, "left out")
    )
    described = dict(zip(table_values(at, "rule"), table_values(at, "in force"), strict=False))
    assert described["rules file"] == "none found: the built-in rules"


def test_a_rules_file_in_the_data_folder_is_in_force_and_shown(pages_data):
    folder, _ = pages_data
    rules = folder / "flowgauge.rules.toml"
    rules.write_text(
        '[deployments]\nproduction = "(?i)^(prod|production|live|github-pages)$"\n\n[incidents]\nwindow_hours = 24\n'
    )
    at = data_page(folder)
    assert not at.exception and not at.error
    described = dict(zip(table_values(at, "rule"), table_values(at, "in force"), strict=False))
    assert described["rules file"] == str(rules)
    assert described["production environments"] == (
        "those matching '(?i)^(prod|production|live|github-pages)$' (RE2, as written)"
    )
    assert described["incident window"] == "24 h"
    in_force = at.session_state["fg_linking_rules"]  # what every page's numbers are computed with
    assert (in_force.production_env_regex, in_force.incident_window_hours) == (
        "(?i)^(prod|production|live|github-pages)$",
        24,
    )
    assert not any("github-pages" in line for line in table_values(at, "left out"))


def test_a_bad_rules_file_stops_the_page_with_its_line(pages_data, tmp_path):
    folder, _ = pages_data
    bad = tmp_path / "elsewhere.toml"
    bad.write_text('[bots]\nlogin_patterns = ["(?<=x)bot"]\n')
    at = data_page(folder, rules_env=str(bad))  # as app.py passes $FLOWGAUGE_RULES
    # Shown as text: the file's pattern is escaped, never read as Markdown.
    assert [error.value for error in at.error] == [
        "The rules file cannot be used: "
        + plain(
            f"{bad}:2: [bots] login_patterns: '(?<=x)bot' is not a pattern DuckDB's RE2 can run "
            "(invalid perl operator: (?<)"
        )
    ]
