"""The shared HTTP core: retries, rate limits, pagination and redaction, over httpx.MockTransport."""

from __future__ import annotations

import json
import random

import httpx
import pytest

from flowgauge.loaders.http.errors import Forbidden, NotFound, RetriesExhausted
from flowgauge.loaders.http.paginate import paginate_graphql, paginate_link
from flowgauge.loaders.http.redact import Redactor
from flowgauge.loaders.http.retry import RetryPolicy
from flowgauge.loaders.http.session import ApiSession

TOKEN = "ghp_FAKE0123456789abcdefSECRET"


class FakeTime:
    """An injected clock and sleep: sleeping advances the clock and is recorded."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_session(handler, fake: FakeTime, **kwargs) -> tuple[ApiSession, list[tuple[float, str]]]:
    waits: list[tuple[float, str]] = []
    client = httpx.Client(
        base_url="https://api.example.test/",
        headers={"Authorization": f"Bearer {TOKEN}"},
        transport=httpx.MockTransport(handler),
    )
    session = ApiSession(
        client,
        graphql_url="graphql",
        retry=RetryPolicy(attempts=4, base_seconds=1.0, rng=random.Random(1)),
        sleep=fake.sleep,
        clock=fake.clock,
        on_wait=lambda s, why: waits.append((s, why)),
        **kwargs,
    )
    return session, waits


def test_502_and_timeouts_are_retried_with_growing_jittered_backoff():
    fake = FakeTime()
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            raise httpx.ConnectTimeout("timed out", request=request)
        if len(calls) in (2, 3):
            return httpx.Response(502, text="Bad Gateway")
        return httpx.Response(200, json={"ok": True})

    session, waits = make_session(handler, fake)
    assert session.get("thing").json() == {"ok": True}
    assert len(calls) == 4
    assert len(fake.sleeps) == 3
    # Equal jitter: each delay lies in [step/2, step) for steps 1, 2, 4 seconds.
    for delay, step in zip(fake.sleeps, [1, 2, 4], strict=True):
        assert step / 2 <= delay < step
    assert "ConnectTimeout" in waits[0][1] and "HTTP 502" in waits[1][1]


def test_retries_give_up_with_a_redacted_message():
    fake = FakeTime()
    session, _ = make_session(lambda r: httpx.Response(503), fake)
    with pytest.raises(RetriesExhausted) as caught:
        session.get(f"thing?access_token={TOKEN}")
    assert "gave up after 4 attempts" in str(caught.value)
    assert TOKEN not in str(caught.value)
    assert "access_token=***" in str(caught.value)


def test_primary_limit_sleeps_until_reset_before_next_request():
    fake = FakeTime()
    reset = int(fake.now) + 120
    seen_at = []

    def handler(request):
        seen_at.append(fake.now)
        headers = {
            "X-RateLimit-Limit": "5000",
            "X-RateLimit-Remaining": "0" if len(seen_at) == 1 else "4999",
            "X-RateLimit-Reset": str(reset),
            "X-RateLimit-Resource": "core",
        }
        return httpx.Response(200, json=[], headers=headers)

    session, waits = make_session(handler, fake)
    session.get("a")
    session.get("b")
    assert fake.sleeps == [pytest.approx(121.0)]
    assert seen_at[1] >= reset
    assert waits[0][1].startswith("primary rate limit")
    assert session.quota_text() == "4,999/5,000 left"


def test_403_with_spent_quota_waits_for_reset_then_succeeds():
    fake = FakeTime()
    reset = int(fake.now) + 30
    responses = [
        httpx.Response(
            403,
            json={"message": "API rate limit exceeded"},
            headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)},
        ),
        httpx.Response(200, json={"n": 1}, headers={"X-RateLimit-Remaining": "4999", "X-RateLimit-Reset": str(reset)}),
    ]
    session, _ = make_session(lambda r: responses.pop(0), fake)
    assert session.get("x").json() == {"n": 1}
    assert fake.sleeps == [pytest.approx(31.0)]


@pytest.mark.parametrize(
    ("response", "expected_wait"),
    [
        (httpx.Response(429, headers={"Retry-After": "7"}), 7.0),
        (httpx.Response(403, headers={"Retry-After": "3"}, json={"message": "slow down"}), 3.0),
        (httpx.Response(403, json={"message": "You have exceeded a secondary rate limit. Please wait."}), 60.0),
    ],
)
def test_secondary_limits_are_waited_out(response, expected_wait):
    fake = FakeTime()
    responses = [response, httpx.Response(200, json=[1])]
    session, waits = make_session(lambda r: responses.pop(0), fake)
    assert session.get("x").json() == [1]
    assert fake.sleeps == [expected_wait]
    assert "secondary" in waits[0][1] or "429" in waits[0][1]


def test_plain_403_and_404_raise_named_errors_without_the_token():
    fake = FakeTime()
    session, _ = make_session(
        lambda r: httpx.Response(403 if "private" in str(r.url) else 404, json={"message": f"Bad token {TOKEN}"}),
        fake,
    )
    with pytest.raises(Forbidden) as forbidden:
        session.get("repos/acme/private")
    with pytest.raises(NotFound) as missing:
        session.get("repos/acme/gone")
    assert "acme/private" in str(forbidden.value) and "acme/gone" in str(missing.value)
    assert TOKEN not in str(forbidden.value) + str(missing.value)
    assert fake.sleeps == []


def test_link_pagination_follows_next_and_conditional_first_page():
    fake = FakeTime()
    pages = {
        "1": ([1, 2], '<https://api.example.test/items?page=2&per_page=2>; rel="next"'),
        "2": ([3, 4], '<https://api.example.test/items?page=3&per_page=2>; rel="next"'),
        "3": ([5], None),
    }

    def handler(request):
        if request.headers.get("if-none-match") == '"v1"':
            return httpx.Response(304)
        page = request.url.params.get("page", "1")
        items, link = pages[page]
        headers = {"ETag": '"v1"'}
        if link:
            headers["Link"] = link
        return httpx.Response(200, json=items, headers=headers)

    session, _ = make_session(handler, fake)
    got = list(paginate_link(session, "items", params={"per_page": 2}))
    assert [p.items for p in got] == [[1, 2], [3, 4], [5]]
    assert got[0].etag == '"v1"'
    again = list(paginate_link(session, "items", params={"per_page": 2}, etag='"v1"'))
    assert len(again) == 1 and again[0].not_modified and again[0].items == []
    assert session.requests == 4 and session.not_modified == 1


def test_graphql_cursor_pagination_passes_end_cursor():
    fake = FakeTime()
    afters = []

    def handler(request):
        variables = json.loads(request.content)["variables"]
        afters.append(variables["after"])
        last = variables["after"] == "c2"
        cursor = {None: "c1", "c1": "c2", "c2": "c3"}[variables["after"]]
        return httpx.Response(
            200,
            json={
                "data": {
                    "repository": {
                        "items": {"nodes": [{"n": cursor}], "pageInfo": {"hasNextPage": not last, "endCursor": cursor}}
                    }
                }
            },
        )

    session, _ = make_session(handler, fake)
    pages = list(paginate_graphql(session, "query", {"first": 1}, lambda d: d["repository"]["items"]))
    assert afters == [None, "c1", "c2"]
    assert [p.nodes[0]["n"] for p in pages] == ["c1", "c2", "c3"]
    assert pages[-1].has_next is False


def test_redactor_covers_header_value_bare_token_and_url_credentials():
    client = httpx.Client(headers={"Authorization": f"token {TOKEN}"})
    redact = Redactor.for_client(client)
    assert redact(f"failed with {TOKEN} in it") == "failed with *** in it"
    assert TOKEN not in redact.url(f"https://user:{TOKEN}@h.test/x?private_token={TOKEN}&a=1")


def test_real_client_carries_the_token_only_in_its_authorization_header():
    from flowgauge.loaders.http.client import build_client, github_graphql_url

    client = build_client("https://ghe.example.test/api/v3", TOKEN)
    assert client.headers["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in str(client.base_url)
    assert github_graphql_url("https://ghe.example.test/api/v3") == "https://ghe.example.test/api/graphql"
    assert github_graphql_url("https://api.github.com") == "https://api.github.com/graphql"


def test_non_transient_transport_errors_become_one_redacted_line():
    from flowgauge.loaders.http.errors import ApiError

    def handler(request):
        raise httpx.UnsupportedProtocol(f"bad scheme in {TOKEN}", request=request)

    fake = FakeTime()
    session, _ = make_session(handler, fake)
    with pytest.raises(ApiError) as caught:
        session.get("x")
    assert "UnsupportedProtocol" in str(caught.value) and TOKEN not in str(caught.value)
    assert fake.sleeps == []
