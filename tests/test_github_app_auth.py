"""GitHub App sign-in against the fake with a key generated here: installation discovery and token exchange, a token
bought again before it expires during a long load (a fake clock, tokens living seconds), a refused key in one line
naming the URL and status, and no key, JWT or token in any output, error or snapshot."""

from __future__ import annotations

import httpx
import pytest
from fixtures.github.fake_app import FakeGitHubApp, generate_key
from fixtures.github.fake_github import API
from fixtures.github.scenario import organisation
from typer.testing import CliRunner

from flowgauge.cli import api_commands, sync_commands
from flowgauge.cli.main import app
from flowgauge.loaders.github.app_auth import AppCredentials, GitHubAppAuth, app_jwt
from flowgauge.loaders.github.sync import sync_github
from flowgauge.loaders.http.client import github_graphql_url
from flowgauge.loaders.http.session import ApiSession
from flowgauge.loaders.store import write_snapshot
from flowgauge.snapshot import open_snapshot

API_URL = API.rstrip("/")
REPOS = ["acme/payments", "acme/web"]
PRS = [("acme/payments", 5), ("acme/web", 23)]  # what a token-based load of the same repositories writes


def prs(path) -> list[tuple[str, int]]:
    con = open_snapshot(path)
    try:
        return con.execute("SELECT repo_id, count(*) FROM pull_requests GROUP BY 1 ORDER BY 1").fetchall()
    finally:
        con.close()


def key_lines(pem: str) -> list[str]:
    """The key's base64 body lines: none may appear anywhere."""
    return [line for line in pem.splitlines() if line and not line.startswith("-----")]


def assert_nothing_secret(fake: FakeGitHubApp, pem: str, *texts: str | bytes) -> None:
    secrets = [*fake.tokens, *(j for j in fake.jwts if j), *key_lines(pem)]
    assert secrets
    for text in texts:
        body = text.decode("latin-1") if isinstance(text, bytes) else text
        leaked = [s[:12] for s in secrets if s in body]
        assert not leaked, leaked


@pytest.fixture(scope="module")
def key():
    return generate_key()


# ---- the library: a long load with tokens living seconds -------------------------------------------


def test_the_installation_token_is_bought_again_before_it_expires_mid_load(key, tmp_path):
    pem, public = key
    now = [1_800_000_000.0]
    world = organisation()

    def slow_api(request: httpx.Request) -> httpx.Response:
        now[0] += 1.0  # every API answer takes a second of the fake clock
        return world.handle(request)

    fake = FakeGitHubApp(slow_api, public, token_seconds=4.0, clock=lambda: now[0])
    auth = GitHubAppAuth(AppCredentials(fake.app_id, pem), api_url=API_URL, org="acme", clock=lambda: now[0])
    client = httpx.Client(base_url=API, transport=httpx.MockTransport(fake.handle), auth=auth)
    session = ApiSession(client, graphql_url=github_graphql_url(API_URL), clock=lambda: now[0], sleep=lambda s: None)
    with write_snapshot(tmp_path / "app.duckdb", fresh=True) as writer:
        report = sync_github(session, writer, REPOS, org="acme")
    assert report.repos_loaded == REPOS
    assert prs(tmp_path / "app.duckdb") == PRS
    requests = session.requests
    assert fake.exchanges[0] == "discover" and fake.exchanges.count("discover") == 1
    # Each token serves about two seconds of a four-second life: a new one every two or three requests.
    assert requests / 3 <= fake.exchanges.count("token") == auth.tokens_bought <= requests / 2 + 1
    assert fake.refused == []  # no request ever went out with an expired token
    assert_nothing_secret(fake, pem, (tmp_path / "app.duckdb").read_bytes())


def test_a_token_revoked_mid_load_is_replaced_once_and_the_load_goes_on(key, tmp_path):
    pem, public = key
    world = organisation()
    fake = FakeGitHubApp(world.handle, public)
    answered = []

    def revoke_after_three(request: httpx.Request) -> httpx.Response:
        answered.append(request.url.path)
        if len(answered) == 4:
            fake.tokens.clear()  # revoked by an admin: the next API request is refused
        return fake.handle(request)

    auth = GitHubAppAuth(AppCredentials(fake.app_id, pem, installation_id=fake.installation_id), api_url=API_URL)
    client = httpx.Client(base_url=API, transport=httpx.MockTransport(revoke_after_three), auth=auth)
    session = ApiSession(client, graphql_url=github_graphql_url(API_URL), sleep=lambda s: None)
    with write_snapshot(tmp_path / "app.duckdb", fresh=True) as writer:
        sync_github(session, writer, REPOS, org="acme")
    assert prs(tmp_path / "app.duckdb") == PRS
    assert fake.exchanges == ["token", "token"]  # no discovery with an installation id; one token bought again
    assert len(fake.refused) == 1


def test_the_jwt_is_rs256_issued_a_minute_back_and_expires_within_ten_minutes(key):
    import jwt

    pem, public = key
    token = app_jwt(AppCredentials("424242", pem), 1_800_000_000.0)
    claims = jwt.decode(token, public, algorithms=["RS256"], options={"verify_exp": False, "verify_iat": False})
    assert claims == {"iat": 1_800_000_000 - 60, "exp": 1_800_000_000 + 540, "iss": "424242"}
    assert jwt.get_unverified_header(token)["alg"] == "RS256"


# ---- the CLI: snapshot github --app-id ------------------------------------------------------------


@pytest.fixture
def served(monkeypatch, key):
    pem, public = key
    fake = FakeGitHubApp(organisation().handle, public)

    def factory(api_url: str, token: str | None) -> httpx.Client:
        # As build_client: a token header only when there is a token; an App's auth is set on the client after.
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=api_url + "/", headers=headers, transport=httpx.MockTransport(fake.handle))

    for module in (api_commands, sync_commands):
        monkeypatch.setattr(module, "client_factory", factory)
    for name in ("GITHUB_TOKEN", "GH_TOKEN", "GITHUB_APP_PRIVATE_KEY", "GITHUB_APP_PRIVATE_KEY_PATH"):
        monkeypatch.delenv(name, raising=False)
    return fake, pem


def load(tmp_path, *args: str):
    out = tmp_path / "acme.duckdb"
    command = ["snapshot", "github", *args, "--out", str(out), "--api-url", API_URL]
    return out, CliRunner().invoke(app, command, env={"COLUMNS": "200"})


def test_snapshot_github_signs_in_as_the_app_found_by_organisation(served, tmp_path, monkeypatch):
    fake, pem = served
    key_file = tmp_path / "app.pem"
    key_file.write_text(pem, encoding="utf-8")
    monkeypatch.setenv("GITHUB_APP_PRIVATE_KEY_PATH", str(key_file))
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_IGNOREDWHENANAPPSIGNSIN0123456789")  # the App wins
    out, result = load(tmp_path, "--org", "acme", "--app-id", fake.app_id)
    assert result.exit_code == 3, result.output  # acme/secret is forbidden, acme/web and payments load
    assert prs(out) == PRS
    assert fake.exchanges == ["discover", "token"] and fake.refused == []
    assert "Signed in as GitHub App 424242, installation 7070" in result.output
    assert_nothing_secret(fake, pem, result.output, out.read_bytes())


def test_the_key_may_be_given_as_text_with_the_installation_id(served, tmp_path, monkeypatch):
    fake, pem = served
    monkeypatch.setenv("GITHUB_APP_PRIVATE_KEY", pem.replace("\n", "\\n"))  # as one-line secret stores keep it
    out, result = load(tmp_path, "acme/payments", "--app-id", fake.app_id, "--installation-id", "7070")
    assert result.exit_code == 0, result.output
    assert prs(out) == [("acme/payments", 5)]
    assert fake.exchanges == ["token"]
    assert_nothing_secret(fake, pem, result.output, out.read_bytes())


def test_a_refused_key_is_one_line_naming_the_url_and_status(served, tmp_path, monkeypatch):
    fake, _ = served
    other_pem, _ = generate_key()  # a key of another App: GitHub cannot verify its JWT
    monkeypatch.setenv("GITHUB_APP_PRIVATE_KEY", other_pem)
    out, result = load(tmp_path, "--org", "acme", "--app-id", fake.app_id)
    assert result.exit_code == 1
    assert str(result.exception) == (
        f"{API_URL}/orgs/acme/installation: the GitHub App was refused (401 A JSON web token could not be decoded)"
    )
    assert not out.exists()
    assert_nothing_secret(fake, other_pem, result.output, str(result.exception))


def test_an_unknown_installation_is_refused_with_its_url(served, tmp_path, monkeypatch):
    fake, pem = served
    monkeypatch.setenv("GITHUB_APP_PRIVATE_KEY", pem)
    out, result = load(tmp_path, "acme/payments", "--app-id", fake.app_id, "--installation-id", "99")
    url = f"{API_URL}/app/installations/99/access_tokens"
    assert str(result.exception) == f"{url}: the GitHub App was refused (404 Not Found)"
    assert not out.exists()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "set GITHUB_APP_PRIVATE_KEY_PATH to the GitHub App's private key file (.pem), or GITHUB_APP_PRIVATE_KEY"),
        ({"GITHUB_APP_PRIVATE_KEY": "-----BEGIN RSA PRIVATE KEY-----\nMIIEsecretbody\n-----END RSA PRIVATE KEY-----"},
         "GITHUB_APP_PRIVATE_KEY: not an RSA private key in PEM form"),
        ({"GITHUB_APP_PRIVATE_KEY_PATH": "/nonexistent/app.pem"},
         "GITHUB_APP_PRIVATE_KEY_PATH: cannot read /nonexistent/app.pem (No such file or directory)"),
    ],
)  # fmt: skip
def test_a_missing_or_broken_key_is_one_line_without_its_content(served, tmp_path, monkeypatch, env, message):
    fake, _ = served
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    out, result = load(tmp_path, "--org", "acme", "--app-id", fake.app_id)
    assert result.exit_code == 1
    assert str(result.exception).startswith(message) and "\n" not in str(result.exception)
    assert "MIIEsecretbody" not in result.output + str(result.exception)
    assert fake.exchanges == [] and not out.exists()


def test_installation_id_without_app_id_is_a_usage_error(served, tmp_path):
    _, result = load(tmp_path, "--org", "acme", "--installation-id", "7070")
    assert result.exit_code == 2
    assert "--installation-id needs --app-id" in " ".join(result.output.replace("│", " ").split())


# ---- the config: [[github]] app_id ----------------------------------------------------------------


def test_flowgauge_sync_signs_in_as_the_app_a_github_source_names(served, tmp_path, monkeypatch):
    fake, pem = served
    (tmp_path / "app.pem").write_text(pem, encoding="utf-8")
    monkeypatch.setenv("ACME_APP_KEY_PATH", str(tmp_path / "app.pem"))
    config = tmp_path / "flowgauge.toml"
    config.write_text(
        'snapshot = "acme.duckdb"\n\n[[github]]\nname = "github"\nrepos = ["acme/payments"]\n'
        f'app_id = {fake.app_id}\nprivate_key_path_env = "ACME_APP_KEY_PATH"\napi_url = "{API_URL}"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["sync", "--config", str(config)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    snapshot = tmp_path / "data" / "acme.duckdb"
    assert prs(snapshot) == [("acme/payments", 5)]
    assert fake.exchanges == ["discover", "token"]  # found by the repository's owner
    assert_nothing_secret(fake, pem, result.output, snapshot.read_bytes())


def test_an_error_echoing_the_installation_token_is_masked(served, tmp_path, monkeypatch):
    fake, pem = served

    def echoing(request: httpx.Request) -> httpx.Response | None:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if request.url.path == "/graphql":  # a proxy that quotes the credentials it refused
            return httpx.Response(403, json={"message": f"token {token} lacks repo scope"})
        return None

    world = organisation()
    world.faults.append(echoing)
    fake.api = world.handle
    monkeypatch.setenv("GITHUB_APP_PRIVATE_KEY", pem)
    out, result = load(tmp_path, "acme/payments", "--app-id", fake.app_id, "--installation-id", "7070")
    assert result.exit_code == 1, result.output
    assert "acme/payments: skipped" in " ".join(result.output.split()) and "lacks repo scope" in result.output
    assert "token *** lacks repo scope" in " ".join(result.output.split())
    assert_nothing_secret(fake, pem, result.output)
