"""Repositories loaded at once (--workers): the same snapshot as a sequential load, one quota and secondary-limit
budget shared by the workers, and a failure that stops them all and leaves the snapshot as it was."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest
from fixtures.github.fake_github import FakeRepo, commit, pull, review, user
from fixtures.github.scenario import organisation

from flowgauge.loaders.github.sync import sync_github
from flowgauge.loaders.http.errors import RetriesExhausted
from flowgauge.loaders.http.retry import RetryPolicy
from flowgauge.loaders.http.session import ApiSession
from flowgauge.loaders.http.throttle import Throttle
from flowgauge.loaders.store import write_snapshot
from flowgauge.snapshot import open_snapshot

REPOS = ["acme/payments", "acme/web", "acme/gone", "acme/secret", "acme/api", "acme/docs"]
# Every table a GitHub load writes, and the cursors (without the time they were saved).
TABLES = [
    "repositories",
    "pull_requests",
    "pr_reviews",
    "commits",
    "pr_commits",
    "people",
    "person_aliases",
    "deployments",
    "deployment_statuses",
    "deployment_pull_requests",
    "deployment_commits",
    "releases",
    "workflow_runs",
    "incidents",
    "teams",
    "team_memberships",
    "pr_code_origins",
]


def world():
    """acme with two more repositories sharing people with the others (alice and bob author and review in all)."""
    fake = organisation()
    alice, bob = user("alice", name="Alice Liddell"), user("bob")
    for name, base in (("acme/api", 100), ("acme/docs", 200)):
        fake.repos[name] = FakeRepo(
            pulls=[
                pull(
                    n,
                    created=f"2024-04-{n:02d}T08:00:00Z",
                    updated=f"2024-04-{n:02d}T18:00:00Z",
                    merged=f"2024-04-{n:02d}T17:00:00Z",
                    author=alice if n % 2 else bob,
                    reviews=[review(base * 1000 + n, "APPROVED", f"2024-04-{n:02d}T12:00:00Z", bob, comments=n % 3)],
                    commits=[commit(f"{base:03x}{n:037x}", f"2024-04-{n:02d}T07:00:00Z", login="alice")],
                )
                for n in range(1, 16)
            ]
        )
    return fake


def load(fake, path: Path, workers: int, throttle: Throttle | None = None):
    session = ApiSession(
        fake.client(),
        graphql_url="graphql",
        retry=RetryPolicy(attempts=2),
        sleep=lambda s: None,
        throttle=throttle,
    )
    with write_snapshot(path, resumable=True) as writer:
        return sync_github(session, writer, REPOS, org="acme", page_size=10, workers=workers)


def contents(path: Path) -> dict[str, list[str]]:
    con = open_snapshot(path)
    try:
        found = {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in TABLES}
        found["sync_state"] = sorted(
            map(
                repr,
                con.execute("SELECT source_id, repo_id, stream, cursor, etag, complete FROM sync_state").fetchall(),
            )
        )
        return found
    finally:
        con.close()


def test_four_workers_write_the_same_snapshot_and_summary_as_one(tmp_path):
    one = load(world(), tmp_path / "one.duckdb", workers=1)
    four = load(world(), tmp_path / "four.duckdb", workers=4)
    assert contents(tmp_path / "four.duckdb") == contents(tmp_path / "one.duckdb")
    assert (four.repos_loaded, four.repos_skipped, four.warnings) == (one.repos_loaded, one.repos_skipped, one.warnings)
    assert (four.items, four.notes, four.requests, four.graphql_cost) == (
        one.items,
        one.notes,
        one.requests,
        one.graphql_cost,
    )
    assert four.repos_loaded == ["acme/payments", "acme/web", "acme/api", "acme/docs"]


def test_workers_really_overlap_and_never_exceed_their_number(tmp_path):
    fake = world()
    in_flight, most = [0], [0]
    lock = threading.Lock()
    handle = fake.handle

    def slow(request: httpx.Request) -> httpx.Response:
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        try:
            time.sleep(0.01)
            return handle(request)
        finally:
            with lock:
                in_flight[0] -= 1

    fake.handle = slow
    load(fake, tmp_path / "gh.duckdb", workers=3)
    assert 2 <= most[0] <= 3


def test_a_failure_stops_every_worker_and_leaves_the_snapshot_unchanged(tmp_path):
    path = tmp_path / "gh.duckdb"
    load(world(), path, workers=1)
    before = path.read_bytes()
    fake = world()
    fake.repos["acme/docs"].pulls[0]["updatedAt"] = "2024-09-01T00:00:00Z"  # something to load
    fake.faults.append(lambda r: httpx.Response(500, json={"message": "boom"}) if b'"docs"' in r.content else None)
    with pytest.raises(RetriesExhausted):
        load(fake, path, workers=4)
    assert path.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name != "gh.duckdb" and not p.name.startswith(".")]


def test_throttle_holds_points_per_minute_and_a_pause_for_every_thread():
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    throttle = Throttle(max_in_flight=4, points_per_minute={"core": 3}, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        throttle.acquire("core")
        throttle.release()
    assert slept == []
    throttle.acquire("core")  # the fourth REST request in a minute waits for the first to leave the window
    throttle.release()
    assert slept == [60.0]
    throttle.acquire("graphql")  # another resource has a budget of its own
    throttle.release()
    throttle.pause(30.0)  # GitHub answered someone with Retry-After: 30
    throttle.acquire("graphql")
    throttle.release()
    assert slept == [60.0, 30.0] and throttle.waited_seconds == 90.0


def test_a_secondary_limit_answer_pauses_the_other_workers_too(tmp_path):
    fake = world()
    throttle = Throttle()
    sent: list[float] = []
    limited_at: list[float] = []

    def limited_once(request: httpx.Request):
        sent.append(time.monotonic())
        if not limited_at and request.url.path == "/graphql" and len(sent) > 3:
            limited_at.append(time.monotonic())
            message = {"message": "You have exceeded a secondary rate limit."}
            return httpx.Response(403, json=message, headers={"Retry-After": "1.5"})
        return None

    fake.faults.append(limited_once)
    report = load(fake, tmp_path / "gh.duckdb", workers=4, throttle=throttle)
    assert report.repos_loaded == ["acme/payments", "acme/web", "acme/api", "acme/docs"]
    # No worker sent anything while the pause lasted (a request already past the throttle may just make it).
    during = [t for t in sent if limited_at[0] + 0.2 < t < limited_at[0] + 1.45]
    assert during == [] and len(sent) > len([t for t in sent if t <= limited_at[0]]) + 10
