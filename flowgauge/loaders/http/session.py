"""ApiSession: every loader request goes through here, over one httpx.Client passed in by the caller."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from flowgauge.loaders.http.errors import (
    ApiError,
    Forbidden,
    GraphQLErrors,
    NotFound,
    RetriesExhausted,
    Unauthorized,
)
from flowgauge.loaders.http.ratelimit import RateLimits
from flowgauge.loaders.http.redact import Redactor
from flowgauge.loaders.http.retry import TRANSIENT_ERRORS, RetryPolicy, is_retryable_status
from flowgauge.loaders.http.throttle import Throttle

# Called with (seconds, reason) before every deliberate wait, so the CLI can show it.
WaitCallback = Callable[[float, str], None]
# Waiting out limits is normal; this bound only stops a server that limits forever.
MAX_LIMIT_WAITS = 20


@dataclass
class GraphQLResult:
    """A GraphQL answer: data (possibly partial) and the errors that came with it."""

    data: dict[str, Any]
    errors: list[dict[str, Any]] = field(default_factory=list)


class ApiSession:
    """Sends requests with retries, rate-limit waits, redacted errors and a request count.

    One session may serve several threads (repositories loaded at once): its counts and quota are shared under a
    lock, and a throttle, when given, keeps all of them within the API's secondary limits.
    """

    def __init__(
        self,
        client: httpx.Client,
        *,
        graphql_url: str | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        on_wait: WaitCallback | None = None,
        redactor: Redactor | None = None,
        throttle: Throttle | None = None,
    ) -> None:
        self.client = client
        self.throttle = throttle
        self._lock = threading.Lock()
        self.graphql_url = graphql_url
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.clock = clock
        self.on_wait = on_wait
        self.redact = redactor or Redactor.for_client(client)
        self.limits = RateLimits()
        self.requests = 0
        self.not_modified = 0
        # GraphQL points spent, as the answers report them (every query Flowgauge sends asks rateLimit { cost }).
        self.graphql_points = 0

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        resource: str = "core",
    ) -> httpx.Response:
        """One logical request: retried on transient faults, delayed by rate limits; raises ApiError subclasses."""
        failures = 0
        limit_waits = 0
        while True:
            with self._lock:
                allowed_in = self.limits.seconds_until_allowed(resource, self.clock())
            self._wait(allowed_in, "primary rate limit (quota spent)")
            if self.throttle is not None:
                self.throttle.acquire(resource)
            try:
                response = self.client.request(method, url, params=params, json=json, headers=headers)
            except TRANSIENT_ERRORS as error:
                failures = self._after_failure(failures, f"{type(error).__name__} on {self._where(url)}")
                continue
            except httpx.HTTPError as error:
                # Not worth retrying (bad URL, TLS setup): one user-facing line, credentials removed.
                raise ApiError(self.redact(f"{self._where(url)}: {type(error).__name__}: {error}")) from None
            finally:
                if self.throttle is not None:
                    self.throttle.release()
            with self._lock:
                self.requests += 1
                self.limits.observe(response, resource)
            if is_retryable_status(response.status_code):
                failures = self._after_failure(failures, f"HTTP {response.status_code} from {self._where(url)}")
                continue
            with self._lock:
                limited = self.limits.limited_wait(response, resource, self.clock())
            if limited is not None:
                limit_waits += 1
                if limit_waits > MAX_LIMIT_WAITS:
                    raise ApiError(self.redact(f"{self._where(url)}: still rate limited after {MAX_LIMIT_WAITS} waits"))
                if self.throttle is not None:
                    self.throttle.pause(limited[0])  # every thread waits, not only the one GitHub answered
                self._wait(*limited)
                continue
            if response.status_code == 304:
                with self._lock:
                    self.not_modified += 1
                return response
            self._raise_for_status(response, url)
            self._raise_unless_json(response, url)
            fault = _undecodable_json(response)
            if fault is not None:
                # A 200 whose JSON body was cut short (a proxy or load balancer dropping the stream after
                # the headers) is a transport fault like a disconnect: the same request usually succeeds.
                failures = self._after_failure(failures, f"{fault} from {self._where(url)}")
                continue
            return response

    def get(self, url: str, *, params: Mapping[str, Any] | None = None, etag: str | None = None) -> httpx.Response:
        """GET, conditional on etag when given (a 304 answer is returned, not raised)."""
        headers = {"If-None-Match": etag} if etag else None
        return self.request("GET", url, params=params, headers=headers)

    def graphql(self, query: str, variables: Mapping[str, Any]) -> GraphQLResult:
        """Run a GraphQL query; partial data is returned with its errors, no data at all raises."""
        if not self.graphql_url:
            raise ApiError("this API session has no GraphQL endpoint")
        for _ in range(MAX_LIMIT_WAITS):
            response = self.request(
                "POST", self.graphql_url, json={"query": query, "variables": dict(variables)}, resource="graphql"
            )
            body = response.json()
            errors = list(body.get("errors") or [])
            data = body.get("data")
            kinds = {e.get("type") for e in errors}
            if data or "RATE_LIMITED" not in kinds:
                break
            # GraphQL reports a spent quota as 200 with an error; wait for the reset like a primary limit.
            with self._lock:
                wait = self.limits.seconds_until_allowed("graphql", self.clock())
            self._wait(wait or 60.0, "GraphQL rate limit")
        cost = ((data or {}).get("rateLimit") or {}).get("cost")
        if isinstance(cost, int):  # charged even when the answer turns out to be a failure
            with self._lock:
                self.graphql_points += cost
        # A top-level field that came back null with an error (a missing or forbidden repository)
        # is a failure of the whole query, not partial data.
        failed_roots = [e for e in errors if len(e.get("path") or []) == 1 and data and data.get(e["path"][0]) is None]
        if failed_roots:
            errors, data = failed_roots, None
            kinds = {e.get("type") for e in errors}
        if not data:
            detail = "; ".join(str(e.get("message", e)) for e in errors[:3]) or "empty response"
            error_class = NotFound if "NOT_FOUND" in kinds else Forbidden if "FORBIDDEN" in kinds else GraphQLErrors
            raise error_class(self.redact(f"GraphQL query failed: {detail}"))
        return GraphQLResult(data=data, errors=errors)

    def quota_text(self) -> str:
        """Remaining quota of the last resource used, for progress displays."""
        with self._lock:
            return self.limits.summary()

    def _wait(self, seconds: float, reason: str) -> None:
        if seconds <= 0:
            return
        if self.on_wait is not None:
            self.on_wait(seconds, reason)
        self.sleep(seconds)

    def _after_failure(self, failures: int, what: str) -> int:
        if failures + 1 >= self.retry.attempts:
            raise RetriesExhausted(self.redact(f"{what}; gave up after {failures + 1} attempts"))
        self._wait(self.retry.delay_seconds(failures), f"retrying after {what}")
        return failures + 1

    def _where(self, url: str) -> str:
        # Mirrors httpx's own merge: a relative path is appended to the base URL's path.
        full = url if httpx.URL(url).is_absolute_url else str(self.client.base_url) + url.lstrip("/")
        return self.redact.url(full)

    def _raise_unless_json(self, response: httpx.Response, url: str) -> None:
        # Every API Flowgauge reads answers JSON: a web page instead (a wrong --api-url, a proxy's sign-in page)
        # will not change on a retry, so it is one line at once rather than a parse error later.
        content_type = response.headers.get("content-type", "")
        if response.status_code != 204 and response.content and "json" not in content_type:
            kind = content_type.split(";")[0].strip() or "no content type"
            raise ApiError(
                self.redact(f"{self._where(url)}: answered {kind}, not JSON; is the API URL right (--api-url)?"),
                response.status_code,
            )

    def _raise_for_status(self, response: httpx.Response, url: str) -> None:
        status = response.status_code
        if status < 400:
            return
        message = _error_message(response)
        where = self._where(url)
        if status == 401:
            raise Unauthorized(self.redact(f"{where}: the token was refused (401 {message})"), status)
        if status == 403:
            raise Forbidden(self.redact(f"{where}: access forbidden (403 {message})"), status)
        if status in (404, 410):
            raise NotFound(self.redact(f"{where}: not found or not visible to this token ({status})"), status)
        raise ApiError(self.redact(f"{where}: HTTP {status} {message}"), status)


def _undecodable_json(response: httpx.Response) -> str | None:
    """What is wrong with a successful answer that says it is JSON but does not parse, or None when it parses.

    Every caller reads a JSON answer whole, so it is parsed here once more to catch a cut body before a caller's
    parse fails with a traceback; a page costs milliseconds to parse, against hundreds for the request.
    """
    if response.status_code == 204 or "json" not in response.headers.get("content-type", ""):
        return None
    try:
        response.json()
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError both are ValueErrors
        if not response.content:
            return "an empty JSON body"
        reason = error.msg if isinstance(error, json.JSONDecodeError) else "bytes that are not text"
        return f"an incomplete or invalid JSON body ({len(response.content):,} bytes; {reason})"
    return None


def _error_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase
    if isinstance(body, dict):
        # Jira answers {"errorMessages": [...], "errors": {field: message}} where GitHub and GitLab send "message".
        jira = [*(body.get("errorMessages") or []), *(body.get("errors") or {}).values()]
        found = body.get("message") or body.get("error") or "; ".join(str(m) for m in jira if m)
        return str(found or response.reason_phrase)[:200]
    return response.reason_phrase
