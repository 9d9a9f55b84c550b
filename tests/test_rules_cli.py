"""One rules file from load to metric: the GitHub loader and `flowgauge report` read the same production rule."""

from __future__ import annotations

import json

import httpx
import pytest
from fixtures.github.fake_github import FakeGitHub, FakeRepo, commit, deployment, deployment_status, pull, user
from typer.testing import CliRunner

from flowgauge.cli import api_commands
from flowgauge.cli.main import app
from flowgauge.snapshot import open_snapshot

API_URL = "https://api.github.test"
PAGES_RULES = '[deployments]\nproduction = "(?i)^(prod|production|live|github-pages)$"\n'
WINDOW = ("--from", "2024-03-01", "--to", "2024-03-29")  # four weeks


def site() -> FakeRepo:
    """acme/site: two merged PRs and three GitHub Pages deployments (two succeeded, one failed), nothing else."""
    pulls = [
        pull(
            n,
            created=f"2024-03-0{n}T08:00:00Z",
            updated=f"2024-03-0{n}T12:00:00Z",
            merged=f"2024-03-0{n}T11:00:00Z",
            author=user("alice"),
            commits=[commit(f"{n:039x}c", f"2024-03-0{n}T07:00:00Z")],
            merge_commit={
                "oid": f"{n:039x}m",
                "authoredDate": f"2024-03-0{n}T11:00:00Z",
                "committedDate": f"2024-03-0{n}T11:00:00Z",
                "messageHeadline": f"Page {n} (#{n})",
                "parents": {"totalCount": 1},
            },
        )
        for n in (2, 4)
    ]
    return FakeRepo(
        pulls=pulls,
        deployments=[
            deployment(21, f"{2:039x}m", "github-pages", "2024-03-02T11:10:00Z"),
            deployment(22, f"{4:039x}m", "github-pages", "2024-03-04T11:10:00Z"),
            deployment(23, f"{4:039x}m", "github-pages", "2024-03-05T09:00:00Z"),
        ],
        statuses={
            21: [deployment_status(1, "success", "2024-03-02T11:12:00Z")],
            22: [deployment_status(2, "failure", "2024-03-04T11:12:00Z")],
            23: [deployment_status(3, "success", "2024-03-05T09:02:00Z")],
        },
    )


@pytest.fixture
def fake(monkeypatch, tmp_path):
    world = FakeGitHub(repos={"acme/site": site()})

    def factory(api_url: str, token: str | None) -> httpx.Client:
        return httpx.Client(base_url=api_url.rstrip("/") + "/", transport=httpx.MockTransport(world.handle))

    monkeypatch.setattr(api_commands, "client_factory", factory)
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_RULESTEST0000000000000000000000000")
    monkeypatch.delenv("FLOWGAUGE_RULES", raising=False)
    monkeypatch.chdir(tmp_path)  # no rules file found by accident
    return world


def run(*args: str):
    """What the command printed (stdout and stderr), with rich's line wrapping undone."""
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def report_json(*args: str):
    """`flowgauge report --format json`, parsed from stdout alone."""
    result = CliRunner().invoke(app, ["report", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_pages_deployments_count_when_the_rules_make_them_production(fake, tmp_path):
    rules = tmp_path / "pages.toml"
    rules.write_text(PAGES_RULES)
    out = tmp_path / "data" / "site.duckdb"
    out.parent.mkdir()
    loaded = run("snapshot", "github", "acme/site", "--out", str(out), "--api-url", API_URL, "--rules", str(rules))
    assert f"Rules: {rules}" in loaded and "Left out by the rules" not in loaded
    con = open_snapshot(out)
    try:
        stored = con.execute("SELECT detection_rule, count(*) FROM deployments GROUP BY ALL").fetchall()
    finally:
        con.close()
    assert stored == [("deployments_api", 3)]

    report = report_json(str(out), *WINDOW, "--rules", str(rules))
    frequency = report["deploy_frequency"]
    assert frequency["value"] == pytest.approx(3 / 4)  # 3 deployments (a failed one counts) in 4 weeks
    assert frequency["n_used"] == 3 and frequency["flags"] == []
    assert frequency["rules"]["production_env_regex"] == "(?i)^(prod|production|live|github-pages)$"
    # One failed of three, under the same rule.
    assert report["change_failure_rate"]["value"] == pytest.approx(100 / 3)

    # --config is the older name of --rules, and a rules file in the snapshot's folder is found without either.
    (out.parent / "flowgauge.rules.toml").write_text(PAGES_RULES)
    found = report_json(str(out), *WINDOW)
    assert found["deploy_frequency"]["value"] == pytest.approx(3 / 4)
    table = run("report", str(out), *WINDOW, "--config", str(rules))
    assert f"Rules: {rules}" in table


def test_without_the_rule_the_summary_says_what_it_skipped_and_why(fake, tmp_path):
    out = tmp_path / "site.duckdb"
    loaded = run("snapshot", "github", "acme/site", "--out", str(out), "--api-url", API_URL)
    assert "Rules: built-in (no rules file found)" in loaded
    assert (
        "Left out by the rules: 3 deployments in environment 'github-pages' not production under the rule "
        "'(?i)^(prod|production|live)([-_ ].*)?$'"
    ) in loaded
    con = open_snapshot(out)
    try:
        api = con.execute("SELECT count(*) FROM deployments WHERE detection_rule = 'deployments_api'").fetchone()
        (detail,) = con.execute("SELECT detail FROM sources").fetchone()
    finally:
        con.close()
    assert api == (0,)
    # Recorded with the load, for the Data page; an unchanged re-run keeps the count (nothing is fetched again).
    expected = {
        "deployments in environment 'github-pages' not production under the rule "
        "'(?i)^(prod|production|live)([-_ ].*)?$'": 3
    }
    assert json.loads(detail)["dropped"] == expected
    run("snapshot", "github", "acme/site", "--out", str(out), "--api-url", API_URL)
    con = open_snapshot(out)
    try:
        (detail,) = con.execute("SELECT detail FROM sources").fetchone()
    finally:
        con.close()
    assert json.loads(detail)["dropped"] == expected


def test_a_bad_rules_file_stops_the_load_with_file_line_and_reason(fake, tmp_path):
    rules = tmp_path / "bad.toml"
    rules.write_text('[deployments]\nproduction = "^(?!staging)"\n')
    result = CliRunner().invoke(
        app,
        [
            "snapshot",
            "github",
            "acme/site",
            "--out",
            str(tmp_path / "x.duckdb"),
            "--api-url",
            API_URL,
            "--rules",
            str(rules),
        ],
    )
    assert result.exit_code != 0
    assert isinstance(result.exception, Exception)
    assert str(result.exception) == (
        f"{rules}:2: [deployments] production: '^(?!staging)' is not a pattern DuckDB's RE2 can run "
        "(invalid perl operator: (?!)"
    )
    assert not (tmp_path / "x.duckdb").exists()


def test_sync_reads_the_rules_table_of_the_organisation_config(fake, tmp_path, monkeypatch):
    """`flowgauge sync` detects deployments and prepares facts with flowgauge.toml's [rules], as --rules would."""
    from flowgauge.cli import sync_commands

    monkeypatch.setattr(sync_commands, "client_factory", api_commands.client_factory)
    config = tmp_path / "flowgauge.toml"
    config.write_text(
        'data_folder = "data"\nsnapshot = "org.duckdb"\n\n'
        f'[[github]]\nrepos = ["acme/site"]\ntoken_env = "GITHUB_TOKEN"\napi_url = "{API_URL}"\n\n'
        + PAGES_RULES.replace("[deployments]", "[rules.deployments]"),
        encoding="utf-8",
    )
    synced = run("sync", "--config", str(config))
    assert "Left out by the rules" not in synced
    snapshot = tmp_path / "data" / "org.duckdb"
    con = open_snapshot(snapshot)
    try:
        stored = con.execute("SELECT count(*) FROM deployments WHERE detection_rule = 'deployments_api'").fetchone()
    finally:
        con.close()
    assert stored == (3,)
    # report reads the same [rules] table when given the organisation config as its rules file.
    report = report_json(str(snapshot), *WINDOW, "--rules", str(config))
    assert report["deploy_frequency"]["value"] == pytest.approx(3 / 4)
