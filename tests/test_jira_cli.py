"""`flowgauge snapshot jira` end to end: Cloud and Data Center sign-in, the report's planning numbers, no leaks."""

from __future__ import annotations

import json

import httpx
import pytest
from fixtures.jira.fake_jira import FakeJira
from fixtures.jira.scenario import world
from typer.testing import CliRunner

from flowgauge.cli import jira_commands
from flowgauge.cli.main import app
from flowgauge.loaders.jira.client import JiraAuth, build_jira_client
from flowgauge.snapshot import open_snapshot

CLOUD_TOKEN = "ATATT3xFfGF0-cli-secret-token-0987"
DC_TOKEN = "NjQ2ODkxMjM0NTY3OkRDLXNlY3JldC10b2tlbg"
SITE = "https://acme.atlassian.test"


def serve(monkeypatch, fake: FakeJira) -> None:
    def factory(site: str, auth: JiraAuth) -> httpx.Client:
        client = build_jira_client(site, auth)  # the real headers, so the fake checks the real sign-in
        client._transport = httpx.MockTransport(fake.handle)
        return client

    monkeypatch.setattr(jira_commands, "client_factory", factory)
    for name in ("JIRA_EMAIL", "JIRA_API_TOKEN", "JIRA_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    if fake.deployment == "cloud":
        monkeypatch.setenv("JIRA_EMAIL", fake.email)
        monkeypatch.setenv("JIRA_API_TOKEN", fake.token)
    else:
        monkeypatch.setenv("JIRA_TOKEN", fake.token)


def flat(text: str) -> str:
    """Terminal output on one line, without the frame rich draws around usage errors."""
    return " ".join(text.replace("│", " ").split())


def load(tmp_path, *extra: str):
    out = tmp_path / "jira.duckdb"
    result = CliRunner().invoke(app, ["snapshot", "jira", "--site", SITE, "--out", str(out), *extra])
    return out, result


def report(out, start: str, end: str) -> dict:
    args = ["report", str(out), "--from", start, "--to", end, "--format", "json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize(("deployment", "token"), [("cloud", CLOUD_TOKEN), ("datacenter", DC_TOKEN)])
def test_report_planning_and_capacity_accuracy_equal_the_hand_computed_sprints(
    monkeypatch, tmp_path, deployment, token
):
    fake = world(deployment, token=token)
    serve(monkeypatch, fake)
    out, result = load(tmp_path, "--board", "7")
    assert result.exit_code == 0, result.output
    assert "1 of 1 boards, projects or queries loaded" in flat(result.output)
    # Sprint 1 (ends 03-15), by hand: planned at its start PAY-1 (3 points), PAY-2 (5) and PAY-3 (2) = 10 points;
    # completed of those PAY-1 and PAY-3 (PAY-3 left and came back before it was done) = 5; added PAY-4 (1, done) and
    # PAY-5 (3, not done). Planning accuracy 5 / 10, capacity accuracy (5 + 1) / 10.
    sprint1 = report(out, "2024-03-01", "2024-03-16")
    assert sprint1["planning_accuracy"]["value"] == pytest.approx(50.0)
    assert sprint1["capacity_accuracy"]["value"] == pytest.approx(60.0)
    assert sprint1["planning_accuracy"]["flags"] == ["measured in story points"]
    # Sprint 2 (ends 03-29): planned PAY-2 (8 points by then) and PAY-5 (3, removed on 03-22: planned, not done)
    # = 11; completed PAY-2; added PAY-7 (2, done). Planning 8 / 11, capacity (8 + 2) / 11. Read from the sprint's
    # members at its end alone, PAY-5 would be missing and planning accuracy would be 100%.
    sprint2 = report(out, "2024-03-16", "2024-04-01")
    assert sprint2["planning_accuracy"]["value"] == pytest.approx(8 / 11 * 100)
    assert sprint2["capacity_accuracy"]["value"] == pytest.approx(10 / 11 * 100)
    both = report(out, "2024-03-01", "2024-04-01")
    assert both["planning_accuracy"]["value"] == pytest.approx((5 + 8) / (10 + 11) * 100)
    assert both["capacity_accuracy"]["value"] == pytest.approx((6 + 10) / (10 + 11) * 100)
    # The token is nowhere: not in the output, the snapshot file or the recorded source.
    assert token not in result.output and token.encode() not in out.read_bytes()
    con = open_snapshot(out)
    try:
        sources = con.execute("SELECT source_id, kind, location, detail FROM sources").fetchall()
    finally:
        con.close()
    assert [s[:3] for s in sources] == [("jira:acme.atlassian.test", "jira", SITE)]
    assert token not in json.dumps(sources, default=str)


def test_a_refused_token_is_one_line_without_the_token(monkeypatch, tmp_path):
    fake = world("cloud", token=CLOUD_TOKEN)
    serve(monkeypatch, fake)
    monkeypatch.setenv("JIRA_API_TOKEN", "ATATT3xFfGF0-wrong-token-55555")
    out, result = load(tmp_path, "--project", "PAY")
    assert result.exit_code == 1
    assert "the token was refused (401 You are not authenticated" in str(result.exception)
    assert "wrong-token" not in str(result.exception) and not out.exists()


def test_missing_credentials_name_the_variables(monkeypatch, tmp_path):
    serve(monkeypatch, world("cloud"))
    for name in ("JIRA_EMAIL", "JIRA_API_TOKEN", "JIRA_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    _, result = load(tmp_path, "--board", "7")
    assert "set JIRA_EMAIL and JIRA_API_TOKEN (Jira Cloud) or JIRA_TOKEN" in str(result.exception)
    monkeypatch.setenv("JIRA_API_TOKEN", "ATATT3xFfGF0-no-email-4444")
    _, result = load(tmp_path, "--board", "7")
    assert "JIRA_API_TOKEN is set but JIRA_EMAIL is not" in str(result.exception)


def test_nothing_loadable_exits_1_and_leaves_the_snapshot_unchanged(monkeypatch, tmp_path):
    fake = world("datacenter", token=DC_TOKEN)
    serve(monkeypatch, fake)
    out, first = load(tmp_path, "--board", "7")
    assert first.exit_code == 0, first.output
    before = out.read_bytes()
    _, result = load(tmp_path, "--board", "99")
    assert result.exit_code == 1  # failed, nothing written (README "Exit codes")
    text = flat(result.output)  # the path may be wrapped mid-word: check the words around it
    assert "board:99: skipped" in text and "No board, project or query could be loaded;" in text
    assert text.endswith("is unchanged.")
    assert out.read_bytes() == before


def test_options_are_checked_before_any_request(monkeypatch, tmp_path):
    fake = world("cloud")
    serve(monkeypatch, fake)
    _, result = load(tmp_path)
    assert result.exit_code == 2 and "name at least one --board ID, --project KEY or --jql QUERY" in flat(result.output)
    _, result = load(tmp_path, "--project", "pay-1")
    assert result.exit_code == 2 and "pay-1: a project key is upper-case letters and digits" in flat(result.output)
    assert fake.log == []


def test_since_bounds_the_first_search_and_is_a_utc_day(monkeypatch, tmp_path):
    fake = world("cloud")
    serve(monkeypatch, fake)
    _, result = load(tmp_path, "--project", "PAY", "--since", "15/03/2024")
    assert result.exit_code == 2 and "'15/03/2024' is not a date in the form YYYY-MM-DD" in flat(result.output)
    out, result = load(tmp_path, "--project", "PAY", "--since", "2024-03-20")
    assert result.exit_code == 0, result.output
    searches = [line for line in fake.log if "search/jql" in line]
    assert "jql=%28project+%3D+%22PAY%22%29+AND+updated+%3E%3D+%222024-03-20%22+ORDER+BY+updated+ASC" in searches[0]
    con = open_snapshot(out)
    try:
        keys = [row[0] for row in con.execute("SELECT item_key FROM work_items ORDER BY 1").fetchall()]
    finally:
        con.close()
    assert keys == ["PAY-2", "PAY-5", "PAY-7", "PAY-8"]  # updated on or after 03-20


def test_the_rules_file_is_read_and_a_bad_one_refused_before_any_request(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no rules file found by accident
    monkeypatch.delenv("FLOWGAUGE_RULES", raising=False)
    fake = world("cloud")
    serve(monkeypatch, fake)
    bad = tmp_path / "bad.toml"
    bad.write_text('[deployments]\nproduction = "(?=prod)"\n', encoding="utf-8")
    _, refused = load(tmp_path, "--board", "7", "--rules", str(bad))
    # The CLI's entry point turns this error into its one line (tests/test_cli.py); here it is the exception.
    assert refused.exit_code != 0 and str(refused.exception).startswith(f"{bad}:2: [deployments] production:")
    assert fake.log == []

    good = tmp_path / "rules.toml"
    good.write_text("[hygiene]\nepics_need_parent = true\n", encoding="utf-8")
    _, loaded = load(tmp_path, "--board", "7", "--rules", str(good))
    assert loaded.exit_code == 0, loaded.output
    assert f"Rules: {good}" in flat(loaded.output)


def test_the_load_summary_says_what_the_sites_answers_lacked(monkeypatch, tmp_path):
    fake = world("cloud")
    handle = fake.handle

    def without_a_status(request: httpx.Request) -> httpx.Response:
        response = handle(request)
        if "/search" not in request.url.path:
            return response
        body = response.json()
        for issue in body["issues"]:
            issue["fields"].pop("status", None)
        return httpx.Response(response.status_code, json=body)

    fake.handle = without_a_status
    serve(monkeypatch, fake)
    out, result = load(tmp_path, "--board", "7")
    assert result.exit_code == 0, result.output
    assert "What the site's answers lacked (loaded as NULL, or the item skipped): issues: 7 without fields.status" in (
        flat(result.output)
    )
