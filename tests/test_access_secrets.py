"""The [auth] secrets file Streamlit's sign-in reads: written from [sign_in] and the environment, private, removed."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time
import tomllib

import pytest

from flowgauge.access.streamlit_secrets import SignInNotReady, remove_orphaned_secrets, streamlit_secrets_file
from flowgauge.org_config import load_org_config

CONFIG = """\
[sign_in]
provider = "https://login.acme.example/.well-known/openid-configuration"
client_id = "flowgauge"
client_secret_env = "ACME_OIDC_SECRET"
cookie_secret_env = "ACME_COOKIE_SECRET"
public_url = "https://flowgauge.acme.example/dash"
allow = ["@acme.example"]

[[files]]
folder = "exports"
"""
# Quotes, a backslash, a newline and characters outside ASCII (one outside the BMP) must survive the TOML round trip.
CLIENT_SECRET = 'cl"ient\\sec\nret-é-\U0001f511'
COOKIE_SECRET = "c" * 40


@pytest.fixture
def sign_in(tmp_path):
    path = tmp_path / "flowgauge.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return load_org_config(path).sign_in


def test_the_secrets_file_holds_streamlits_auth_settings_privately_and_goes_away(sign_in):
    environ = {"ACME_OIDC_SECRET": CLIENT_SECRET, "ACME_COOKIE_SECRET": COOKIE_SECRET}
    with streamlit_secrets_file(sign_in, environ) as path:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        auth = tomllib.loads(path.read_text(encoding="utf-8"))["auth"]
    assert auth == {
        "redirect_uri": "https://flowgauge.acme.example/dash/oauth2callback",
        "cookie_secret": COOKIE_SECRET,
        "client_id": "flowgauge",
        "client_secret": CLIENT_SECRET.strip(),
        "server_metadata_url": "https://login.acme.example/.well-known/openid-configuration",
        "client_kwargs": {"scope": "openid email profile", "prompt": "select_account"},
    }
    assert not path.exists() and not path.parent.exists()


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"ACME_COOKIE_SECRET": COOKIE_SECRET}, "$ACME_OIDC_SECRET is not set: sign-in needs the client secret"),
        ({"ACME_OIDC_SECRET": " ", "ACME_COOKIE_SECRET": COOKIE_SECRET}, "$ACME_OIDC_SECRET is not set"),
        ({"ACME_OIDC_SECRET": "s3cr3t"}, "$ACME_COOKIE_SECRET is not set: it signs sign-in cookies and needs 32+"),
        ({"ACME_OIDC_SECRET": "s3cr3t", "ACME_COOKIE_SECRET": "s3cr3t-short"}, "$ACME_COOKIE_SECRET is too short"),
    ],
)
def test_a_missing_or_weak_secret_is_refused_by_name_without_writing(sign_in, environ, message, monkeypatch, tmp_path):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    with pytest.raises(SignInNotReady) as raised, streamlit_secrets_file(sign_in, environ):
        pass
    assert str(raised.value).startswith(message)
    assert "s3cr3t" not in str(raised.value) and "\n" not in str(raised.value)
    assert not list(tmp_path.glob("flowgauge-sign-in-*"))


def serve(config, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`flowgauge serve --config CONFIG ARGS` as a user runs it, with only the given variables set."""
    return subprocess.run(
        [sys.executable, "-m", "flowgauge.cli.main", "serve", "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=config.parent,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "NO_COLOR": "1", **env},
    )


def test_serve_refuses_to_start_sign_in_without_its_secrets(tmp_path):
    config = tmp_path / "flowgauge.toml"
    config.write_text(CONFIG, encoding="utf-8")
    result = serve(config, "--host", "0.0.0.0", env={"ACME_COOKIE_SECRET": COOKIE_SECRET})
    assert result.returncode == 1
    assert result.stderr.startswith("flowgauge: error: $ACME_OIDC_SECRET is not set: sign-in needs the client secret")
    assert result.stderr.count("\n") == 1 and COOKIE_SECRET not in result.stderr + result.stdout


def test_serve_refuses_a_loopback_public_url_on_another_port(tmp_path):
    config = tmp_path / "flowgauge.toml"
    config.write_text(CONFIG.replace("https://flowgauge.acme.example/dash", "http://127.0.0.1:8501"), encoding="utf-8")
    environ = {"ACME_OIDC_SECRET": "s3cr3t-client", "ACME_COOKIE_SECRET": COOKIE_SECRET}
    result = serve(config, "--port", "8502", env=environ)
    assert result.returncode == 1
    assert result.stderr == (
        "flowgauge: error: [sign_in] public_url http://127.0.0.1:8501 is port 8501, but the dashboard is served on "
        "port 8502: the provider would send people back where nothing answers\n"
    )
    assert "s3cr3t" not in result.stdout + result.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_killed_serves_secrets_are_removed_by_the_next_serve(sign_in, tmp_path, monkeypatch):
    """SIGKILL gives `flowgauge serve` no chance to clean up: the next serve removes the orphaned folder."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    config = tmp_path / "flowgauge.toml"
    config.write_text(CONFIG, encoding="utf-8")
    environ = {"ACME_OIDC_SECRET": "s3cr3t-client", "ACME_COOKIE_SECRET": COOKIE_SECRET, "TMPDIR": str(temp)}
    server = subprocess.Popen(
        [sys.executable, "-m", "flowgauge.cli.main", "serve", "--config", str(config), "--port", str(_free_port())],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **environ},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not list(temp.glob("flowgauge-sign-in-*/secrets.toml")) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
    [orphan] = list(temp.glob("flowgauge-sign-in-*"))
    assert orphan.name.startswith(f"flowgauge-sign-in-{server.pid}-")
    # Another serve of the same user that still runs keeps its folder: here, this test process's own.
    running = temp / f"flowgauge-sign-in-{os.getpid()}-abc"
    running.mkdir(mode=0o700)
    monkeypatch.setattr("tempfile.tempdir", str(temp))
    secrets = {"ACME_OIDC_SECRET": "s3cr3t-client", "ACME_COOKIE_SECRET": COOKIE_SECRET}
    with streamlit_secrets_file(sign_in, secrets) as path:
        assert not orphan.exists() and running.exists()
        assert path.parent.name.startswith(f"flowgauge-sign-in-{os.getpid()}-")
    assert [folder.name for folder in temp.iterdir()] == [running.name]


def test_only_folders_of_processes_that_no_longer_run_are_removed(monkeypatch, tmp_path):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = tmp_path / f"flowgauge-sign-in-{finished.stdout.strip()}-x1"
    alive = tmp_path / f"flowgauge-sign-in-{os.getpid()}-x2"
    unnamed = tmp_path / "flowgauge-sign-in-x3"  # no process id in its name: not one this module wrote
    for folder in (dead, alive, unnamed):
        folder.mkdir()
        (folder / "secrets.toml").write_text("[auth]\n", encoding="utf-8")
    assert remove_orphaned_secrets() == [dead]
    assert not dead.exists() and alive.exists() and unnamed.exists()
