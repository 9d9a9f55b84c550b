"""API faults: every kind of transient fault on every request gives the same snapshot as a clean run, and a fault
that never passes ends in one line naming the URL, exit 1, and the snapshot as it was.

The loads run through the `flowgauge` command's own entry point in this process, over the fake GitHub and GitLab
(tests/fixtures), with the transport wrapped by a FaultSchedule; waits are recorded instead of slept.
"""

from __future__ import annotations

import sys

import httpx
import pytest
from fixtures.github.scenario import organisation
from fixtures.gitlab.scenario import PROJECT, world

from flowgauge.cli import api_commands, main
from flowgauge.cli.options import EXIT_OK, EXIT_PARTIAL
from flowgauge.loaders.http.session import ApiSession
from flowgauge.snapshot import open_snapshot
from robustness.checks import FlowgaugeRun, digest, one_error_line, work_files
from robustness.faults import FAULTS, FaultSchedule

GITHUB_TOKEN = "ghp_FAULTS0123456789abcdefghijklmnopqrstu"
GITLAB_TOKEN = "glpat-FAULTS0123456789abcd"
GITHUB_API = "https://api.github.test"
GITLAB_API = "https://gitlab.test/api/v4"
# Tables whose rows a load writes; the bookkeeping tables hold load times and differ between any two runs.
HISTORY = "SELECT table_name FROM duckdb_tables() WHERE table_name NOT IN ('snapshot_meta', 'sources', 'sync_state')"


@pytest.fixture
def cli(monkeypatch, capsys):
    """Run `flowgauge ARGS` through its console entry (flowgauge.cli.main.run) against a handler; returns the run
    and the waits the API session asked for."""
    waits: list[float] = []
    monkeypatch.setattr(api_commands, "ApiSession", lambda client, **kw: ApiSession(client, sleep=waits.append, **kw))
    monkeypatch.setenv("GITHUB_TOKEN", GITHUB_TOKEN)
    monkeypatch.setenv("GITLAB_TOKEN", GITLAB_TOKEN)

    def invoke(handler, *args: str) -> FlowgaugeRun:
        def factory(api_url: str, token: str | None) -> httpx.Client:
            return httpx.Client(
                base_url=api_url.rstrip("/") + "/",
                headers={"Authorization": f"Bearer {token}"},
                transport=httpx.MockTransport(handler),
            )

        monkeypatch.setattr(api_commands, "client_factory", factory)
        monkeypatch.setattr(sys, "argv", ["flowgauge", *args])
        capsys.readouterr()
        try:
            main.run()
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
        out, err = capsys.readouterr()
        return FlowgaugeRun(code, out, err)

    invoke.waits = waits
    return invoke


def history(path) -> dict[str, list[str]]:
    """Every row of every history table, as sorted text."""
    con = open_snapshot(path)
    try:
        tables = [row[0] for row in con.execute(HISTORY).fetchall()]
        return {t: sorted(map(repr, con.execute(f'SELECT * FROM "{t}"').fetchall())) for t in tables}
    finally:
        con.close()


# The fake organisation forbids acme/secret, so a GitHub --org load is partial: written, exit 3 (README "Exit codes").
LOADED = {"github": EXIT_PARTIAL, "gitlab": EXIT_OK}


def github(cli, handler, out, *extra: str) -> FlowgaugeRun:
    return cli(handler, "snapshot", "github", "--org", "acme", "--out", str(out), "--api-url", GITHUB_API, *extra)


def gitlab(cli, handler, out, *extra: str) -> FlowgaugeRun:
    return cli(handler, "snapshot", "gitlab", PROJECT, "--out", str(out), "--api-url", GITLAB_API, *extra)


def is_graphql(request: httpx.Request) -> bool:
    return request.url.path == "/graphql"


def is_rest(request: httpx.Request) -> bool:
    return not is_graphql(request)


@pytest.mark.parametrize("api", ["github", "gitlab"])
def test_every_fault_on_every_request_gives_the_rows_of_a_clean_run(cli, tmp_path, api):
    load, fake = (github, organisation) if api == "github" else (gitlab, world)
    clean_path, faulty_path = tmp_path / "clean.duckdb", tmp_path / "faulty.duckdb"
    clean = load(cli, fake().handle, clean_path)
    assert clean.returncode == LOADED[api], clean.stderr

    schedule = FaultSchedule(fake().handle, per_request=2)  # two faults in a row before each answer
    faulty = load(cli, schedule, faulty_path)

    assert faulty.returncode == LOADED[api], faulty.stderr
    assert set(schedule.injected) == set(FAULTS)  # every kind of fault was met ...
    assert len(schedule.injected) == 2 * len(schedule.seen)  # ... twice on every request
    assert 7.0 in cli.waits  # the 429's Retry-After was honoured
    assert history(faulty_path) == history(clean_path)
    assert work_files(tmp_path) == []


@pytest.mark.parametrize("kind", ["truncated body", "empty body"])
@pytest.mark.parametrize(
    ("api", "applies", "where"),
    [
        ("github", is_graphql, f"{GITHUB_API}/graphql"),
        ("github", is_rest, f"{GITHUB_API}/orgs/acme/repos"),
        ("gitlab", is_rest, f"{GITLAB_API}/projects/grp%2Fsub%2Fapp"),
    ],
    ids=["github-graphql", "github-rest", "gitlab"],
)
def test_a_body_that_never_arrives_whole_is_one_line_naming_the_url(cli, tmp_path, api, applies, where, kind):
    load, fake = (github, organisation) if api == "github" else (gitlab, world)
    out = tmp_path / "snap.duckdb"
    assert load(cli, fake().handle, out).returncode == LOADED[api]
    before = digest(out)

    schedule = FaultSchedule(fake().handle, permanent=kind, applies=applies)
    failed = load(cli, schedule, out, "--full")

    assert failed.returncode == 1
    message = one_error_line(failed.stderr)
    assert message.startswith("an incomplete or invalid JSON body (" if kind == "truncated body" else "an empty JSON")
    assert f" from {where}" in message and message.endswith("gave up after 5 attempts")
    assert GITHUB_TOKEN not in failed.stderr + failed.stdout and GITLAB_TOKEN not in failed.stderr + failed.stdout
    assert digest(out) == before
    assert work_files(tmp_path) == []  # the first request failed: nothing was loaded, nothing to resume


def test_a_load_cut_after_progress_keeps_its_work_and_the_next_run_resumes_to_a_clean_result(cli, tmp_path):
    clean_path, out = tmp_path / "clean.duckdb", tmp_path / "snap.duckdb"
    assert github(cli, organisation().handle, clean_path).returncode == EXIT_PARTIAL
    fake = organisation()

    def releases(request: httpx.Request) -> bool:
        return request.url.path.endswith("/releases")

    failed = github(cli, FaultSchedule(fake.handle, permanent="truncated body", applies=releases), out)

    assert failed.returncode == 1
    assert "/repos/acme/payments/releases; gave up after 5 attempts" in one_error_line(failed.stderr)
    assert not out.exists()  # nothing published
    # The pull requests were saved before the cut: that work is kept for the next run to resume from.
    assert work_files(tmp_path) == [".snap.duckdb.partial", ".snap.duckdb.partial.base"]
    fake.log.clear()
    assert github(cli, fake.handle, out).returncode == EXIT_PARTIAL
    # acme/payments' pull requests are not fetched again: one cheap probe shows they are there already.
    assert not any(line.startswith("graphql Pulls ") and '"payments"' in line for line in fake.log)
    assert history(out) == history(clean_path)
    assert work_files(tmp_path) == []


@pytest.mark.parametrize("api", ["github", "gitlab"])
def test_a_refused_token_for_a_snapshot_that_never_existed_leaves_nothing(cli, tmp_path, api):
    out = tmp_path / "new.duckdb"
    refused = lambda request: httpx.Response(401, json={"message": "Bad credentials"})  # noqa: E731
    if api == "github":
        failed = cli(refused, "snapshot", "github", "acme/payments", "--out", str(out), "--api-url", GITHUB_API)
        where = f"{GITHUB_API}/graphql"
    else:
        failed = gitlab(cli, refused, out)
        where = f"{GITLAB_API}/projects/grp%2Fsub%2Fapp"

    assert failed.returncode == 1
    assert one_error_line(failed.stderr) == f"{where}: the token was refused (401 Bad credentials)"
    assert not out.exists()
    assert work_files(tmp_path) == []  # no work file: the load had nothing to resume


@pytest.mark.parametrize("api", ["github", "gitlab"])
def test_a_web_page_instead_of_the_api_is_one_line_at_once(cli, tmp_path, api):
    out = tmp_path / "new.duckdb"
    page = lambda request: httpx.Response(200, html="<html><body>Sign in to the proxy</body></html>")  # noqa: E731
    if api == "github":
        failed = cli(page, "snapshot", "github", "acme/payments", "--out", str(out), "--api-url", GITHUB_API)
        where = f"{GITHUB_API}/graphql"
    else:
        failed = gitlab(cli, page, out)
        where = f"{GITLAB_API}/projects/grp%2Fsub%2Fapp"

    assert failed.returncode == 1
    assert one_error_line(failed.stderr) == f"{where}: answered text/html, not JSON; is the API URL right (--api-url)?"
    assert cli.waits == []  # not retried: a page does not turn into JSON
    assert not out.exists() and work_files(tmp_path) == []
