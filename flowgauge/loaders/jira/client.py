"""The Jira httpx.Client: Cloud signs in with an e-mail and API token (basic), Data Center with a personal token."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Literal

import httpx

from flowgauge import __version__
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
