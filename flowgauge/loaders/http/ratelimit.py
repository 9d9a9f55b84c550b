"""Primary and secondary rate limits, read from response headers and bodies."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

# GitHub documents at least one minute when a secondary limit gives no Retry-After.
SECONDARY_DEFAULT_SECONDS = 60.0
_SECONDARY_PHRASES = ("secondary rate limit", "abuse detection", "abuse-rate-limits")


@dataclass
class Quota:
    """The last known primary limit of one API resource (GitHub 'core', 'graphql', 'search'...)."""

    limit: int | None = None
    remaining: int | None = None
    reset_epoch: float | None = None


class RateLimits:
    """Tracks quota per resource and decides how long to wait before the next request."""

    def __init__(self) -> None:
        self.quotas: dict[str, Quota] = {}
        self.last_resource: str | None = None

    def observe(self, response: httpx.Response, resource: str) -> None:
        """Update the quota from X-RateLimit-* (GitHub) or RateLimit-* (GitLab) headers."""
        headers = response.headers
        name = headers.get("x-ratelimit-resource", resource)
        quota = self.quotas.setdefault(name, Quota())
        for prefix in ("x-ratelimit-", "ratelimit-"):
            if f"{prefix}remaining" in headers:
                quota.limit = _int(headers.get(f"{prefix}limit"), quota.limit)
                quota.remaining = _int(headers.get(f"{prefix}remaining"), quota.remaining)
                reset = _int(headers.get(f"{prefix}reset"), None)
                quota.reset_epoch = float(reset) if reset is not None else quota.reset_epoch
                break
        self.quotas[resource] = quota
        self.last_resource = resource

    def seconds_until_allowed(self, resource: str, now_epoch: float) -> float:
        """Seconds to sleep before a request to resource: non-zero only when the quota is spent."""
        quota = self.quotas.get(resource)
        if quota is None or quota.remaining is None or quota.remaining > 0 or quota.reset_epoch is None:
            return 0.0
        # One extra second: the reset time is whole seconds and clocks drift.
        return max(0.0, quota.reset_epoch - now_epoch + 1.0)

    def limited_wait(self, response: httpx.Response, resource: str, now_epoch: float) -> tuple[float, str] | None:
        """(seconds, reason) when the response says we hit a limit, else None."""
        if response.status_code not in (403, 429):
            return None
        retry_after = response.headers.get("retry-after")
        if retry_after is not None:
            return (_retry_after_seconds(retry_after), "secondary rate limit (Retry-After)")
        if _mentions_secondary(response):
            return (SECONDARY_DEFAULT_SECONDS, "secondary rate limit")
        quota = self.quotas.get(resource)
        if quota and quota.remaining == 0 and quota.reset_epoch is not None:
            return (max(1.0, quota.reset_epoch - now_epoch + 1.0), "primary rate limit")
        if response.status_code == 429:
            return (SECONDARY_DEFAULT_SECONDS, "rate limit (429)")
        return None

    def summary(self) -> str:
        """Remaining quota of the resource used last, e.g. '4,812/5,000 left', or '' if unknown."""
        quota = self.quotas.get(self.last_resource or "")
        if quota is None or quota.remaining is None:
            return ""
        limit = f"/{quota.limit:,}" if quota.limit is not None else ""
        return f"{quota.remaining:,}{limit} left"


def _int(value: str | None, default: int | None) -> int | None:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _retry_after_seconds(value: str) -> float:
    try:
        return max(0.0, float(value))
    except ValueError:
        # The HTTP-date form; GitHub and GitLab send seconds, so fall back to the documented minimum.
        return SECONDARY_DEFAULT_SECONDS


def _mentions_secondary(response: httpx.Response) -> bool:
    try:
        text = response.text.lower()
    except UnicodeDecodeError:
        return False
    return any(phrase in text for phrase in _SECONDARY_PHRASES)
