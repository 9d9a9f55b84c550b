"""Signing in as a GitHub App: a JWT signed with the App's private key buys an installation token, which every request
carries and which is bought again before its hour runs out, mid-load.

The App is an `httpx.Auth` set on the client the CLI builds, so the loaders and `ApiSession` are unchanged: the token
exchange travels through the same client (and, in tests, the same fake). Neither the key, the JWT nor the token is
ever put into a message; `Redactor.for_client` asks this object for its current secrets.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from flowgauge import __version__
from flowgauge.errors import LoaderError

KEY_PATH_ENV = "GITHUB_APP_PRIVATE_KEY_PATH"
KEY_ENV = "GITHUB_APP_PRIVATE_KEY"
# GitHub refuses a JWT whose exp is more than 10 minutes ahead; iat 60 s back allows for clock drift.
JWT_BACKDATE_SECONDS = 60
JWT_LIFETIME_SECONDS = 540
# An installation token lives an hour: bought again 5 minutes before it ends (or at half its life if shorter).
REFRESH_BEFORE_SECONDS = 300.0
_API_VERSION = "2022-11-28"


class AppKeyError(LoaderError):
    """The GitHub App's private key is missing or is not an RSA private key in PEM form."""


class AppAuthRefused(LoaderError):
    """GitHub refused the App's JWT, or has no installation of it where asked (the token exchange failed)."""


@dataclass(frozen=True)
class AppCredentials:
    """A GitHub App's id and private key (PEM text), and its installation when known (else discovered)."""

    app_id: str
    private_key: str = field(repr=False)
    installation_id: int | None = None


def read_private_key(
    env: Mapping[str, str], *, path_env: str = KEY_PATH_ENV, key_env: str = KEY_ENV
) -> tuple[str, str]:
    """The PEM text of the App's key and where it came from: the file in path_env, else the text in key_env."""
    path = env.get(path_env)
    if path:
        try:
            text = Path(path).expanduser().read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else "not a text file"
            raise AppKeyError(f"{path_env}: cannot read {path} ({reason})") from None
        return text, f"{path_env} ({path})"
    text = env.get(key_env)
    if text:
        # A key pasted into a one-line secret store often arrives with literal \n for its line breaks.
        return (text.replace("\\n", "\n") if "\\n" in text else text), key_env
    raise AppKeyError(f"set {path_env} to the GitHub App's private key file (.pem), or {key_env} to its text")


def check_private_key(text: str, origin: str) -> None:
    """Refuse, in one line and without repeating it, a key that is not an RSA private key in PEM form."""
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(text.strip().encode("utf-8"), password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, RSAPrivateKey):
        raise AppKeyError(
            f"{origin}: not an RSA private key in PEM form (GitHub's .pem file, from -----BEGIN RSA PRIVATE KEY-----)"
        )


def app_jwt(credentials: AppCredentials, now: float) -> str:
    """The App's JSON web token (RS256): issued a minute back, expiring within GitHub's 10-minute limit."""
    import jwt

    claims = {"iat": int(now) - JWT_BACKDATE_SECONDS, "exp": int(now) + JWT_LIFETIME_SECONDS, "iss": credentials.app_id}
    return jwt.encode(claims, credentials.private_key, algorithm="RS256")


class GitHubAppAuth(httpx.Auth):
    """Authorization for every request: a current installation token, bought (and the installation found by
    organisation or repository) on first use and again before it expires; a 401 buys a new one once."""

    requires_response_body = True

    def __init__(
        self,
        credentials: AppCredentials,
        *,
        api_url: str,
        org: str | None = None,
        repo: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if credentials.installation_id is None and not (org or repo):
            raise AppAuthRefused("name the App's installation (--installation-id) or an organisation to find it by")
        self.credentials = credentials
        self.api_url = api_url.rstrip("/")
        self.org, self.repo = org, repo
        self.clock = clock
        self.installation_id = credentials.installation_id
        self.tokens_bought = 0
        self._lock = threading.Lock()
        self._token: str | None = None
        self._refresh_at = 0.0
        self._jwt: str | None = None

    def secrets(self) -> list[str]:
        """What must never be shown: the current JWT and installation token (for the session's redactor)."""
        with self._lock:
            return [s for s in (self._token, self._jwt) if s]

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._current()
        if token is None:
            token = yield from self._buy_token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:
            # Revoked or expired early (a clock ahead of ours): one new token, then the answer stands.
            with self._lock:
                if self._token == token:
                    self._token = None
            request.headers["Authorization"] = f"Bearer {(yield from self._buy_token())}"
            yield request

    def _current(self) -> str | None:
        with self._lock:
            return self._token if self._token and self.clock() < self._refresh_at else None

    def _buy_token(self) -> Generator[httpx.Request, httpx.Response, str]:
        # Not under the lock: two threads may both buy one, and the later simply replaces the earlier.
        now = self.clock()
        token_jwt = app_jwt(self.credentials, now)
        with self._lock:
            self._jwt = token_jwt
        if self.installation_id is None:
            where = f"orgs/{self.org}" if self.org else f"repos/{self.repo}"
            url = f"{self.api_url}/{where}/installation"
            answer = yield self._app_request("GET", url, token_jwt)
            self.installation_id = int(self._json(answer, url, "id"))
        url = f"{self.api_url}/app/installations/{self.installation_id}/access_tokens"
        answer = yield self._app_request("POST", url, token_jwt)
        token = str(self._json(answer, url, "token"))
        expires_at = _epoch(self._json(answer, url, "expires_at"), url)
        lifetime = max(expires_at - now, 0.0)
        with self._lock:
            self._token = token
            self._refresh_at = expires_at - min(REFRESH_BEFORE_SECONDS, lifetime / 2)
            self.tokens_bought += 1
        return token

    @staticmethod
    def _app_request(method: str, url: str, token_jwt: str) -> httpx.Request:
        headers = {
            "Authorization": f"Bearer {token_jwt}",
            "Accept": "application/vnd.github+json",
            "User-Agent": f"flowgauge/{__version__}",
            "X-GitHub-Api-Version": _API_VERSION,
        }
        return httpx.Request(method, url, headers=headers)

    @staticmethod
    def _json(response: httpx.Response, url: str, key: str) -> object:
        if response.status_code >= 400:
            raise AppAuthRefused(f"{url}: the GitHub App was refused ({response.status_code} {_message(response)})")
        try:
            value = response.json()[key]
        except (ValueError, KeyError, TypeError):
            raise AppAuthRefused(f"{url}: answered {response.status_code} without '{key}'") from None
        if value in (None, ""):
            raise AppAuthRefused(f"{url}: answered {response.status_code} without '{key}'")
        return value


def _epoch(value: object, url: str) -> float:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise AppAuthRefused(f"{url}: expires_at {str(value)[:40]!r} is not a time") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()  # GitHub's times are UTC


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase
    message = body.get("message") if isinstance(body, dict) else None
    return " ".join(str(message or response.reason_phrase).split())[:200]


def app_auth_from(
    env: Mapping[str, str],
    *,
    app_id: str,
    installation_id: int | None,
    api_url: str,
    org: str | None,
    repos: Sequence[str] = (),
    path_env: str = KEY_PATH_ENV,
    key_env: str = KEY_ENV,
) -> GitHubAppAuth:
    """The App's sign-in from its key in the environment; its installation found by org, else the first repository."""
    text, origin = read_private_key(env, path_env=path_env, key_env=key_env)
    check_private_key(text, origin)
    credentials = AppCredentials(str(app_id), text.strip() + "\n", installation_id)
    return GitHubAppAuth(credentials, api_url=api_url, org=org, repo=None if org else next(iter(repos), None))


def open_github_client(
    factory: Callable[[str, str | None], httpx.Client], api_url: str, sign_in: str | GitHubAppAuth
) -> httpx.Client:
    """A client from the factory with a token in its header, or with the App's auth setting one per request."""
    if isinstance(sign_in, str):
        return factory(api_url, sign_in)
    client = factory(api_url, None)
    client.auth = sign_in
    return client
