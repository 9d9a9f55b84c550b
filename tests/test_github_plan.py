"""`flowgauge snapshot github --plan` and the load plan: PRs counted cheaply, points and hours, the estimate held to
what a full sync then spends against the fake GitHub (which charges GitHub's published cost rule)."""

from __future__ import annotations

import random

import httpx
import pytest
from fixtures.github.fake_github import FakeGitHub, FakeRepo, commit, pull, review, user
from fixtures.github.scenario import organisation
from typer.testing import CliRunner

from flowgauge.cli import api_commands
from flowgauge.cli.main import app
from flowgauge.loaders.github.plan import fetch_load_plan
from flowgauge.loaders.github.sync import sync_github
from flowgauge.loaders.http.session import ApiSession
from flowgauge.loaders.store import write_snapshot

TOKEN = "ghp_PLANTEST9876543210zyxwvutsrqponmlkji"
API = "https://api.github.test"


@pytest.fixture
def fake(monkeypatch):
    world = organisation()

    def factory(api_url: str, token: str | None) -> httpx.Client:
        return httpx.Client(
            base_url=api_url.rstrip("/") + "/",
            headers={"Authorization": f"Bearer {token}"},
            transport=httpx.MockTransport(world.handle),
        )

    monkeypatch.setattr(api_commands, "client_factory", factory)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    return world


def invoke(*args: str):
    return CliRunner().invoke(app, ["snapshot", "github", *args, "--api-url", API])


def test_plan_counts_an_orgs_pull_requests_estimates_points_and_hours_and_writes_nothing(fake, tmp_path):
    out = tmp_path / "gh.duckdb"
    result = invoke("--org", "acme", "--plan", "--out", str(out))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # acme/payments has 5 PRs, acme/web 23: one page each; acme/secret is forbidden to the token.
    assert lines[0] == "2 repositories, 28 pull requests to fetch in 2 pages of up to 100"
    # Each page costs 7 points (its dry run), each repository a page of tags; comment counts up to 1 more each.
    assert lines[1] == "about 18 GraphQL points (16-20; 7 a page)"
    assert lines[2].startswith("about 0.0 hours of this token's quota (5,000 points an hour; ")
    assert "1 not visible to this token, left out: acme/secret" in lines
    assert not out.exists()
    assert not fake.count("graphql Pulls ") and fake.count("dry-run Pulls ") == 1  # a page costed, none fetched
    assert TOKEN not in result.output


def test_plan_respects_since_through_search_counts(fake, tmp_path):
    result = invoke("acme/payments", "acme/web", "--since", "2024-03-03", "--plan", "--out", str(tmp_path / "x.duckdb"))
    assert result.exit_code == 0, result.output
    # payments #2 (updated 03-03), #3 (03-05), #5 (03-06) and #4 (03-08); web's PRs were all updated on 2024-02-01.
    assert result.stdout.splitlines()[0] == (
        "2 repositories, 4 pull requests updated since 2024-03-03 to fetch in 2 pages of up to 100"
    )
    counting = [line for line in fake.log if line.startswith("graphql PullCounts")]
    assert len(counting) == 1 and "repo:acme/web is:pr updated:>=2024-03-03" in counting[0]


def test_plan_after_a_load_counts_only_what_changed_since(fake, tmp_path):
    out = tmp_path / "gh.duckdb"
    assert invoke("acme/payments", "acme/web", "--out", str(out)).exit_code == 0
    fake.repos["acme/web"].pulls[0]["updatedAt"] = "2024-06-01T00:00:00Z"
    before = out.read_bytes()
    result = invoke("acme/payments", "acme/web", "--plan", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "2 repositories, 1 pull requests changed since the last load to fetch in 2 pages of up to 100"
    )
    assert out.read_bytes() == before


def test_a_first_load_shows_the_estimate_and_a_re_run_does_not_ask_for_one(fake, tmp_path):
    out = tmp_path / "gh.duckdb"
    first = invoke("acme/payments", "acme/web", "--out", str(out))
    assert first.exit_code == 0, first.output
    text = " ".join(first.output.split())
    assert "2 repositories, 28 pull requests to fetch" in text and "GraphQL points (estimate 18)" in text
    fake.log.clear()
    again = invoke("acme/payments", "acme/web", "--out", str(out))
    assert again.exit_code == 0, again.output
    assert "estimate" not in again.output and not fake.count("graphql PullCounts")


def world(repos: int = 3, prs: int = 250, seed: int = 5) -> FakeGitHub:
    """repos repositories of prs PRs each: 0-4 reviews, 30% of PRs with review comments, 1-3 commits."""
    rng = random.Random(seed)
    people = [user(f"dev{i}") for i in range(12)]
    fake = FakeGitHub()
    for r in range(repos):
        pulls = []
        for n in range(1, prs + 1):
            reviews = rng.randint(0, 4)
            commented = rng.random() < 0.3
            pulls.append(
                pull(
                    n,
                    created="2024-05-01T08:00:00Z",
                    updated=f"2024-06-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00Z",
                    merged="2024-05-02T08:00:00Z",
                    author=rng.choice(people),
                    reviews=[
                        review(
                            r * 10**6 + n * 10 + i,
                            "COMMENTED",
                            "2024-05-01T12:00:00Z",
                            rng.choice(people),
                            comments=rng.randint(1, 3) if commented and i == 0 else 0,
                        )
                        for i in range(reviews)
                    ],
                    commits=[
                        commit(f"{r:02x}{n:06x}{i:032x}", "2024-05-01T07:00:00Z") for i in range(rng.randint(1, 3))
                    ],
                )
            )
        fake.repos[f"big/repo{r}"] = FakeRepo(pulls=pulls)
    return fake


def test_the_estimate_is_within_20_percent_of_what_a_full_sync_spends(tmp_path):
    fake = world()
    session = ApiSession(fake.client(), graphql_url="graphql", sleep=lambda s: None)
    plan = fetch_load_plan(session, sorted(fake.repos))
    assert (plan.prs, plan.pages) == (750, 9)
    spent_before = fake.points_spent
    with write_snapshot(tmp_path / "big.duckdb", resumable=True) as writer:
        report = sync_github(session, writer, sorted(fake.repos))
    spent = fake.points_spent - spent_before
    assert report.graphql_cost == spent
    assert abs(plan.points - spent) <= 0.2 * spent, (plan.points, spent)
    low, high = plan.points_range
    assert low <= spent <= high


def test_plan_of_repositories_the_token_cannot_see_says_so_and_costs_no_dry_run(fake, tmp_path):
    result = invoke("acme/gone", "acme/secret", "--plan", "--out", str(tmp_path / "x.duckdb"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        "0 repositories, 0 pull requests to fetch in 0 pages of up to 100",
        "about 0 GraphQL points (0-0; 0 a page)",
    ]
    assert "2 not visible to this token, left out: acme/gone, acme/secret" in lines
    assert not fake.count("dry-run")
