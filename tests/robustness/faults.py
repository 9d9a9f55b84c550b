"""A fault-injecting transport for the fake GitHub and GitLab: every request's first attempts fail in turn with each
kind of fault a real API or network produces, then the fake answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

Handler = Callable[[httpx.Request], httpx.Response]


def truncated(answer: httpx.Response) -> httpx.Response:
    """The answer cut halfway through its body after a 200 and its headers (a proxy dropping the stream), with a
    Content-Length that matches what arrived, so only the JSON itself shows the cut."""
    headers = {k: v for k, v in answer.headers.items() if k.lower() not in ("content-length", "content-encoding")}
    return httpx.Response(answer.status_code, headers=headers, content=answer.content[: len(answer.content) // 2])


def emptied(answer: httpx.Response) -> httpx.Response:
    """The answer's status and headers with no body at all."""
    headers = {k: v for k, v in answer.headers.items() if k.lower() not in ("content-length", "content-encoding")}
    return httpx.Response(answer.status_code, headers=headers, content=b"")


# Each fault: (name, what it does given the request and the fake's own answer). A fault raises (network faults) or
# returns the answer the client sees instead of the fake's.
FAULTS: dict[str, Callable[[httpx.Request, Handler], httpx.Response]] = {
    "truncated body": lambda request, fake: truncated(fake(request)),
    "empty body": lambda request, fake: emptied(fake(request)),
    "502 bad gateway": lambda request, fake: httpx.Response(502, text="<html>Bad Gateway</html>"),
    "503 unavailable": lambda request, fake: httpx.Response(503, text="Service Unavailable"),
    "429 with Retry-After": lambda request, fake: httpx.Response(429, headers={"Retry-After": "7"}),
    "disconnect": lambda request, fake: _raise(httpx.RemoteProtocolError("Server disconnected", request=request)),
    "connection reset": lambda request, fake: _raise(httpx.ReadError("[Errno 104] Connection reset", request=request)),
    "timeout": lambda request, fake: _raise(httpx.ReadTimeout("The read operation timed out", request=request)),
}


def _raise(error: Exception) -> httpx.Response:
    raise error


@dataclass
class FaultSchedule:
    """Wraps a fake API's handler: the first `per_request` attempts of every distinct request (method, URL and body)
    fail with the next faults in turn, cycling through `kinds`; later attempts reach the fake. `permanent` faults
    instead hit every attempt of the requests `applies` selects, for ever."""

    fake: Handler
    kinds: list[str] = field(default_factory=lambda: list(FAULTS))
    per_request: int = 1
    permanent: str | None = None
    applies: Callable[[httpx.Request], bool] = lambda request: True
    seen: dict[tuple[str, str, bytes], int] = field(default_factory=dict)
    injected: list[str] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if not self.applies(request):
            return self.fake(request)
        if self.permanent is not None:
            self.injected.append(self.permanent)
            return FAULTS[self.permanent](request, self.fake)
        key = (request.method, str(request.url), request.content)
        attempt = self.seen.get(key, 0)
        self.seen[key] = attempt + 1
        if attempt >= self.per_request:
            return self.fake(request)
        kind = self.kinds[len(self.injected) % len(self.kinds)]
        self.injected.append(kind)
        return FAULTS[kind](request, self.fake)
