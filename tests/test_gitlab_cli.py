"""`flowgauge snapshot gitlab` over a fake GitLab: rows written, skipped projects listed, token never shown."""

from __future__ import annotations

import httpx
from fixtures.gitlab.fake_gitlab import FakeGitLab
from fixtures.gitlab.scenario import world
from typer.testing import CliRunner

from flowgauge.cli import api_commands
from flowgauge.cli.main import app
from flowgauge.inventory import summarize_snapshot
from flowgauge.snapshot import open_snapshot
from flowgauge.ui.tables import sources_table

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
    assert result.exit_code == 3, result.output  # partially loaded: written, with grp/nope skipped
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


def test_a_deployment_without_updated_at_loads_and_is_counted_in_the_summary(monkeypatch, tmp_path):
    """The real case: GitLab answered a deployment without updated_at, which raised KeyError and wrote nothing."""
    fake: FakeGitLab = world()
    del fake.projects["grp/sub/app"].deployments[0]["updated_at"]
    monkeypatch.setattr(
        api_commands,
        "client_factory",
        lambda api_url, token: httpx.Client(base_url=api_url + "/", transport=httpx.MockTransport(fake.handle)),
    )
    monkeypatch.setenv("GITLAB_TOKEN", TOKEN)
    out = tmp_path / "gl.duckdb"
    result = CliRunner().invoke(
        app, ["snapshot", "gitlab", "grp/sub/app", "--out", str(out), "--api-url", "https://gitlab.test/api/v4"]
    )
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    lines = [" ".join(line.split()) for line in result.output.splitlines()]
    assert "deployments: 1 without updated_at" in lines, result.output
    con = open_snapshot(out)
    try:
        # The deployment is there, with the status GitLab reported and its finish time as the status time.
        assert con.execute(
            "SELECT d.status, s.status, s.status_at::VARCHAR FROM deployments d JOIN deployment_statuses s "
            "USING (deployment_id) WHERE deployment_id = 'grp/sub/app:deploy:51'"
        ).fetchall() == [("success", "success", "2024-04-02 12:05:00")]
        summary = summarize_snapshot(con)
    finally:
        con.close()
    # The same line in the sources detail, which `flowgauge info` and the Data page show.
    line = "what the API's answers lacked: deployments: 1 without updated_at"
    assert summary.sources[0].summary == line
    assert sources_table(summary).column("load summary").to_pylist() == [line]
    info = CliRunner().invoke(app, ["info", str(out)])
    assert f"gitlab:grp: {line}" in " ".join(info.output.split())
