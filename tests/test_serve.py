"""`flowgauge serve` as a user runs it: which addresses it refuses without sign-in, and the one-line errors."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest
from served_app import serving
from streamlit.testing.v1 import AppTest

from flowgauge.dashboard import APP_SCRIPT
from flowgauge.dashboard.serving import check_exposure, dashboard_settings, is_loopback
from flowgauge.org_config import load_org_config
from flowgauge.ui.text import plain

REFUSAL = (
    "flowgauge: error: refusing to serve {host} without sign-in: anyone who reaches it would see the data; "
    "configure [sign_in] in {where} (docs/deploy.md) or pass --allow-anonymous\n"
)


def flowgauge(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flowgauge.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )


def write_config(folder: Path, extra: str = "") -> Path:
    (folder / "exports").mkdir(exist_ok=True)
    config = folder / "flowgauge.toml"
    config.write_text(
        'data_folder = "shared"\nsnapshot = "acme.duckdb"\n\n[[files]]\nname = "incidents"\nfolder = "exports"\n'
        + textwrap.dedent(extra),
        encoding="utf-8",
    )
    return config


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "dashboard.acme.example"])
def test_an_address_others_reach_is_refused_without_sign_in(tmp_path, host):
    result = flowgauge("serve", "--host", host, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == REFUSAL.format(host=host, where="flowgauge.toml (--config)")
    assert result.stdout == ""


def test_a_config_without_sign_in_is_named_in_the_refusal(tmp_path):
    config = write_config(tmp_path)
    result = flowgauge("serve", "--config", str(config), "--host", "0.0.0.0", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == REFUSAL.format(host="0.0.0.0", where=config)


def test_the_config_in_the_working_directory_is_read_without_config(tmp_path):
    write_config(tmp_path, "\n[rules.deployments]\nproduction = '(unclosed'\n")
    result = flowgauge("serve", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("flowgauge: error: flowgauge.toml:")
    assert "(unclosed" in result.stderr and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_a_bad_config_is_one_line_with_its_file_and_line(tmp_path):
    config = write_config(tmp_path, "\n[dashboard]\nport = 1\n")
    result = flowgauge("serve", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"flowgauge: error: {config}:8: dashboard: unknown key; expected one of ")
    assert result.stderr.count("\n") == 1


def test_a_snapshot_the_dashboard_would_not_list_is_refused(tmp_path):
    config = write_config(tmp_path)
    config.write_text(config.read_text().replace("acme.duckdb", "acme.db"))
    result = flowgauge("serve", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        f"flowgauge: error: {config}: snapshot: 'acme.db': the dashboard lists only *.duckdb files; name it "
        "acme.duckdb\n"
    )


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.0.0.2", True), ("localhost", True), ("::1", True), ("[::1]", True)]
    + [("0.0.0.0", False), ("::", False), ("10.0.0.1", False), ("localhost.example", False)],
)
def test_only_loopback_addresses_count_as_this_machine(host, loopback):
    assert is_loopback(host) is loopback


SIGN_IN = """
[sign_in]
provider = "https://login.acme.example/.well-known/openid-configuration"
client_id = "flowgauge"
public_url = "https://flowgauge.acme.example"
allow = ["@acme.example"]
"""


def test_sign_in_in_the_config_lets_any_address_be_served(tmp_path):
    config = write_config(tmp_path, SIGN_IN)
    org = load_org_config(config)
    assert org.sign_in_configured
    check_exposure("0.0.0.0", org, allow_anonymous=False)  # no refusal
    settings = dashboard_settings(org, tmp_path / "ignored")
    assert settings.environment() == {
        "FLOWGAUGE_DATA_DIR": str(tmp_path / "shared"),
        "FLOWGAUGE_SNAPSHOT": "acme",
        "FLOWGAUGE_CONFIG": str(config),  # the app enforces its [sign_in]
    }


def test_the_rules_of_the_config_reach_the_dashboard(tmp_path):
    config = write_config(tmp_path, "\n[rules.deployments]\nproduction = '^live$'\n")
    settings = dashboard_settings(load_org_config(config), tmp_path / "ignored")
    assert settings.environment()["FLOWGAUGE_RULES"] == str(config)


def test_the_default_benchmark_set_of_the_config_reaches_the_dashboard(tmp_path):
    config = write_config(tmp_path, "\n")
    config.write_text('benchmarks = "dora-2024"\n' + config.read_text(encoding="utf-8"), encoding="utf-8")
    settings = dashboard_settings(load_org_config(config), tmp_path / "ignored")
    assert settings.environment()["FLOWGAUGE_RULES"] == str(config)  # read as rules (built-in) and benchmark set


def test_allow_anonymous_serves_every_address_and_answers_the_health_check(tmp_path):
    log = tmp_path / "serve.log"
    with serving(["--host", "0.0.0.0", "--allow-anonymous"], tmp_path, log) as base:
        assert httpx.get(f"{base}/_stcore/health", timeout=5).text == "ok"
    port = base.rsplit(":", 1)[1]
    assert f"Serving {tmp_path / 'data'} (no config) on http://0.0.0.0:{port}" in log.read_text()


def test_the_organisations_snapshot_opens_first_beside_a_demo(app_data_dir, tmp_path, monkeypatch):
    shutil.copy(app_data_dir / "demo.duckdb", tmp_path / "demo.duckdb")
    shutil.copy(app_data_dir / "demo.duckdb", tmp_path / "acme.duckdb")
    monkeypatch.setenv("FLOWGAUGE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FLOWGAUGE_SNAPSHOT", "acme")  # as `flowgauge serve` sets it from the config's snapshot
    at = AppTest.from_file(str(APP_SCRIPT), default_timeout=60).run()
    assert not at.exception
    assert at.selectbox(key="fg_snapshot").value == "acme"
    assert at.query_params["snapshot"] == "acme"


def test_an_organisation_not_synced_yet_gets_no_demo_but_the_command_to_run(tmp_path, monkeypatch):
    monkeypatch.setenv("FLOWGAUGE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FLOWGAUGE_SNAPSHOT", "acme")
    at = AppTest.from_file(str(APP_SCRIPT), default_timeout=60).run()
    assert [error.value for error in at.error] == [
        f"No snapshot in {plain(tmp_path)}. Create one with `flowgauge demo` or load your organisation with "
        "`flowgauge sync` or `flowgauge snapshot github …`, then reload this page."
    ]
    assert list(tmp_path.iterdir()) == []


def test_a_port_already_taken_is_one_line_not_a_traceback(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = flowgauge("serve", "--port", str(port), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == f"flowgauge: error: cannot listen on 127.0.0.1 port {port}: Address already in use\n"


def test_an_address_that_is_not_this_machines_is_one_line(tmp_path):
    result = flowgauge("serve", "--host", "192.0.2.1", "--allow-anonymous", cwd=tmp_path)  # TEST-NET-1
    assert result.returncode == 1
    assert result.stderr == "flowgauge: error: cannot listen on 192.0.2.1 port 8501: Cannot assign requested address\n"
