"""The README's promises: two quick-start commands, the one CI runs, and every CLI command documented."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from flowgauge.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", section, flags=re.S)
    return [
        line.strip() for block in blocks for line in block.splitlines() if line.strip() and not line.startswith("#")
    ]


def test_quick_start_is_exactly_two_commands():
    commands = quick_start_commands()
    assert len(commands) == 2, commands
    dashboard, tests = commands
    assert "streamlit run app.py" in dashboard
    assert tests.endswith("pytest")


def test_ci_runs_the_readme_test_command_verbatim():
    ci_script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert quick_start_commands()[1] in ci_script.splitlines()


def all_command_paths(group: typer.Typer, prefix: str = "flowgauge") -> list[str]:
    paths = []
    for command in group.registered_commands:
        name = command.name or command.callback.__name__.replace("_", "-")
        paths.append(f"{prefix} {name}")
    for sub in group.registered_groups:
        paths.extend(all_command_paths(sub.typer_instance, f"{prefix} {sub.name}"))
    return paths


def test_every_cli_command_is_documented_in_the_readme():
    paths = all_command_paths(app)
    assert "flowgauge info" in paths and "flowgauge demo" in paths
    undocumented = [path for path in paths if f"`{path}" not in README]
    assert undocumented == []


def test_usage_statistics_are_off_and_the_app_runs_headless():
    config = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert re.search(r"^gatherUsageStats = false$", config, flags=re.M)
    assert re.search(r"^headless = true$", config, flags=re.M)
    assert re.search(r"^disableDataExport = true$", config, flags=re.M)  # only our escaped CSV downloads


def test_the_installed_dashboard_has_the_same_streamlit_settings_as_a_clone():
    # `streamlit run app.py` reads .streamlit/ in the clone; `flowgauge serve` the one beside the packaged frame.
    packaged = ROOT / "flowgauge" / "dashboard" / ".streamlit" / "config.toml"
    assert packaged.read_text(encoding="utf-8") == (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
