"""The dashboard in a real headless Chromium: every page renders, a copied link reopens the view, uploads work.

Drives Debian's Chromium (/usr/bin/chromium) with Playwright against `streamlit run app.py` on a free loopback
port. Screenshots go to test-artifacts/ (git-ignored) for people to look at.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from flowgauge.snapshot import open_snapshot

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
PAGES = {
    "": "Overview",
    "dora": "DORA",
    "cycle_time": "Cycle time & trends",
    "teams": "Teams",
    "planning": "Planning",
    "allocation": "Allocation",
    "devex": "Developer experience",
    "pull_requests": "Pull requests",
    "data": "Data",
}
VIEW = "from=2026-04-01&to=2026-06-30&team=payments&stat=p75"
SCORECARD_DRAWN = """() => [...document.querySelectorAll('[data-testid=stMetricValue]')]
    .filter((value) => /\\d/.test(value.innerText)).length >= 15"""
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing, but CI installs Debian's chromium: the browser tests must run there")
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); CI runs these tests")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_app(data_dir: Path, log_dir: Path):
    """`streamlit run app.py` on a free loopback port over data_dir; yields the base URL once it is healthy."""
    port = _free_port()
    log = (log_dir / "streamlit.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env={**os.environ, "FLOWGAUGE_DATA_DIR": str(data_dir)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/_stcore/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail(f"streamlit did not start; see {log.name}")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _private_data_dir(app_data_dir: Path, folder: Path) -> Path:
    shutil.copy(app_data_dir / "demo.duckdb", folder / "demo.duckdb")
    return folder


@pytest.fixture(scope="module")
def server(app_data_dir, tmp_path_factory):
    """The app over a private copy of the fixture snapshot; yields (base URL, data folder)."""
    _require_chromium()
    data_dir = _private_data_dir(app_data_dir, tmp_path_factory.mktemp("browser-data"))
    with running_app(data_dir, tmp_path_factory.mktemp("browser-log")) as base:
        yield base, data_dir


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def open_view(browser, url: str):
    """A new tab (a new Streamlit session) at url, returned once the script has finished running."""
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    page.goto(url)
    settle(page)
    return page


def settle(page) -> None:
    """Wait until the app has finished its run (Streamlit marks the app root with its script state)."""
    page.wait_for_selector("[data-test-script-state=notRunning] h1", timeout=60_000)
    page.wait_for_timeout(500)
    page.wait_for_selector("[data-test-script-state=notRunning]", timeout=60_000)


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_renders_without_an_error(server, browser, path):
    base, _ = server
    page = open_view(browser, f"{base}/{path}?{VIEW}")
    try:
        assert page.locator("h1").first.inner_text().strip() == PAGES[path]
        assert page.locator("[data-testid=stException]").count() == 0
        assert page.locator("[data-testid=stAlertContentError]").count() == 0
        if path == "":  # the scorecard shows numbers, not dashes
            # Cards are drawn after the script finishes; wait for them rather than racing the browser.
            page.wait_for_function(SCORECARD_DRAWN, timeout=30_000)
            values = page.locator("[data-testid=stMetricValue]").all_inner_texts()
            assert sum(bool(re.search(r"\d", value)) for value in values) >= 15
            assert page.get_by_text("Cycle time breakdown").count() == 1
        shoot(page, f"page-{path or 'overview'}")
    finally:
        page.close()


def test_a_copied_link_opens_the_same_view_on_another_page(server, browser):
    base, _ = server
    page = open_view(browser, f"{base}/?{VIEW}")
    try:
        page.get_by_role("link", name="DORA").first.click()
        settle(page)
        assert page.locator("h1").first.inner_text().strip() == "DORA"
        assert parse_qs(urlsplit(page.url).query)["team"] == ["payments"]  # filters survive the page switch
        page.get_by_role("button", name="Copy link").click()
        link = page.locator("[data-testid=stPopoverBody] code").first.inner_text().strip()
        shoot(page, "copy-link")
    finally:
        page.close()
    assert link.startswith(f"{base}/dora?")
    copied = parse_qs(urlsplit(link).query)
    assert copied["from"] == ["2026-04-01"] and copied["to"] == ["2026-06-30"] and copied["team"] == ["payments"]

    reopened = open_view(browser, link)
    try:
        assert reopened.locator("h1").first.inner_text().strip() == "DORA"
        assert parse_qs(urlsplit(reopened.url).query) == copied
        # The team filter shows the team's name as a chip in the sidebar (waits: the sidebar may draw last).
        reopened.locator("[data-testid=stSidebar]").get_by_text("Payments").first.wait_for(timeout=20_000)
        assert reopened.locator("[data-testid=stAlertContentWarning]").count() == 0
        shoot(reopened, "copied-link-reopened")
    finally:
        reopened.close()


def downloaded(page, button, file_name: str, folder: Path) -> bytes:
    """Click the download button and return the file's bytes, checking the name the browser is offered."""
    with page.expect_download(timeout=30_000) as download:
        button.click()
    assert download.value.suggested_filename == file_name
    path = folder / file_name
    download.value.save_as(path)
    return path.read_bytes()


def test_a_plotly_chart_downloads_as_png_from_its_toolbar_and_as_html_from_its_button(server, browser, tmp_path):
    base, _ = server
    page = open_view(browser, f"{base}/dora?{VIEW}")
    try:
        chart = page.locator(".js-plotly-plot").first
        chart.wait_for(timeout=30_000)
        chart.hover()  # Plotly shows its toolbar on hover
        camera = page.get_by_role("button", name="Download plot as a PNG").first
        png = downloaded(page, camera, "deployment-timeline.png", tmp_path)
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000

        html_button = page.get_by_role("button", name="Download chart (HTML)").first
        text = downloaded(page, html_button, "deployment-timeline.html", tmp_path).decode()
        assert "plotly" in text.lower() and "Deployment" in text  # the chart itself, with plotly.js embedded
    finally:
        page.close()


def test_the_overview_breakdown_is_an_image_that_downloads_as_svg_and_as_interactive_html(server, browser, tmp_path):
    base, _ = server
    page = open_view(browser, f"{base}/?{VIEW}")
    try:
        breakdown = page.locator("[data-testid=stImage] img[alt^='Cycle time breakdown']")
        breakdown.wait_for(timeout=30_000)
        alt = breakdown.get_attribute("alt")
        assert all(phase in alt for phase in ("Coding time", "Pickup time", "Review time", "Deploy time"))
        # The Overview loads no Plotly chart: plotly.js is what made a new tab slow (bench/README.md).
        assert page.locator("[data-testid=stPlotlyChart]").count() == 0

        svg_button = page.get_by_role("button", name="Download chart (SVG)")
        drawing = downloaded(page, svg_button, "cycle-time-breakdown.svg", tmp_path).decode()
        assert drawing.startswith("<svg") and "Coding time" in drawing

        html_button = page.get_by_role("button", name="Download chart (HTML)")
        text = downloaded(page, html_button, "cycle-time-breakdown.html", tmp_path).decode()
        assert "plotly" in text.lower() and "Coding time" in text  # the interactive chart, plotly.js embedded
    finally:
        page.close()


def test_a_file_uploaded_through_the_data_page_lands_in_the_snapshot(server, browser, tmp_path):
    base, data_dir = server
    survey = tmp_path / "survey.csv"
    survey.write_text("date,team,question,score,respondent\n2026-06-10,platform,Focus time,4,z1\n")
    page = open_view(browser, f"{base}/data?{VIEW}")
    try:
        page.get_by_role("tab", name="Upload files").click()
        page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(survey))
        page.get_by_role("button", name=re.compile(r"Import 1 file\(s\) into demo\.duckdb")).click(timeout=30_000)
        page.get_by_text("Imported into demo.duckdb").wait_for(timeout=30_000)
        shoot(page, "upload-done")
    finally:
        page.close()
    con = open_snapshot(data_dir / "demo.duckdb")
    try:
        assert con.execute("SELECT count(*) FROM survey_responses WHERE respondent = 'z1'").fetchall() == [(1,)]
    finally:
        con.close()


def test_a_page_link_opens_inside_the_frame_on_a_fresh_server(app_data_dir, browser, tmp_path):
    # A fresh server's first request for a page URL is run by Streamlit without app.py unless the frame steps in.
    data_dir = _private_data_dir(app_data_dir, tmp_path)
    with running_app(data_dir, tmp_path) as base:
        page = open_view(browser, f"{base}/teams?{VIEW}")
        try:
            assert page.locator("h1").first.inner_text().strip() == "Teams"
            assert page.get_by_role("link", name="Overview").count() >= 1  # the navigation is there
            assert page.locator("[data-testid=stAlertContentWarning]").count() == 0
            assert parse_qs(urlsplit(page.url).query)["team"] == ["payments"]
        finally:
            page.close()
    assert sorted(path.name for path in data_dir.glob("*.duckdb")) == ["demo.duckdb"]


def test_markdown_in_a_shared_link_shows_as_text_in_the_notice(server, browser):
    base, _ = server
    hostile = [
        "[Session expired – sign in](https://example.invalid)",
        "![logo](https://example.invalid/logo.png) <b>bold</b> :red[locked] :material/warning: $x^2$ :streamlit:",
        "https://example.invalid/login www.example.invalid help@example.invalid :smile: -> x",
    ]
    page = open_view(browser, f"{base}/?{VIEW}&{urlencode([('team', value) for value in hostile])}")
    try:
        notice = page.locator("[data-testid=stAlertContentWarning]").first
        notice.wait_for(timeout=20_000)
        shoot(page, "hostile-link-notice")
        shown = notice.inner_text().replace("\u2060", "")  # the word joiners that break Streamlit's short codes
        for value in hostile:
            assert value in shown
        assert notice.locator("a").count() == 0
        assert notice.locator("img").count() == 0
        assert notice.locator("b, strong, em, .katex, [data-testid=stIconMaterial]").count() == 0
    finally:
        page.close()
