"""`flowgauge sync` over GitLab groups and Jira: the configured sources run through the loaders `flowgauge snapshot
gitlab/jira` use, against the same fakes, each run recorded in sync_runs; `snapshot gitlab --group` reads groups too."""

from __future__ import annotations

import copy

import httpx
import pytest
from fixtures.gitlab.fake_gitlab import FakeGitLab, FakeProject
from fixtures.gitlab.scenario import world as gitlab_world
from fixtures.jira.scenario import world as jira_world
from typer.testing import CliRunner

from flowgauge.cli import api_commands, sync_commands
from flowgauge.cli.main import app
from flowgauge.loaders.jira.client import JiraAuth, build_jira_client
from flowgauge.snapshot import open_snapshot

GITLAB_TOKEN = "glpat-SYNCGROUPTOKEN0123456789"
JIRA_TOKEN = "ATATT3xFfGF0-sync-secret-token-4455"
JIRA_EMAIL = "ana@acme.test"


def two_project_group() -> FakeGitLab:
    """The scenario's grp/sub/app and a second project, grp/tools, with one of its merge requests."""
    fake = gitlab_world()
    app_project = fake.projects["grp/sub/app"]
    tools_info = {**app_project.info, "id": 8, "path": "tools", "path_with_namespace": "grp/tools"}
    tools_mr = copy.deepcopy(app_project.merge_requests[0])
    tools_mr["project_id"] = 8
    fake.projects["grp/tools"] = FakeProject(info=tools_info, merge_requests=[tools_mr])
    return fake


@pytest.fixture
def fakes(monkeypatch):
    gitlab, jira = two_project_group(), jira_world("cloud", JIRA_TOKEN, JIRA_EMAIL)

    def gitlab_client(api_url: str, token: str | None) -> httpx.Client:
        return httpx.Client(
            base_url=api_url.rstrip("/") + "/",
            headers={"Authorization": f"Bearer {token}"},
            transport=httpx.MockTransport(gitlab.handle),
        )

    def jira_client(site: str, auth: JiraAuth) -> httpx.Client:
        client = build_jira_client(site, auth)  # the real sign-in header, which the fake checks
        client._transport = httpx.MockTransport(jira.handle)
        return client

    for module in (sync_commands, api_commands):
        monkeypatch.setattr(module, "client_factory", gitlab_client)
    monkeypatch.setattr(sync_commands, "jira_client_factory", jira_client)
    monkeypatch.setenv("ACME_GITLAB_TOKEN", GITLAB_TOKEN)
    monkeypatch.setenv("ACME_JIRA_EMAIL", JIRA_EMAIL)
    monkeypatch.setenv("ACME_JIRA_TOKEN", JIRA_TOKEN)
    for name in ("JIRA_EMAIL", "JIRA_API_TOKEN", "JIRA_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return gitlab, jira


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "acme.toml"  # any name: --config says which file
    path.write_text(
        'snapshot = "acme.duckdb"\n'
        "\n"
        "[[gitlab]]\n"
        'name = "gitlab"\n'
        'groups = ["grp"]\n'
        'token_env = "ACME_GITLAB_TOKEN"\n'
        'api_url = "https://gitlab.test/api/v4"\n'
        "\n"
        "[[jira]]\n"
        'name = "planning"\n'
        'site = "https://acme.atlassian.test"\n'
        "boards = [7]\n"
        'email_env = "ACME_JIRA_EMAIL"\n'
        'api_token_env = "ACME_JIRA_TOKEN"\n'
        "freshness_hours = 12\n",
        encoding="utf-8",
    )
    return path


def query(path, sql):
    con = open_snapshot(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def sync(config):
    return CliRunner().invoke(app, ["sync", "--config", str(config)], env={"COLUMNS": "200"})


def test_a_gitlab_group_and_a_jira_board_are_synced_and_recorded(fakes, config):
    result = sync(config)
    assert result.exit_code == 0, result.output
    snapshot = config.parent / "data" / "acme.duckdb"
    # Every project of the group (the subgroup's included), and the board's seven issues.
    assert query(snapshot, "SELECT repo_id, count(*) FROM pull_requests GROUP BY 1 ORDER BY 1") == [
        ("grp/sub/app", 4),
        ("grp/tools", 1),
    ]
    assert query(snapshot, "SELECT count(*) FROM work_items") == [(7,)]
    assert query(snapshot, "SELECT source_id, kind FROM sources ORDER BY 1") == [
        ("gitlab:grp", "gitlab"),
        ("jira:acme.atlassian.test", "jira"),
    ]
    assert query(
        snapshot,
        "SELECT source_name, source_kind, succeeded, rows_written > 0, freshness_hours FROM sync_runs ORDER BY 1",
    ) == [("gitlab", "gitlab", True, True, 26.0), ("planning", "jira", True, True, 12.0)]
    assert "Synced 2 of 2 sources into" in " ".join(result.output.split())
    for secret in (GITLAB_TOKEN, JIRA_TOKEN):
        assert secret not in result.output and secret.encode() not in snapshot.read_bytes()


def test_a_second_sync_of_the_jira_board_reads_only_what_changed(fakes, config):
    _, jira = fakes
    assert sync(config).exit_code == 0
    jira.log.clear()
    assert sync(config).exit_code == 0
    searches = [line for line in jira.log if "search/jql" in line]
    assert searches and all("updated" in line for line in searches)  # the stored cursor bounds every search


def test_jira_credentials_missing_fail_that_source_only(fakes, config, monkeypatch):
    monkeypatch.delenv("ACME_JIRA_EMAIL")
    result = sync(config)
    assert result.exit_code == 3, result.output
    snapshot = config.parent / "data" / "acme.duckdb"
    assert query(snapshot, "SELECT source_name, succeeded, error FROM sync_runs ORDER BY 1") == [
        ("gitlab", True, None),
        ("planning", False, "ACME_JIRA_TOKEN is set but ACME_JIRA_EMAIL is not: Jira Cloud signs in with both"),
    ]
    assert "planning: failed: ACME_JIRA_TOKEN is set but ACME_JIRA_EMAIL is not" in result.output


def test_an_unknown_group_fails_with_its_url_and_status(fakes, config):
    config.write_text(config.read_text(encoding="utf-8").replace('groups = ["grp"]', 'groups = ["nobody"]'))
    result = sync(config)
    assert result.exit_code == 3, result.output
    error = query(config.parent / "data" / "acme.duckdb", "SELECT error FROM sync_runs WHERE source_name = 'gitlab'")
    url = "https://gitlab.test/api/v4/groups/nobody/projects"
    assert error == [(f"{url}: not found or not visible to this token (404)",)]


def test_snapshot_gitlab_reads_a_group_beside_listed_projects(fakes, tmp_path, monkeypatch):
    monkeypatch.setenv("GITLAB_TOKEN", GITLAB_TOKEN)
    out = tmp_path / "gl.duckdb"
    args = ["snapshot", "gitlab", "grp/sub/app", "--group", "grp", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--api-url", "https://gitlab.test/api/v4"])
    assert result.exit_code == 0, result.output
    assert "2 of 2 repositories loaded" in " ".join(result.output.split())  # grp/sub/app once, not twice
    assert query(out, "SELECT count(*) FROM pull_requests") == [(5,)]


def test_snapshot_gitlab_needs_a_project_or_a_group(fakes, monkeypatch, tmp_path):
    monkeypatch.setenv("GITLAB_TOKEN", GITLAB_TOKEN)
    result = CliRunner().invoke(app, ["snapshot", "gitlab", "--out", str(tmp_path / "gl.duckdb")])
    assert result.exit_code == 2
    assert "name at least one GROUP/PROJECT, or --group GROUP" in " ".join(result.output.replace("│", " ").split())
