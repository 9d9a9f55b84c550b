"""`flowgauge sync` over a fake GitHub, a git repository made here and a folder of exported CSVs: the snapshot is
built, each run recorded in sync_runs, and a failing source keeps its last good data while the others load."""

from __future__ import annotations

import fcntl
import json

import httpx
import pytest
from fixtures.github.scenario import organisation
from git_repo_builder import RepoBuilder
from typer.testing import CliRunner

from flowgauge.cli import sync_commands
from flowgauge.cli.main import app
from flowgauge.snapshot import open_snapshot

TOKEN = "ghp_SYNCTEST0123456789abcdefghijklmnopq"
ALICE = "Alice Example <alice@acme.com>"


@pytest.fixture
def fake(monkeypatch):
    world = organisation()

    def factory(api_url: str, token: str | None) -> httpx.Client:
        return httpx.Client(
            base_url=api_url.rstrip("/") + "/",
            headers={"Authorization": f"Bearer {token}"},
            transport=httpx.MockTransport(world.handle),
        )

    monkeypatch.setattr(sync_commands, "client_factory", factory)
    monkeypatch.setenv("ACME_GITHUB_TOKEN", TOKEN)
    return world


@pytest.fixture
def organisation_config(tmp_path):
    repo = RepoBuilder(tmp_path / "clones" / "shop")
    repo.write("app.py", ["a1", "a2"])
    first = repo.commit(["app.py"], "Initial", ALICE, "2024-01-01 12:00:00 +0000")
    repo.edit("app.py", 1, "b1")
    second = repo.commit(["app.py"], "Faster checkout (#7)", ALICE, "2024-01-05 12:00:00 +0000")
    repo.tag("v1.0", second)
    assert first != second
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "incidents.csv").write_text(
        "incident_id,source,title,repo_id,service_id,severity,opened_at,acknowledged_at,resolved_at,deployment_id,url\n"
        "INC-1,pagerduty,Checkout down,shop,,sev1,2024-01-06 10:00:00,,2024-01-06 12:00:00,,\n"
        "INC-2,pagerduty,Slow search,shop,,sev3,2024-01-08 09:00:00,,2024-01-08 09:30:00,,\n",
        encoding="utf-8",
    )
    config = tmp_path / "flowgauge.toml"
    config.write_text(
        'data_folder = "data"\n'
        'snapshot = "acme.duckdb"\n'
        "\n"
        "[[github]]\n"
        'name = "github"\n'
        'repos = ["acme/payments"]\n'
        'token_env = "ACME_GITHUB_TOKEN"\n'
        'api_url = "https://api.github.test"\n'
        "\n"
        "[[git]]\n"
        'name = "shop"\n'
        'paths = ["clones/shop"]\n'
        "\n"
        "[[files]]\n"
        'name = "incidents"\n'
        'folder = "exports"\n',
        encoding="utf-8",
    )
    return config


def sync(config):
    return CliRunner().invoke(app, ["sync", "--config", str(config)], env={"COLUMNS": "200"})


def counts(path):
    con = open_snapshot(path)
    try:
        # One count per source: GitHub's PRs, the clone's commits, the CSV's incidents.
        return con.execute(
            "SELECT (SELECT count(*) FROM pull_requests WHERE repo_id = 'acme/payments'), "
            "(SELECT count(*) FROM commits WHERE repo_id = 'shop'), "
            "(SELECT count(*) FROM incidents WHERE incident_id IN ('INC-1', 'INC-2'))"
        ).fetchall()[0]
    finally:
        con.close()


def runs(path):
    con = open_snapshot(path)
    try:
        return con.execute(
            "SELECT source_name, source_kind, succeeded, rows_written > 0, error FROM sync_runs "
            "ORDER BY started_at, source_name"
        ).fetchall()
    finally:
        con.close()


def test_sync_builds_the_snapshot_and_records_each_source(fake, organisation_config):
    result = sync(organisation_config)
    assert result.exit_code == 0, result.output
    snapshot = organisation_config.parent / "data" / "acme.duckdb"
    assert counts(snapshot) == (5, 2, 2)
    assert runs(snapshot) == [
        ("github", "github", True, True, None),
        ("shop", "git", True, True, None),
        ("incidents", "files", True, True, None),
    ]
    text = " ".join(result.output.split())
    assert "Synced 3 of 3 sources into" in text
    assert "Prepared the dashboard's facts" in text
    assert TOKEN not in result.output and TOKEN.encode() not in snapshot.read_bytes()


def test_a_failing_source_is_recorded_and_keeps_its_last_good_data(fake, organisation_config):
    assert sync(organisation_config).exit_code == 0
    snapshot = organisation_config.parent / "data" / "acme.duckdb"
    before = counts(snapshot)
    fake.faults.append(lambda request: httpx.Response(401, json={"message": "Bad credentials"}))
    result = sync(organisation_config)
    assert result.exit_code == 3, result.output
    assert counts(snapshot) == before  # GitHub's PRs from the first run are still there
    latest = runs(snapshot)[3:]
    assert [row[:3] for row in latest] == [
        ("github", "github", False),
        ("shop", "git", True),
        ("incidents", "files", True),
    ]
    error = latest[0][4]
    assert "401" in error and "\n" not in error and TOKEN not in error
    text = " ".join(result.output.split())
    assert "Synced 2 of 3 sources" in text and "Failed: github; their last good data is kept" in text
    assert f"github: failed: {error}" in result.output.splitlines()  # the whole error on one line


def test_a_missing_token_variable_fails_that_source_only(fake, organisation_config, monkeypatch):
    monkeypatch.delenv("ACME_GITHUB_TOKEN")
    result = sync(organisation_config)
    assert result.exit_code == 3, result.output
    snapshot = organisation_config.parent / "data" / "acme.duckdb"
    assert counts(snapshot) == (0, 2, 2)  # nothing from GitHub, the clone and the CSV loaded
    assert runs(snapshot)[0] == (
        "github",
        "github",
        False,
        False,
        "ACME_GITHUB_TOKEN is not set (token_env of source github)",
    )


def test_a_second_sync_on_the_same_snapshot_is_refused(fake, organisation_config):
    data = organisation_config.parent / "data"
    data.mkdir()
    with open(data / ".acme.duckdb.sync.lock", "a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = sync(organisation_config)
    assert result.exit_code != 0
    assert str(result.exception) == f"{data / 'acme.duckdb'}: another flowgauge sync is running; try again when it ends"
    assert not (data / "acme.duckdb").exists()


def test_a_version_3_snapshot_gains_sync_runs_when_next_written(tmp_path):
    import duckdb

    from flowgauge.loaders.store import write_snapshot
    from flowgauge.snapshot import SCHEMA_VERSION

    path = tmp_path / "old.duckdb"
    with write_snapshot(path, fresh=True):
        pass
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE sync_runs")
    con.execute("UPDATE snapshot_meta SET schema_version = 3")
    con.close()
    with write_snapshot(path):
        pass
    con = open_snapshot(path)
    try:
        assert con.execute("SELECT schema_version FROM snapshot_meta").fetchall() == [(SCHEMA_VERSION,)]
        assert con.execute("SELECT count(*) FROM sync_runs").fetchall() == [(0,)]
    finally:
        con.close()


def test_a_folder_of_gh_exports_is_classified_by_the_configs_code_origin_rules(tmp_path):
    exports = tmp_path / "exports"
    exports.mkdir()
    pr = {
        "number": 1,
        "url": "https://github.com/acme/web/pull/1",
        "state": "MERGED",
        "createdAt": "2024-03-01T09:00:00Z",
        "mergedAt": "2024-03-01T12:00:00Z",
        "author": {"login": "acme-devin", "is_bot": False},
        "body": "Bumps the cache size",
        "commits": [],
    }
    (exports / "prs.json").write_text(json.dumps([pr]), encoding="utf-8")
    config = tmp_path / "flowgauge.toml"
    config.write_text(
        'data_folder = "data"\nsnapshot = "acme.duckdb"\n\n[[files]]\nname = "prs"\nfolder = "exports"\n\n'
        '[rules.code_origin]\nagent_logins = ["acme-devin"]\n',
        encoding="utf-8",
    )
    result = sync(config)
    assert result.exit_code == 0, result.output
    con = open_snapshot(tmp_path / "data" / "acme.duckdb")
    try:
        origins = con.execute("SELECT pr_id, origin, evidence_kind, evidence FROM pr_code_origins").fetchall()
    finally:
        con.close()
    assert origins == [("acme/web#1", "agentic", "author login", "acme-devin")]
