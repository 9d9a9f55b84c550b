"""Links that are not http(s) (javascript:, data:, vbscript:, relative) are never stored: imports and API loads keep
them as NULL and say how many they left out, per table, in the preview, the load summary and the source's record."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures.github.fake_github import deployment_status
from fixtures.github.scenario import organisation

from flowgauge.loaders.github.sync import sync_github
from flowgauge.loaders.http.retry import RetryPolicy
from flowgauge.loaders.http.session import ApiSession
from flowgauge.loaders.imports import import_files, preview_import
from flowgauge.loaders.store import write_snapshot
from flowgauge.snapshot import open_snapshot
from flowgauge.url_safety import is_web_url, keep_web_urls_in_rows

ROOT = Path(__file__).resolve().parents[2]
PAGERDUTY = ROOT / "tests" / "fixtures" / "imports" / "pagerduty_incidents.csv"
GITHUB_PULLS = ROOT / "tests" / "fixtures" / "imports" / "github_pulls.json"
SCRIPT_URLS = ("javascript:alert(document.cookie)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)")


def query(path: Path, sql: str) -> list[tuple]:
    con = open_snapshot(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize(
    ("value", "web"),
    [
        ("https://acme.pagerduty.com/incidents/Q1", True),
        ("HTTP://example.com", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        ("java\nscript:alert(1)", False),
        ("\x00javascript:alert(1)", False),
        ("data:text/html,x", False),
        ("vbscript:x", False),
        ("file:///etc/passwd", False),
        ("/incidents/1", False),
        ("//example.com/x", False),
        ("https:example.com", False),
        ("", False),
        (None, False),
    ],
)
def test_only_absolute_http_urls_are_web_urls(value, web):
    assert is_web_url(value) is web


def test_rows_keep_their_web_urls_and_lose_the_others():
    rows = [{"id": 1, "url": "https://example.com/1"}, {"id": 2, "url": SCRIPT_URLS[0]}, {"id": 3, "url": None}]
    kept, left_out = keep_web_urls_in_rows(rows)
    assert [row["url"] for row in kept] == ["https://example.com/1", None, None] and left_out == 1


def pagerduty_with_script_urls() -> tuple[str, bytes]:
    lines = PAGERDUTY.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    assert header.endswith(",html_url") and len(rows) >= 3
    # The last column is the link: the first rows get script URLs, the rest keep their https ones.
    changed = [row.rsplit(",", 1)[0] + "," + json.dumps(url) for row, url in zip(rows, SCRIPT_URLS, strict=False)]
    return "pagerduty.csv", "\n".join([header, *changed, *rows[len(SCRIPT_URLS) :]]).encode()


def test_an_import_stores_script_urls_as_null_and_says_how_many(tmp_path):
    name, data = pagerduty_with_script_urls()
    preview = preview_import(name, data)
    assert not preview.problems
    assert "incidents: 3 urls that were not http(s) left out (column url)" in preview.notes
    snapshot = tmp_path / "org.duckdb"
    report = import_files([(name, data)], snapshot)
    assert "incidents: 3 urls that were not http(s) left out (column url)" in report.files[0].notes
    urls = [url for (url,) in query(snapshot, "SELECT url FROM incidents ORDER BY opened_at")]
    assert urls.count(None) == 3 and all(url is None or url.startswith("https://") for url in urls)
    # The note is kept with the load's record, for the Data page.
    (detail,) = query(snapshot, "SELECT detail FROM sources")
    assert "3 urls that were not http(s) left out" in str(detail[0])


def test_the_import_command_prints_the_links_it_left_out(tmp_path):
    name, data = pagerduty_with_script_urls()
    source = tmp_path / name
    source.write_bytes(data)
    result = subprocess.run(
        [sys.executable, "-m", "flowgauge.cli.main", "import", str(source), "--into", str(tmp_path / "org.duckdb")],
        capture_output=True,
        text=True,
        timeout=300,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert "incidents: 3 urls that were not http(s) left out (column url)" in result.stdout


def test_an_api_dump_import_leaves_out_script_links_of_pulls_and_their_repository(tmp_path):
    pulls = json.loads(GITHUB_PULLS.read_text(encoding="utf-8"))
    pulls[0]["html_url"] = SCRIPT_URLS[0]
    for pull in pulls:
        pull["base"]["repo"]["html_url"] = SCRIPT_URLS[1]
    preview = preview_import("pulls.json", json.dumps(pulls).encode())
    assert "pull_requests: 1 url that was not http(s) left out (column url)" in preview.notes
    assert "repositories: 1 url that was not http(s) left out (column url)" in preview.notes
    assert preview.tables["repositories"].column("url").to_pylist() == [None]


def sync(fake, path: Path):
    session = ApiSession(
        fake.client("ghp_LINKTEST0123456789abcdefghijklmnopq"),
        graphql_url="graphql",
        retry=RetryPolicy(attempts=2, rng=random.Random(0)),
        sleep=lambda seconds: None,
        clock=lambda: 1_700_000_000.0,
    )
    with write_snapshot(path, resumable=True) as writer:
        return sync_github(session, writer, ["acme/payments"], page_size=10)


def test_an_api_load_stores_script_urls_as_null_and_warns_with_the_count(tmp_path):
    fake = organisation()
    repo = fake.repos["acme/payments"]
    repo.pulls[0]["url"] = SCRIPT_URLS[0]
    repo.pulls[1]["url"] = SCRIPT_URLS[2]
    # A deployment status's link is whatever the CI that posted it wrote.
    for statuses in repo.statuses.values():
        for status in statuses:
            status["target_url"] = status["log_url"] = SCRIPT_URLS[1]
    repo.statuses[13].append({**deployment_status(9, "success", "2024-03-05T10:20:00Z"), "log_url": SCRIPT_URLS[1]})
    path = tmp_path / "gh.duckdb"
    report = sync(fake, path)
    assert "pull_requests: 2 urls that were not http(s) left out (column url)" in report.warnings
    assert any(warning.startswith("deployments: ") and "not http(s) left out" in warning for warning in report.warnings)
    urls = [url for (url,) in query(path, "SELECT url FROM pull_requests")]
    assert urls.count(None) == 2 and all(url is None or url.startswith("https://") for url in urls)
    assert query(path, "SELECT count(*) FROM deployments WHERE url NOT LIKE 'http%'") == [(0,)]
