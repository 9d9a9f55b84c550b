"""Exponential backoff with jitter for transient failures (timeouts, dropped connections, 5xx)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import httpx

# Transport failures worth another try; anything else (bad URL, TLS misconfiguration) is not transient.
TRANSIENT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


@dataclass
class RetryPolicy:
    """How often and how long to retry: delay n is base * 2**n, capped, scaled by a jitter in [0.5, 1)."""

    attempts: int = 5
    base_seconds: float = 1.0
    max_seconds: float = 60.0
    rng: random.Random = field(default_factory=random.Random)

    def delay_seconds(self, retry_number: int) -> float:
        """Seconds to wait before retry number retry_number (0-based)."""
        ceiling = min(self.max_seconds, self.base_seconds * 2**retry_number)
        # "Equal jitter": never less than half the exponential step, so waits still grow, but
        # clients that failed together do not retry together.
        return ceiling * (0.5 + self.rng.random() / 2)


def is_retryable_status(status: int) -> bool:
    """5xx answers are the server's fault and usually pass; GitHub sends 502 when a query times out."""
    return 500 <= status <= 599
