"""Sign-in for real: Chromium signs in as a viewer, an editor and an admin through a real OpenID Connect provider.

The provider is the certified `oidc-provider` package from npm (tests/oidc/provider.mjs), run by node on a loopback
port; .ci/run installs it with `npm ci`. The dashboard is started as a team would start it,
`flowgauge serve --config flowgauge.toml`, with [sign_in] in the config and its secrets in the environment.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from flowgauge.org_config import load_org_config
from flowgauge.snapshot import open_snapshot

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
PROVIDER_DIR = ROOT / "tests" / "oidc"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
VIEW = "from=2026-04-01&to=2026-06-30&team=payments&stat=p75"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def _require_tools() -> None:
    """Skip, with the reason, where the browser, node or the npm package is missing; CI installs all three."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if shutil.which("node") is None:
        missing.append("node (apt-get install nodejs npm)")
    elif not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        missing.append("the oidc-provider npm package (npm ci --prefix tests/oidc)")
    if not missing:
        return
    if os.environ.get("CI"):
        pytest.fail(f"missing {', '.join(missing)}, but .ci/run installs them: the sign-in tests must run in CI")
    pytest.skip(f"missing {', '.join(missing)}; CI runs these tests")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, log: Path, what: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            pytest.fail(f"{what} did not start; see {log}")
        time.sleep(0.3)


@contextlib.contextmanager
def _process(command: list[str], log: Path, **options):
    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, **options)
        try:
            yield process
        finally:
            process.terminate()
            process.wait(timeout=20)


@pytest.fixture(scope="module")
def signed_in_server(app_data_dir, tmp_path_factory):
    """The provider, and `flowgauge serve` behind sign-in; yields (dashboard URL, data folder)."""
    _require_tools()
    folder = tmp_path_factory.mktemp("sign-in")
    data = folder / "data"
    data.mkdir()
    shutil.copy(app_data_dir / "demo.duckdb", data / "demo.duckdb")
    provider_port, app_port = _free_port(), _free_port()
    base = f"http://127.0.0.1:{app_port}"
    config = folder / "flowgauge.toml"
    config.write_text(
        f"""\
data_folder = "data"
snapshot = "demo.duckdb"

[sign_in]
provider = "http://127.0.0.1:{provider_port}/.well-known/openid-configuration"
client_id = "flowgauge-test"
public_url = "{base}"
prompt = "login"
allow = ["@acme.example"]
editors = ["editor@acme.example"]
admins = ["admin@acme.example"]

[[files]]
folder = "exports"
""",
        encoding="utf-8",
    )
    # Made per run, never committed: the client secret the provider and the dashboard share, and the cookie secret.
    environ = {
        "FLOWGAUGE_OIDC_CLIENT_SECRET": secrets.token_urlsafe(24),
        "FLOWGAUGE_COOKIE_SECRET": secrets.token_urlsafe(32),
    }
    sign_in = load_org_config(config).sign_in
    provider_env = {
        **os.environ,
        "OIDC_CLIENT_ID": sign_in.client_id,
        "OIDC_CLIENT_SECRET": environ["FLOWGAUGE_OIDC_CLIENT_SECRET"],
    }
    provider_command = ["node", str(PROVIDER_DIR / "provider.mjs"), str(provider_port), sign_in.redirect_uri]
    with _process(provider_command, folder / "provider.log", env=provider_env) as provider:
        _wait_until_up(sign_in.provider, provider, folder / "provider.log", "the OpenID Connect provider")
        serve = [sys.executable, "-m", "flowgauge.cli.main", "serve", "--config", str(config), "--port", str(app_port)]
        app_env = {key: value for key, value in os.environ.items() if not key.startswith("FLOWGAUGE_")}
        app_env["TMPDIR"] = str(temporary := folder / "tmp")
        temporary.mkdir()
        with _process(serve, folder / "serve.log", cwd=folder, env={**app_env, **environ}) as app:
            _wait_until_up(f"{base}/_stcore/health", app, folder / "serve.log", "flowgauge serve")
            yield base, data
        # Streamlit's secrets file went with the server, and secrets never reach the logs.
        assert not list(temporary.glob("flowgauge-sign-in-*"))
        for log in ("provider.log", "serve.log"):
            text = (folder / log).read_text(encoding="utf-8", errors="replace")
            assert all(secret not in text for secret in environ.values()), log


@pytest.fixture(scope="module")
def browser(signed_in_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


# Addresses are shown as text, never as Markdown links: a word joiner (U+2060) stands before the @, hence the \W?.


def settle(page, heading: str = "h1") -> None:
    """Wait until the app has finished its run (Streamlit marks the app root with its script state)."""
    page.wait_for_selector(f"[data-test-script-state=notRunning] {heading}", timeout=60_000)


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"sign-in-{name}.png"), full_page=True)


def sign_in(browser, base: str, link: str, login: str):
    """A new browser (no cookies) opens base + link, signs in at the provider as login, and is returned once back."""
    context = browser.new_context(viewport={"width": 1400, "height": 1400})
    page = context.new_page()
    page.goto(base + link)
    page.get_by_role("button", name="Sign in").click(timeout=60_000)
    page.locator("input[name=login]").fill(login, timeout=30_000)
    page.locator("input[name=password]").fill("any password: the test provider checks the login only")
    page.locator("button[type=submit]").click()
    page.get_by_role("button", name="Continue").click(timeout=30_000)  # the provider's consent screen
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/"), timeout=60_000)
    return page


def test_signed_out_sees_only_the_sign_in_screen(signed_in_server, browser):
    base, _ = signed_in_server
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{base}/teams?{VIEW}")
        page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
        settle(page)
        shoot(page, "signed-out")
        assert page.locator("h1").first.inner_text().strip() == "Flowgauge"
        assert page.locator("[data-testid=stMetricValue]").count() == 0
        assert page.get_by_text("Teams: Payments").count() == 0  # no filters, no names from the snapshot
        assert page.get_by_text("Payments").count() == 0
    finally:
        context.close()


def test_a_shared_link_opened_signed_out_lands_on_the_same_view_after_sign_in(signed_in_server, browser):
    base, _ = signed_in_server
    page = sign_in(browser, base, f"/teams?{VIEW}", "viewer")
    try:
        page.wait_for_url(re.compile(rf"^{re.escape(base)}/teams\?"), timeout=60_000)
        settle(page)
        page.get_by_role("button", name=re.compile(r"^Teams: Payments")).wait_for(timeout=30_000)
        shoot(page, "shared-link-after-sign-in")
        assert page.locator("h1").first.inner_text().strip() == "Teams"
        query = parse_qs(urlsplit(page.url).query)
        assert {key: query[key] for key in ("from", "to", "team", "stat")} == parse_qs(VIEW)
        assert "fg_return" not in {cookie["name"] for cookie in page.context.cookies()}  # used once, then gone
    finally:
        page.context.close()


def test_a_viewer_reads_pages_but_has_no_upload_and_no_authors(signed_in_server, browser):
    base, _ = signed_in_server
    page = sign_in(browser, base, f"/data?{VIEW}", "viewer")
    try:
        page.wait_for_url(re.compile(rf"^{re.escape(base)}/data\?"), timeout=60_000)
        settle(page)
        page.get_by_role("tab", name="Data quality").wait_for(timeout=30_000)
        page.get_by_text(re.compile(r"^Signed in as viewer\W?@acme\.example \(viewer\)$")).wait_for(timeout=30_000)
        shoot(page, "viewer-data")
        assert page.get_by_role("tab", name="Upload files").count() == 0
        assert page.locator("input[type=file]").count() == 0
        page.goto(f"{base}/pull_requests?from=2026-01-01&to=2026-06-30")
        settle(page)
        page.get_by_role("tab", name="Pull requests").wait_for(timeout=30_000)
        assert page.get_by_text("Show authors").count() == 0
    finally:
        page.context.close()


def test_an_editor_uploads_a_file_and_sees_it_loaded(signed_in_server, browser, tmp_path):
    base, data = signed_in_server
    survey = tmp_path / "survey.csv"
    survey.write_text("date,team,question,score,respondent\n2026-06-10,platform,Focus time,4,signed-in-editor\n")
    page = sign_in(browser, base, f"/data?{VIEW}", "editor")
    try:
        page.wait_for_url(re.compile(rf"^{re.escape(base)}/data\?"), timeout=60_000)
        settle(page)
        page.get_by_role("tab", name="Upload files").click(timeout=30_000)
        page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(survey))
        page.get_by_role("button", name=re.compile(r"Import 1 file\(s\) into demo\.duckdb")).click(timeout=30_000)
        page.get_by_text("Imported into demo.duckdb").wait_for(timeout=30_000)
        shoot(page, "editor-upload")
        page.goto(f"{base}/pull_requests?from=2026-01-01&to=2026-06-30")
        settle(page)
        page.get_by_role("tab", name="Pull requests").wait_for(timeout=30_000)
        assert page.get_by_text("Show authors").count() == 0
    finally:
        page.context.close()
    con = open_snapshot(data / "demo.duckdb")
    try:
        rows = con.execute("SELECT count(*) FROM survey_responses WHERE respondent = 'signed-in-editor'").fetchall()
    finally:
        con.close()
    assert rows == [(1,)]


def test_an_admin_has_show_authors(signed_in_server, browser):
    base, _ = signed_in_server
    page = sign_in(browser, base, "/pull_requests?from=2026-01-01&to=2026-06-30", "admin")
    try:
        page.wait_for_url(re.compile(rf"^{re.escape(base)}/pull_requests\?"), timeout=60_000)
        settle(page)
        page.get_by_text("Show authors").wait_for(timeout=30_000)
        shoot(page, "admin-authors")
        assert page.get_by_role("tab", name="Upload files").count() == 0  # that is on the Data page
    finally:
        page.context.close()


def test_someone_the_provider_knows_but_the_allow_list_does_not_is_refused(signed_in_server, browser):
    base, _ = signed_in_server
    page = sign_in(browser, base, f"/?{VIEW}", "stranger")
    try:
        refusal = re.compile(r"^stranger\W?@elsewhere\.example may not use this dashboard")
        page.get_by_text(refusal).wait_for(timeout=60_000)
        shoot(page, "refused")
        assert page.locator("[data-testid=stMetricValue]").count() == 0
        assert page.get_by_role("button", name="Sign out").count() == 1
    finally:
        page.context.close()


def test_signing_out_goes_through_the_provider_back_to_the_sign_in_screen(signed_in_server, browser):
    base, _ = signed_in_server
    page = sign_in(browser, base, f"/?{VIEW}", "admin")
    try:
        settle(page)
        page.get_by_role("button", name="Sign out").click(timeout=30_000)
        page.get_by_role("button", name="Yes, sign me out").click(timeout=30_000)  # the provider's logout page
        page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
        shoot(page, "signed-out-again")
        assert page.locator("[data-testid=stMetricValue]").count() == 0
        page.goto(f"{base}/pull_requests?from=2026-01-01&to=2026-06-30")  # a new session: still signed out
        page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
        assert page.get_by_text("Show authors").count() == 0
    finally:
        page.context.close()
