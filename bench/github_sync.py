"""Benchmark: GitHub sync request economy and wall time against a local fake GitHub (httpx.MockTransport).

10,000 PRs with reviews and commits across 20 repositories, 30% of them with review comments. Prints requests
and GraphQL points (charged by the fake with GitHub's published cost rule) per 1,000 PRs for the pull-request
stream (baseline: the REST plan of one list page per 100 PRs plus one reviews and one commits request per PR),
requests of an unchanged re-sync per stream per repository, and wall times (re-sync as a ratio of the full sync
measured in the same process).

Then the full sync again against fakes that delay every answer by 300-800 ms (seeded), with 1 worker and with
--workers, for the wall time that loading repositories at once saves where it can: waiting on the network.

Run: .venv/bin/python bench/github_sync.py [--prs 10000] [--repos 20] [--workers 4] [--latency-ms 300-800]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fixtures.github.fake_github import FakeGitHub, FakeRepo, commit, pull, review, user  # noqa: E402

from flowgauge.loaders.github.plan import fetch_load_plan  # noqa: E402
from flowgauge.loaders.github.sync import sync_github  # noqa: E402
from flowgauge.loaders.http.session import ApiSession  # noqa: E402
from flowgauge.loaders.http.throttle import Throttle  # noqa: E402
from flowgauge.loaders.store import write_snapshot  # noqa: E402
from flowgauge.snapshot import open_snapshot  # noqa: E402

PEOPLE = [user(f"dev{i}") for i in range(60)] + [user("dependabot", kind="Bot")]


def build(prs: int, repos: int, seed: int = 11) -> FakeGitHub:
    """repos repositories sharing prs PRs; about 0.1% of PRs overflow a nested page of 100 commits (and have 51-80
    reviews); 30% of PRs have review comments, on one or two of their reviews."""
    rng = random.Random(seed)
    fake = FakeGitHub()
    per_repo = prs // repos
    for r in range(repos):
        pulls = []
        for n in range(1, per_repo + 1):
            day = 1 + n % 28
            busy = rng.random() < 0.001
            n_reviews = rng.randint(51, 80) if busy else rng.randint(0, 6)
            n_commits = rng.randint(101, 130) if busy else rng.randint(1, 8)
            author = rng.choice(PEOPLE)
            commented = (
                set(rng.sample(range(n_reviews), min(n_reviews, rng.randint(1, 2)))) if rng.random() < 0.3 else ()
            )
            pulls.append(
                pull(
                    n,
                    created=f"2024-05-{day:02d}T08:00:00Z",
                    updated=f"2024-06-{day:02d}T{n % 24:02d}:{n % 60:02d}:{r % 60:02d}Z",
                    merged=f"2024-05-{day:02d}T15:00:00Z",
                    author=author,
                    reviews=[
                        review(
                            r * 10**7 + n * 100 + i,
                            rng.choice(["APPROVED", "COMMENTED"]),
                            f"2024-05-{day:02d}T1{i % 5}:00:00Z",
                            rng.choice(PEOPLE),
                            comments=rng.randint(1, 5) if i in commented else 0,
                        )
                        for i in range(n_reviews)
                    ],
                    commits=[
                        commit(f"{r:04x}{n:08x}{i:028x}", f"2024-05-{day:02d}T0{i % 8}:00:00Z", login=author["login"])
                        for i in range(n_commits)
                    ],
                    merge_commit={
                        "oid": f"{r:04x}{n:08x}{'f' * 28}",
                        "authoredDate": "2024-05-01T00:00:00Z",
                        "committedDate": "2024-05-01T00:00:00Z",
                        "messageHeadline": f"PR {n}",
                        "parents": {"totalCount": 1},
                    },
                )
            )
        fake.repos[f"bench/repo{r:02d}"] = FakeRepo(pulls=pulls)
    return fake


def rest_baseline_requests(fake: FakeGitHub) -> int:
    """Requests the plain REST plan needs: list pages, then reviews and commits of every PR (100 per page)."""
    total = 0
    for repo in fake.repos.values():
        total += math.ceil(len(repo.pulls) / 100)
        for pr in repo.pulls:
            total += max(1, math.ceil(len(pr["reviews"]) / 100)) + max(1, math.ceil(len(pr["commits"]) / 100))
    return total


PR_STREAM = ("Pulls", "PullReviews", "PullCommits", "PullExtras", "ReviewCommentCounts")


@dataclass
class Timing:
    """One sync's wall seconds, and the CPU seconds of the load itself: the process's, less the fake's answering."""

    wall_s: float
    load_cpu_s: float


def timed_sync(fake: FakeGitHub, path: Path, workers: int = 1) -> tuple[Timing, Counter, Counter]:
    """(timing, requests per stream, GraphQL points per operation, charged by the fake with GitHub's published cost
    rule) of one sync."""
    session = ApiSession(fake.client(), graphql_url="graphql", sleep=lambda s: None, throttle=Throttle())
    fake.log.clear()
    points_before = Counter(fake.points_by_operation)
    fake_cpu = _count_cpu(fake)
    started, cpu = time.perf_counter(), time.process_time()
    with write_snapshot(path, resumable=True) as writer:
        report = sync_github(session, writer, sorted(fake.repos), workers=workers)
    timing = Timing(time.perf_counter() - started, time.process_time() - cpu - sum(fake_cpu))
    streams = Counter(_stream(line) for line in fake.log)
    points = fake.points_by_operation - points_before
    assert report.graphql_cost == points.total(), (report.graphql_cost, points)  # counted is what was charged
    return timing, streams, points


def _count_cpu(fake: FakeGitHub) -> list[float]:
    """The CPU seconds fake spends answering from now on (each answer's thread time), in a list that grows."""
    spent: list[float] = []
    handle = getattr(fake, "_uncounted_handle", fake.handle)
    fake._uncounted_handle = handle

    def counted(request):
        started = time.thread_time()
        try:
            return handle(request)
        finally:
            spent.append(time.thread_time() - started)

    fake.handle = counted
    return spent


def with_latency(fake: FakeGitHub, low_ms: int, high_ms: int, seed: int = 3) -> None:
    """Every answer of fake delayed by a seeded draw in [low_ms, high_ms], as a distant API would be."""
    rng = random.Random(seed)
    lock = threading.Lock()
    handle = fake.handle

    def slow(request):
        with lock:
            delay = rng.uniform(low_ms, high_ms) / 1000
        time.sleep(delay)
        return handle(request)

    fake.handle = slow
    fake._uncounted_handle = slow


def _stream(line: str) -> str:
    if line.startswith(("graphql", "dry-run")):
        return line.split()[1]
    path = line.split()[1].split("?")[0]
    return path.split("/")[4] if path.count("/") >= 4 else path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prs", type=int, default=10_000)
    parser.add_argument("--repos", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4, help="workers of the parallel run (against 1)")
    parser.add_argument("--latency-ms", default="300-800", help="per-request latency of the parallel runs; 0 skips")
    args = parser.parse_args()
    print(f"load average (1, 5, 15 min) at the start: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    fake = build(args.prs, args.repos)
    n_prs = sum(len(r.pulls) for r in fake.repos.values())
    busy = sum(1 for r in fake.repos.values() for p in r.pulls if len(p["reviews"]) > 100 or len(p["commits"]) > 100)
    commented = sum(
        1 for r in fake.repos.values() for p in r.pulls if any(v["comments"]["totalCount"] for v in p["reviews"])
    )
    baseline = rest_baseline_requests(fake)
    plan = fetch_load_plan(ApiSession(fake.client(), graphql_url="graphql"), sorted(fake.repos))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.duckdb"
        full_s, full, full_points = timed_sync(fake, path)
        con = open_snapshot(path)
        loaded_comments = con.execute("SELECT sum(comment_count) FROM pr_reviews").fetchone()[0]
        con.close()
        again_s, again, again_points = timed_sync(fake, path)
    comments = sum(v["comments"]["totalCount"] for r in fake.repos.values() for p in r.pulls for v in p["reviews"])
    assert loaded_comments == comments, (loaded_comments, comments)  # the cheaper query loads the same counts
    pr_requests = sum(full[name] for name in PR_STREAM)
    pr_points = sum(full_points[name] for name in PR_STREAM)
    print(
        f"{n_prs:,} PRs in {args.repos} repositories ({busy} with more than 100 reviews or commits, "
        f"{commented:,} with review comments)"
    )
    print(
        f"full sync, pull-request stream: {pr_requests:,} requests = {1000 * pr_requests / n_prs:.1f} per 1,000 PRs; "
        f"{pr_points:,} GraphQL points = {1000 * pr_points / n_prs:.1f} GraphQL points per 1,000 PRs"
    )
    print(
        f"  requests: { {name: full[name] for name in PR_STREAM} }; points: { {n: full_points[n] for n in PR_STREAM} }"
    )
    print(
        f"  baseline REST plan: {baseline:,} requests = {1000 * baseline / n_prs:.1f} per 1,000 PRs; "
        f"GraphQL uses {pr_requests / baseline:.4f}x the baseline"
    )
    spent = full_points.total()
    print(
        f"plan (--plan) before the full sync: {plan.prs:,} PRs, estimate {plan.points:,} points "
        f"(range {plan.points_range[0]:,}-{plan.points_range[1]:,}); the sync spent {spent:,} "
        f"({dict(sorted(full_points.items()))}): estimate off by {100 * (plan.points - spent) / spent:+.1f}%"
    )
    print(f"full sync, all streams: {sum(full.values()):,} requests: {dict(sorted(full.items()))}")
    per_repo = {stream: count / args.repos for stream, count in sorted(again.items())}
    print(f"unchanged re-sync: {sum(again.values()):,} requests; per stream per repository: {per_repo}")
    print(f"  GraphQL points of the unchanged re-sync: {again_points.total():,} ({dict(sorted(again_points.items()))})")
    print(
        f"wall time: full sync {full_s.wall_s:.2f} s; unchanged re-sync {again_s.wall_s:.2f} s = "
        f"{again_s.wall_s / full_s.wall_s:.3f}x full sync"
    )
    pages = n_prs / 100
    print(
        f"CPU of the load itself (the process's, less the fake's answering): full sync {full_s.load_cpu_s:.2f} s = "
        f"{1000 * full_s.load_cpu_s / pages:.0f} ms per page of 100 PRs; unchanged re-sync {again_s.load_cpu_s:.2f} s"
    )
    if args.latency_ms != "0":
        low, high = (int(x) for x in args.latency_ms.split("-"))
        times = {}
        for workers in (1, args.workers):
            slow = build(args.prs, args.repos)
            with_latency(slow, low, high)
            with tempfile.TemporaryDirectory() as folder:
                times[workers], _, _ = timed_sync(slow, Path(folder) / "bench.duckdb", workers=workers)
        one, many = times[1], times[args.workers]
        print(
            f"full sync with {low}-{high} ms per request: 1 worker {one.wall_s:.1f} s "
            f"(load CPU {one.load_cpu_s:.1f} s); {args.workers} workers {many.wall_s:.1f} s "
            f"(load CPU {many.load_cpu_s:.1f} s) = "
            f"{one.wall_s / many.wall_s:.2f}x faster"
        )
    print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
