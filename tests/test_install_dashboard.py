"""The container's build, without a Docker engine: docker/install-dashboard.sh (the one script the Dockerfile runs)
installs the package into a clean venv; from that venv alone, `flowgauge demo` and `flowgauge sync` (a git clone and
a folder of exports named in flowgauge.toml) write their snapshots and `flowgauge serve` shows both in Chromium.

It installs every dependency (from the machine's pip cache where it can), so it is the slowest test here: about
1-2 minutes on an idle two-core machine. Marked `packaging`; `.ci/run` runs it with the rest.
"""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from git_repo_builder import RepoBuilder
from served_app import serving
from test_browser import CHROMIUM, CHROMIUM_ARGS, SCORECARD_DRAWN, _require_chromium, open_view

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "docker" / "install-dashboard.sh"
DOCKERFILE = ROOT / "Dockerfile"
ALICE = "Alice Example <alice@acme.com>"


def copy_build_context(target: Path) -> Path:
    """The source tree as `docker build .` sends it: .dockerignore's entries left out (root-level ones at the
    root, `**/` ones anywhere)."""
    patterns = [
        line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line.strip()[:1] not in ("", "#")
    ]
    anywhere = [pattern.removeprefix("**/") for pattern in patterns if pattern.startswith("**/")]
    at_root = [pattern for pattern in patterns if not pattern.startswith("**/")]

    def ignored(folder: str, names: list[str]) -> set[str]:
        rules = anywhere + (at_root if Path(folder) == ROOT else [])
        return {name for name in names if any(fnmatch.fnmatch(name, rule) for rule in rules)}

    return Path(shutil.copytree(ROOT, target, ignore=ignored, symlinks=True))


def test_the_dockerfile_only_calls_the_install_script_and_runs_unprivileged():
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert [line for line in text.splitlines() if line.startswith("FROM ")] == ["FROM python:3.11-slim"]
    runs = [line for line in text.splitlines() if line.startswith("RUN ")]
    assert runs == ["RUN /src/docker/install-dashboard.sh --container /src /opt/flowgauge && rm -rf /src"]
    assert re.search(r"^USER flowgauge$", text, flags=re.M)
    assert 'VOLUME ["/data", "/config"]' in text
    assert re.search(r"^HEALTHCHECK .*\n.*http://127\.0\.0\.1:8501/_stcore/health", text, flags=re.M)
    assert text.rstrip().endswith(
        'CMD ["flowgauge", "serve", "--config", "/config/flowgauge.toml", "--host", "0.0.0.0"]'
    )
    # The user the image switches to is the one the script creates, and it owns the data volume.
    script = SCRIPT.read_text(encoding="utf-8")
    assert "useradd --system --uid 10001 --user-group" in script and "chown flowgauge:flowgauge /data" in script


@pytest.mark.packaging
@pytest.mark.browser
def test_the_install_script_builds_a_venv_that_syncs_and_serves_the_organisation_and_the_demo(tmp_path):
    _require_chromium()
    source = copy_build_context(tmp_path / "src")
    venv = tmp_path / "venv"
    installed = subprocess.run(
        ["sh", str(source / "docker" / "install-dashboard.sh"), str(source), str(venv)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,  # about a minute on an idle machine; a busy shared one can take many times that
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    assert installed.stdout.strip().splitlines()[-1].startswith("flowgauge ")
    shutil.rmtree(source)  # as the image does: the venv must stand on its own

    where = subprocess.run(  # from tmp_path, so that no source tree is on the path
        [str(venv / "bin" / "python"), "-c", "import flowgauge.dashboard as d; print(d.APP_SCRIPT)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(venv) and Path(where).is_file()

    home, work = tmp_path / "home", organisation(tmp_path / "work")
    home.mkdir()
    flowgauge = str(venv / "bin" / "flowgauge")
    for command in (["demo"], ["sync"]):  # the demo into ./data, then ./flowgauge.toml's sources into acme.duckdb
        done = subprocess.run([flowgauge, *command], cwd=work, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert sorted(path.name for path in (work / "data").glob("*.duckdb")) == ["acme.duckdb", "demo.duckdb"]

    from playwright.sync_api import sync_playwright

    with (
        serving([], work, tmp_path / "serve.log", command=[flowgauge], env={"HOME": str(home)}) as base,
        sync_playwright() as playwright,
    ):
        assert httpx.get(f"{base}/_stcore/health", timeout=5).text == "ok"
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = open_view(browser, f"{base}/?snapshot=demo")
            assert page.locator("h1").first.inner_text().strip() == "Overview"
            page.wait_for_function(SCORECARD_DRAWN, timeout=60_000)
            assert page.locator("[data-testid=stException]").count() == 0
            assert parse_qs(urlsplit(page.url).query)["snapshot"] == ["demo"]
            # Without a snapshot in the link, the organisation's own opens, with the PRs the sync read from git.
            page = open_view(browser, f"{base}/pull_requests?from=2026-03-01&to=2026-03-31")
            assert page.get_by_text(re.compile(r"^\d+ of \d+ PRs$")).inner_text() == "2 of 2 PRs"
            assert parse_qs(urlsplit(page.url).query)["snapshot"] == ["acme"]
        finally:
            browser.close()
    assert f"Serving {work / 'data'} (flowgauge.toml) on {base}" in (tmp_path / "serve.log").read_text()


def organisation(folder: Path) -> Path:
    """A working folder with flowgauge.toml naming a git clone with two squash-merged PRs and a folder of exports."""
    repo = RepoBuilder(folder / "clones" / "shop")
    repo.write("app.py", ["v0"])
    repo.commit(["app.py"], "Initial", ALICE, "2026-03-01 09:00:00 +0000")
    for number in (1, 2):
        repo.edit("app.py", 1, f"v{number}")
        repo.commit(["app.py"], f"Checkout step {number} (#{number})", ALICE, f"2026-03-0{number + 1} 12:00:00 +0000")
    (folder / "exports").mkdir()
    (folder / "exports" / "incidents.csv").write_text(
        "incident_id,source,title,repo_id,service_id,severity,opened_at,acknowledged_at,resolved_at,deployment_id,url\n"
        "INC-1,pagerduty,Checkout down,shop,,sev1,2026-03-04 10:00:00,,2026-03-04 12:00:00,,\n",
        encoding="utf-8",
    )
    (folder / "flowgauge.toml").write_text(
        'snapshot = "acme.duckdb"\n\n[[git]]\npaths = ["clones/shop"]\n\n[[files]]\nfolder = "exports"\n',
        encoding="utf-8",
    )
    return folder
