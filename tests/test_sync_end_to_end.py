"""Issue #20's "done when" for sync: a flowgauge.toml naming a fake GitHub on loopback, a git clone made here and a
folder of exported files; `flowgauge sync`, run as its own process, builds the snapshot; then GitHub fails: exit 3,
the other sources' data and GitHub's last good data stay, and the failure shows in `flowgauge info` and in the
dashboard's freshness warning."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest
from fixtures.github.scenario import organisation
from fixtures.loopback import serve_on_loopback
from git_repo_builder import RepoBuilder
from streamlit.testing.v1 import AppTest

from flowgauge.snapshot import open_snapshot
from flowgauge.ui.text import plain

TOKEN = "ghp_E2ESYNC0123456789abcdefghijklmnopqrs"
ALICE = "Alice Example <alice@acme.com>"
REFUSED = {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}


@pytest.fixture
def github():
    """The fake organisation served on a loopback port: the real client, headers and pagination links."""
    fake = organisation()
    with serve_on_loopback(fake.handle) as url:
        yield fake, url


@pytest.fixture
def organisation_config(tmp_path, github):
    _, url = github
    repo = RepoBuilder(tmp_path / "clones" / "shop")
    repo.write("app.py", ["a1", "a2"])
    repo.commit(["app.py"], "Initial", ALICE, "2024-01-01 12:00:00 +0000")
    repo.edit("app.py", 1, "b1")
    repo.tag("v1.0", repo.commit(["app.py"], "Faster checkout (#7)", ALICE, "2024-01-05 12:00:00 +0000"))
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "incidents.csv").write_text(
        "incident_id,source,title,repo_id,service_id,severity,opened_at,acknowledged_at,resolved_at,deployment_id,url\n"
        "INC-1,pagerduty,Checkout down,shop,,sev1,2024-01-06 10:00:00,,2024-01-06 12:00:00,,\n"
        "INC-2,pagerduty,Slow search,shop,,sev3,2024-01-08 09:00:00,,2024-01-08 09:30:00,,\n"
        "INC-3,pagerduty,Search down,shop,,sev2,2024-01-09 09:00:00,,2024-01-09 11:00:00,,\n",
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
        f'api_url = "{url}"\n'
        "freshness_hours = 6\n"
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


def flowgauge(*args: str, cwd) -> subprocess.CompletedProcess:
    """The CLI in its own process, as cron would run it, with the token only in the environment."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower() and not k.startswith("FLOWGAUGE_")}
    env.update(ACME_GITHUB_TOKEN=TOKEN, COLUMNS="200", NO_PROXY="127.0.0.1")
    command = [sys.executable, "-m", "flowgauge.cli.main", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


def counts(snapshot) -> dict[str, int]:
    """Rows per source: GitHub's PRs, the clone's commits, the exported incidents."""
    con = open_snapshot(snapshot)
    try:
        row = con.execute(
            "SELECT (SELECT count(*) FROM pull_requests WHERE repo_id = 'acme/payments'), "
            "(SELECT count(*) FROM commits WHERE repo_id = 'shop'), "
            "(SELECT count(*) FROM incidents WHERE source = 'pagerduty')"
        ).fetchone()
    finally:
        con.close()
    return dict(zip(("github PRs", "clone commits", "incidents"), row, strict=True))


def test_sync_builds_the_snapshot_and_a_failing_github_shows_everywhere(github, organisation_config):
    fake, url = github
    folder = organisation_config.parent
    snapshot = folder / "data" / "acme.duckdb"

    first = flowgauge("sync", cwd=folder)  # ./flowgauge.toml, as the deploy docs' cron line runs it
    assert first.returncode == 0, first.stdout + first.stderr
    assert counts(snapshot) == {"github PRs": 5, "clone commits": 2, "incidents": 3}
    assert "Synced 3 of 3 sources into" in " ".join(first.stdout.split())
    assert any(line.startswith("GET /repos/acme/payments/") for line in fake.log)  # over the wire, not a mock

    fake.faults.append(lambda request: httpx.Response(401, json=REFUSED))
    second = flowgauge("sync", "--config", str(organisation_config), cwd=folder)
    assert second.returncode == 3, second.stdout + second.stderr
    assert counts(snapshot) == {"github PRs": 5, "clone commits": 2, "incidents": 3}  # GitHub's last good data
    failure = next(line for line in second.stdout.splitlines() if line.startswith("github: failed: "))
    error = failure.removeprefix("github: failed: ")
    assert error == f"{url}/graphql: the token was refused (401 Bad credentials)"
    assert "Traceback" not in second.stderr

    info = flowgauge("info", str(snapshot), cwd=folder)
    assert info.returncode == 0, info.stderr
    rows = {line.split()[1]: line for line in info.stdout.splitlines() if line.startswith("│ ")}
    assert rows["github"].split("│")[5].strip() == "failed"  # result column of the synced-source table
    assert rows["shop"].split("│")[5].strip() == "ok" and rows["incidents"].split("│")[5].strip() == "ok"
    warning = next(line for line in info.stdout.splitlines() if line.startswith("Source “github” (github) failed"))
    assert f"UTC: {error}; its data is from " in warning

    at = AppTest.from_function(_freshness_of, args=(str(snapshot),), default_timeout=60).run()
    assert not at.exception, at.exception
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1 and warnings[0].startswith(plain("Source “github” (github) failed at "))
    assert plain(error) in warnings[0]
    assert at.caption[0].value.startswith(plain("Last successful sync: github 0 h ago, incidents 0 h ago"))

    for text in (first.stdout, first.stderr, second.stdout, second.stderr, info.stdout):
        assert TOKEN not in text
    assert TOKEN.encode() not in snapshot.read_bytes()


def _freshness_of(path: str) -> None:
    """The frame's freshness line, as every page draws it, for the snapshot at path."""
    from flowgauge.ui.connection import connections
    from flowgauge.ui.freshness import draw_freshness

    draw_freshness(connections().identity(path))
