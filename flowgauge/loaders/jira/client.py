"""The Jira httpx.Client: Cloud signs in with an e-mail and API token (basic), Data Center with a personal token."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

import httpx

from flowgauge import __version__
from flowgauge.errors import LoaderError
from flowgauge.loaders.http.redact import Redactor

Deployment = Literal["cloud", "datacenter"]


@dataclass(frozen=True)
class JiraAuth:
    """Credentials for one site: an e-mail and API token (Cloud) or a personal access token (Data Center)."""

    deployment: Deployment
    token: str = field(repr=False)
    email: str | None = None

    def header(self) -> str:
        """The Authorization header value; the only place the token is put into a request."""
        if self.deployment == "cloud":
            pair = f"{self.email}:{self.token}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        return f"Bearer {self.token}"

    def redactor(self, client: httpx.Client) -> Redactor:
        """A redactor knowing the header and the bare token (basic auth hides it inside base64)."""
        return Redactor.for_client(client, extra=[self.token])


class MissingCredentials(LoaderError):
    """Neither Cloud's e-mail and API token nor a Data Center personal access token is in the environment."""


def jira_auth_from(
    site: str,
    env: Mapping[str, str],
    *,
    email_env: str = "JIRA_EMAIL",
    api_token_env: str = "JIRA_API_TOKEN",
    pat_env: str = "JIRA_TOKEN",
) -> JiraAuth:
    """Credentials from the variables named: an e-mail and API token (Cloud), or a personal access token (DC)."""
    email, api_token, pat = (env.get(name) for name in (email_env, api_token_env, pat_env))
    cloud = bool(email and api_token)
    if cloud and pat:
        # Both set: the site says which (Atlassian hosts every Cloud site under atlassian.net).
        cloud = (urlsplit(site).hostname or "").endswith(".atlassian.net")
    if cloud:
        return JiraAuth("cloud", api_token, email)
    if pat:
        return JiraAuth("datacenter", pat)
    if api_token and not email:
        raise MissingCredentials(f"{api_token_env} is set but {email_env} is not: Jira Cloud signs in with both")
    raise MissingCredentials(
        f"set {email_env} and {api_token_env} (Jira Cloud) or {pat_env} (a Data Center personal access token)"
    )


def build_jira_client(site: str, auth: JiraAuth, *, timeout_seconds: float = 60.0) -> httpx.Client:
    """An httpx.Client for a Jira site (https://acme.atlassian.net or a Data Center base URL)."""
    headers = {
        "User-Agent": f"flowgauge/{__version__}",
        "Accept": "application/json",
        "Authorization": auth.header(),
    }
    return httpx.Client(
        base_url=site.rstrip("/") + "/",
        headers=headers,
        timeout=httpx.Timeout(timeout_seconds, connect=10.0),
        follow_redirects=True,
    )
