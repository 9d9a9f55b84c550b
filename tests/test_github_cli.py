"""`flowgauge snapshot github` over a fake GitHub: summary, warnings, exit codes, and no token in any output."""

from __future__ import annotations

import httpx
import pytest
from fixtures.github.scenario import organisation
from typer.testing import CliRunner

from flowgauge.cli import api_commands
from flowgauge.cli.main import app
from flowgauge.snapshot import open_snapshot

TOKEN = "ghp_CLITEST9876543210zyxwvutsrqponmlkji"


@pytest.fixture
def fake(monkeypatch):
    world = organisation()
    seen_tokens = []

    def factory(api_url: str, token: str | None) -> httpx.Client:
        seen_tokens.append(token)
        return httpx.Client(
            base_url=api_url.rstrip("/") + "/",
            headers={"Authorization": f"Bearer {token}"},
            transport=httpx.MockTransport(world.handle),
        )

    monkeypatch.setattr(api_commands, "client_factory", factory)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    world.seen_tokens = seen_tokens
    return world


def invoke(*args: str):
    return CliRunner().invoke(app, ["snapshot", "github", *args])


def test_loads_repos_lists_skipped_ones_and_exits_3_partially_loaded(fake, tmp_path):
    out = tmp_path / "gh.duckdb"
    result = invoke("acme/payments", "acme/gone", "--out", str(out), "--api-url", "https://api.github.test")
    assert result.exit_code == 3, result.output
    assert fake.seen_tokens == [TOKEN]  # the environment token reached the client, and only the client
    text = " ".join(result.output.split())  # rich wraps long lines
    assert "1 of 2 repositories loaded" in text
    assert "acme/gone: skipped" in text and "Skipped 1: acme/gone" in text
    assert TOKEN not in result.output
    con = open_snapshot(out)
    try:
        assert con.execute("SELECT count(*) FROM pull_requests").fetchone() == (5,)
    finally:
        con.close()
    assert TOKEN.encode() not in out.read_bytes()


def test_org_mode_lists_repositories_and_loads_teams(fake, tmp_path):
    fake.repos.pop("acme/secret")
    out = tmp_path / "gh.duckdb"
    result = invoke("--org", "acme", "--out", str(out), "--api-url", "https://api.github.test")
    assert result.exit_code == 0, result.output
    con = open_snapshot(out)
    try:
        assert con.execute("SELECT count(DISTINCT repo_id) FROM pull_requests").fetchone() == (2,)
        assert con.execute("SELECT count(*) FROM teams").fetchone() == (2,)
    finally:
        con.close()


def test_all_repositories_failing_exits_1_and_leaves_the_snapshot(fake, tmp_path):
    out = tmp_path / "gh.duckdb"
    assert invoke("acme/payments", "--out", str(out), "--api-url", "https://api.github.test").exit_code == 0
    before = out.read_bytes()
    result = invoke("acme/gone", "acme/secret", "--out", str(out), "--api-url", "https://api.github.test")
    assert result.exit_code == 1
    assert "No repository could be loaded" in result.output
    assert out.read_bytes() == before


def test_missing_token_is_a_one_line_error(fake, monkeypatch, tmp_path):
    monkeypatch.delenv("GITHUB_TOKEN")
    monkeypatch.delenv("GH_TOKEN", raising=False)
    result = invoke("acme/payments", "--out", str(tmp_path / "x.duckdb"))
    assert result.exit_code != 0
    assert "GITHUB_TOKEN" in str(result.exception)


def test_server_errors_never_print_the_token(fake, tmp_path, monkeypatch):
    monkeypatch.setattr(api_commands, "ApiSession", _no_sleep_session)
    fake.faults.append(lambda r: httpx.Response(503, text=f"upstream saw {r.headers['Authorization']}"))
    result = invoke("acme/payments", "--out", str(tmp_path / "x.duckdb"), "--api-url", "https://api.github.test")
    assert result.exit_code != 0
    assert TOKEN not in result.output and TOKEN not in str(result.exception)


def _no_sleep_session(client, **kwargs):
    from flowgauge.loaders.http.session import ApiSession

    return ApiSession(client, sleep=lambda s: None, **kwargs)


def test_malformed_repository_names_are_refused_before_any_request(fake, tmp_path):
    result = invoke("payments", "--out", str(tmp_path / "x.duckdb"))
    assert result.exit_code == 2
    assert "expected OWNER/REPO" in " ".join(result.output.split())
    assert fake.log == []


def test_rate_limit_waits_are_shown(fake, tmp_path, monkeypatch):
    monkeypatch.setattr(api_commands, "ApiSession", _no_sleep_session)
    answers = iter([httpx.Response(429, headers={"Retry-After": "5"})])
    fake.faults.append(lambda request: next(answers, None))
    result = invoke("acme/payments", "--out", str(tmp_path / "x.duckdb"), "--api-url", "https://api.github.test")
    assert result.exit_code == 0, result.output
    assert "waiting 5 s: secondary rate limit (Retry-After)" in " ".join(result.output.split())


def test_out_defaults_to_the_data_folder_of_the_environment(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("FLOWGAUGE_DATA_DIR", str(tmp_path / "shared-data"))
    result = invoke("acme/payments", "--api-url", "https://api.github.test")
    assert result.exit_code == 0, result.output
    con = open_snapshot(tmp_path / "shared-data" / "flowgauge.duckdb")
    try:
        assert con.execute("SELECT count(*) FROM pull_requests").fetchone() == (5,)
    finally:
        con.close()
