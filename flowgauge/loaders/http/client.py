"""Builds the real httpx.Client; called only at the CLI edge, tests pass their own client."""

from __future__ import annotations

import httpx

from flowgauge import __version__

GITHUB_API_URL = "https://api.github.com"
GITLAB_API_URL = "https://gitlab.com/api/v4"


def build_client(base_url: str, token: str | None, *, timeout_seconds: float = 60.0) -> httpx.Client:
    """An httpx.Client for an API; the token lives only in its Authorization header."""
    headers = {"User-Agent": f"flowgauge/{__version__}", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.Client(
        base_url=base_url.rstrip("/") + "/",
        headers=headers,
        timeout=httpx.Timeout(timeout_seconds, connect=10.0),
        follow_redirects=True,
    )


def github_graphql_url(api_url: str) -> str:
    """GraphQL endpoint for api.github.com or a GitHub Enterprise Server REST base URL."""
    base = api_url.rstrip("/")
    if base.endswith("/api/v3"):  # GHES: REST at /api/v3, GraphQL at /api/graphql
        return base[: -len("/v3")] + "/graphql"
    return base + "/graphql"
