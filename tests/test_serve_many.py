"""Served to many: two `flowgauge serve` processes over one data folder both show what a sync swapped in.

Each process keeps its own read-only connection and caches; a sync writes a new snapshot beside the old one and
renames it over it (store.py), and each dashboard sees the new file on its next view. Checked in headless Chromium
(tests/test_browser.py's harness) by the Pull requests page's count, which a user reads.
"""

from __future__ import annotations

import contextlib
import re

import pytest
from git_repo_builder import RepoBuilder
from served_app import serving
from test_browser import CHROMIUM, CHROMIUM_ARGS, _require_chromium, open_view
from typer.testing import CliRunner

from flowgauge.cli.main import app

pytestmark = pytest.mark.browser

ALICE = "Alice Example <alice@acme.com>"
MARCH = "from=2026-03-01&to=2026-03-31"


def squash_merge(repo: RepoBuilder, number: int) -> None:
    repo.edit("app.py", 1, f"v{number}")
    repo.commit(["app.py"], f"Checkout step {number} (#{number})", ALICE, f"2026-03-{number + 1:02d} 12:00:00 +0000")


def sync(config) -> None:
    result = CliRunner().invoke(app, ["sync", "--config", str(config)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output


def prs_shown(browser, base: str) -> str:
    page = open_view(browser, f"{base}/pull_requests?{MARCH}")
    try:
        return page.get_by_text(re.compile(r"^[\d,]+ of [\d,]+ PRs$")).inner_text().strip()
    finally:
        page.close()


def test_two_dashboards_on_one_data_folder_both_show_a_syncs_result(tmp_path):
    _require_chromium()
    from playwright.sync_api import sync_playwright

    repo = RepoBuilder(tmp_path / "clones" / "shop")
    repo.write("app.py", ["v0", "a2"])
    repo.commit(["app.py"], "Initial", ALICE, "2026-03-01 09:00:00 +0000")
    for number in (1, 2):
        squash_merge(repo, number)
    config = tmp_path / "flowgauge.toml"
    config.write_text(
        'data_folder = "shared"\nsnapshot = "acme.duckdb"\n\n[[git]]\nname = "shop"\npaths = ["clones/shop"]\n',
        encoding="utf-8",
    )
    sync(config)

    with contextlib.ExitStack() as stack:
        bases = [
            stack.enter_context(serving(["--config", str(config)], tmp_path, tmp_path / f"serve-{n}.log"))
            for n in (1, 2)
        ]
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        assert [prs_shown(browser, base) for base in bases] == ["2 of 2 PRs", "2 of 2 PRs"]

        squash_merge(repo, 3)
        sync(config)  # the git loader reads the new commit and swaps the snapshot in
        assert [prs_shown(browser, base) for base in bases] == ["3 of 3 PRs", "3 of 3 PRs"]

    # The organisation's dashboard opens its own snapshot and makes no demo beside it.
    assert sorted(path.name for path in (tmp_path / "shared").glob("*.duckdb")) == ["acme.duckdb"]
