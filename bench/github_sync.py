"""Benchmark: GitHub sync request economy and wall time against a local fake GitHub (httpx.MockTransport).

10,000 PRs with reviews and commits across 20 repositories. Prints requests per 1,000 PRs for the
pull-request stream (baseline: the REST plan of one list page per 100 PRs plus one reviews and one
commits request per PR), requests of an unchanged re-sync per stream per repository, and wall times
(re-sync as a ratio of the full sync measured in the same process).

Run: .venv/bin/python bench/github_sync.py [--prs 10000] [--repos 20]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fixtures.github.fake_github import FakeGitHub, FakeRepo, commit, pull, review, user  # noqa: E402

from flowgauge.loaders.github.sync import sync_github  # noqa: E402
from flowgauge.loaders.http.session import ApiSession  # noqa: E402
from flowgauge.loaders.store import write_snapshot  # noqa: E402

PEOPLE = [user(f"dev{i}") for i in range(60)] + [user("dependabot", kind="Bot")]


def build(prs: int, repos: int, seed: int = 11) -> FakeGitHub:
    """repos repositories sharing prs PRs; about 0.1% of PRs overflow a nested page (50 reviews, 100 commits)."""
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


def timed_sync(fake: FakeGitHub, path: Path) -> tuple[float, Counter, int]:
    """(seconds, requests per stream, GraphQL points by GitHub's published cost rule) of one sync."""
    session = ApiSession(fake.client(), graphql_url="graphql", sleep=lambda s: None)
    fake.log.clear()
    started = time.perf_counter()
    with write_snapshot(path, resumable=True) as writer:
        report = sync_github(session, writer, sorted(fake.repos))
    elapsed = time.perf_counter() - started
    streams = Counter(_stream(line) for line in fake.log)
    return elapsed, streams, report.graphql_cost


def _stream(line: str) -> str:
    if line.startswith("graphql"):
        return line.split()[1]
    path = line.split()[1].split("?")[0]
    return path.split("/")[4] if path.count("/") >= 4 else path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prs", type=int, default=10_000)
    parser.add_argument("--repos", type=int, default=20)
    args = parser.parse_args()
    fake = build(args.prs, args.repos)
    n_prs = sum(len(r.pulls) for r in fake.repos.values())
    busy = sum(1 for r in fake.repos.values() for p in r.pulls if len(p["reviews"]) > 50 or len(p["commits"]) > 100)
    baseline = rest_baseline_requests(fake)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.duckdb"
        full_s, full, full_points = timed_sync(fake, path)
        again_s, again, again_points = timed_sync(fake, path)
    pr_requests = full["Pulls"] + full["PullReviews"] + full["PullCommits"]
    print(f"{n_prs:,} PRs in {args.repos} repositories ({busy} with more than 50 reviews or 100 commits)")
    print(
        f"full sync, pull-request stream: {pr_requests:,} requests = {1000 * pr_requests / n_prs:.1f} per 1,000 PRs "
        f"(Pulls {full['Pulls']}, review follow-ups {full['PullReviews']}, commit follow-ups {full['PullCommits']})"
    )
    print(
        f"  baseline REST plan: {baseline:,} requests = {1000 * baseline / n_prs:.1f} per 1,000 PRs; "
        f"GraphQL uses {pr_requests / baseline:.4f}x the baseline"
    )
    print(f"  GraphQL cost of the Pulls pages: {full_points:,} points = {1000 * full_points / n_prs:.0f} per 1,000 PRs")
    print(f"full sync, all streams: {sum(full.values()):,} requests: {dict(sorted(full.items()))}")
    per_repo = {stream: count / args.repos for stream, count in sorted(again.items())}
    print(f"unchanged re-sync: {sum(again.values()):,} requests; per stream per repository: {per_repo}")
    print(f"  GraphQL cost of the unchanged re-sync's PR probes: {again_points:,} points")
    print(f"wall time: full sync {full_s:.2f} s; unchanged re-sync {again_s:.2f} s = {again_s / full_s:.3f}x full sync")


if __name__ == "__main__":
    main()
