"""Keep tokens out of every message, URL and log line a loader produces."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import httpx

# Header names that carry credentials; their values are secrets wherever they appear.
SECRET_HEADERS = ("authorization", "private-token", "job-token")
# Query parameters some APIs accept credentials in.
_SECRET_PARAMS = re.compile(r"(?i)([?&](?:access_token|private_token|token)=)[^&#\s]+")
# What GitHub's tokens and any JSON web token look like, masked even when no one told the redactor about them.
_TOKEN_SHAPES = re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{16,}|github_pat_\w{20,}|eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]+)")


class Redactor:
    """Replaces every known secret (and its common encodings) with '***' in text."""

    def __init__(self, secrets: Iterable[str] = (), current: Callable[[], Iterable[str]] | None = None) -> None:
        self._secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)
        # Secrets that change during a load (a GitHub App's installation tokens), asked for at each use.
        self._current = current

    @classmethod
    def for_client(cls, client: httpx.Client, extra: Iterable[str] = ()) -> Redactor:
        """A redactor for the credentials configured on a client's default headers."""
        secrets = list(extra)
        current = getattr(client.auth, "secrets", None)  # an httpx.Auth that sets the header per request
        for name in SECRET_HEADERS:
            value = client.headers.get(name)
            if value:
                secrets.append(value)
                # 'Bearer abc' and 'token abc': the bare token matters as much as the header value.
                secrets.extend(part for part in value.split() if len(part) >= 8)
        return cls(secrets, current if callable(current) else None)

    def __call__(self, text: object) -> str:
        out = _TOKEN_SHAPES.sub("***", _SECRET_PARAMS.sub(r"\1***", str(text)))
        secrets = self._secrets
        if self._current is not None:
            secrets = sorted({*secrets, *(s for s in self._current() if s and len(s) >= 4)}, key=len, reverse=True)
        for secret in secrets:
            out = out.replace(secret, "***")
        return out

    def url(self, url: httpx.URL | str) -> str:
        """A URL safe to show: credentials in the query or user-info replaced."""
        parsed = httpx.URL(str(url))
        if parsed.userinfo:
            parsed = parsed.copy_with(username=None, password=None)
        return self(parsed)
