"""`flowgauge snapshot gitlab` over a fake GitLab: rows written, skipped projects listed, token never shown."""

from __future__ import annotations

import httpx
from fixtures.gitlab.fake_gitlab import FakeGitLab
from fixtures.gitlab.scenario import world
from typer.testing import CliRunner

from flowgauge.cli import api_commands
from flowgauge.cli.main import app
from flowgauge.snapshot import open_snapshot

TOKEN = "glpat-CLITOKEN0123456789xyz"


def test_gitlab_command_loads_projects_and_hides_the_token(monkeypatch, tmp_path):
    fake: FakeGitLab = world()

    def factory(api_url: str, token: str | None) -> httpx.Client:
        return httpx.Client(
            base_url=api_url.rstrip("/") + "/",
            headers={"Authorization": f"Bearer {token}"},
            transport=httpx.MockTransport(fake.handle),
        )

    monkeypatch.setattr(api_commands, "client_factory", factory)
    monkeypatch.setenv("GITLAB_TOKEN", TOKEN)
    out = tmp_path / "gl.duckdb"
    args = [
        "snapshot",
        "gitlab",
        "grp/sub/app",
        "grp/nope",
        "--out",
        str(out),
        "--api-url",
        "https://gitlab.test/api/v4",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "1 of 2 repositories loaded" in text and "grp/nope: skipped" in text
    assert TOKEN not in result.output
    con = open_snapshot(out)
    try:
        assert con.execute("SELECT count(*) FROM pull_requests").fetchone() == (4,)
        assert con.execute("SELECT kind, location FROM sources").fetchall() == [
            ("gitlab", "https://gitlab.test/api/v4")
        ]
    finally:
        con.close()
    assert TOKEN.encode() not in out.read_bytes()
