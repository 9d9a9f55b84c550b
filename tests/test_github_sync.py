"""sync_github end to end against an in-memory GitHub: canonical rows, incremental re-runs, resume, faults."""

from __future__ import annotations

import json
import random
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from fixtures.github.fake_github import deployment_status, pull
from fixtures.github.scenario import organisation

from flowgauge.loaders.github.sync import sync_github
from flowgauge.loaders.http.errors import RetriesExhausted
from flowgauge.loaders.http.retry import RetryPolicy
from flowgauge.loaders.http.session import ApiSession
from flowgauge.loaders.store import write_snapshot
from flowgauge.snapshot import open_snapshot

REPOS = ["acme/payments", "acme/web", "acme/gone", "acme/secret"]
TOKEN = "ghp_SYNCTEST0123456789abcdefghijklmnop"
# Small GraphQL pages keep the world small while still paging: acme/web has 23 PRs, three pages. Nested pages of
# 50 reviews keep the follow-up of acme/payments#4's 60 reviews exercised.
PAGE_SIZE = 10
NESTED_REVIEWS = 50


def run(fake, path: Path, repos=REPOS, sleeps: list[float] | None = None, **kwargs):
    session = ApiSession(
        fake.client(TOKEN),
        graphql_url="graphql",
        retry=RetryPolicy(attempts=3, rng=random.Random(0)),
        sleep=(sleeps.append if sleeps is not None else lambda s: None),
        clock=lambda: 1_700_000_000.0,
    )
    fake.log.clear()
    with write_snapshot(path, resumable=True) as writer:
        report = sync_github(
            session, writer, repos, org="acme", page_size=PAGE_SIZE, nested_reviews=NESTED_REVIEWS, **kwargs
        )
    return report


def rows(path: Path, sql: str, params=()) -> list[tuple]:
    con = open_snapshot(path)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def dump(path: Path) -> dict[str, list[tuple]]:
    tables = [
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
        "repositories",
    ]
    return {t: sorted(map(repr, rows(path, f"SELECT * FROM {t}"))) for t in tables}


@pytest.fixture
def synced(tmp_path):
    """A fresh first sync, for tests that change the world and sync again."""
    fake = organisation()
    path = tmp_path / "gh.duckdb"
    report = run(fake, path)
    return fake, path, report


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """One first sync shared by the tests that only read its rows."""
    fake = organisation()
    path = tmp_path_factory.mktemp("gh") / "gh.duckdb"
    report = run(fake, path)
    return fake, path, report


def test_pull_requests_carry_merge_styles_reviews_and_drafts(loaded):
    _, path, _ = loaded
    got = {
        r[0]: r[1:]
        for r in rows(
            path,
            "SELECT number, state, merge_method, author_id, is_draft, ready_for_review_at::VARCHAR, "
            "first_review_at::VARCHAR, first_approval_at::VARCHAR, first_commit_at::VARCHAR, issue_keys, labels, "
            "lines_added, merge_commit_sha FROM pull_requests WHERE repo_id = 'acme/payments'",
        )
    }
    assert got[1] == (
        "merged",
        "squash",
        "alice",
        False,
        "2024-03-01 10:00:00",
        "2024-03-01 12:00:00",
        "2024-03-02 09:00:00",
        "2024-02-29 16:00:00",
        ["PAY-12", "acme/payments#7"],
        ["feature"],
        30,
        "m" * 39 + "1",
    )
    assert got[2][:4] == ("merged", "rebase", "dependabot[bot]", False)
    assert got[2][6] == "2024-03-03 09:30:00"  # approval by a deleted account still counts
    assert got[3][:4] == ("merged", "merge", None, False)  # deleted author -> NULL
    assert got[4][:5] == ("open", None, "renovate[bot]", True, None)  # still a first draft
    assert got[5][:3] == ("closed", None, "bob")


def test_reviews_map_states_skip_pending_and_follow_nested_pages(loaded):
    fake, path, _ = loaded
    states = rows(
        path,
        "SELECT review_id, reviewer_id, state, comment_count FROM pr_reviews "
        "WHERE pr_id IN ('acme/payments#1', 'acme/payments#2', 'acme/payments#3') ORDER BY review_id",
    )
    assert states == [
        ("101", "bob", "commented", 2),
        ("102", "carol", "changes_requested", 1),
        ("103", "carol", "approved", 0),
        ("201", None, "approved", 0),
        ("301", "bob", "dismissed", 0),
    ]
    # PR 4 has 60 reviews and 105 commits: one extra query each beyond the nested pages of 50 and 100.
    assert rows(path, "SELECT count(*) FROM pr_reviews WHERE pr_id = 'acme/payments#4'") == [(60,)]
    assert rows(path, "SELECT count(*) FROM pr_commits WHERE pr_id = 'acme/payments#4'") == [(105,)]
    assert rows(path, "SELECT count(*) FROM pull_requests WHERE repo_id = 'acme/web'") == [(23,)]


def test_request_plan_of_a_first_run(tmp_path):
    fake = organisation()
    run(fake, tmp_path / "gh.duckdb")
    # acme/web has 23 PRs: three pages of 10. acme/payments needs one page plus one follow-up each
    # for PR 4's second page of reviews and of commits.
    assert fake.count('graphql Pulls {"after"') == 3 + 1 + 2  # web, payments, gone, secret
    assert fake.count("graphql PullReviews") == 1 and fake.count("graphql PullCommits") == 1
    assert fake.count("GET /repos/acme/payments/deployments/") == 3  # statuses of the 3 production deployments


def test_people_flag_bots_and_keep_deleted_accounts_out(loaded):
    _, path, _ = loaded
    people = dict((r[0], r[1:]) for r in rows(path, "SELECT person_id, is_bot, bot_reason, display_name FROM people"))
    assert people["dependabot[bot]"][:2] == (True, "github type Bot")
    assert people["renovate[bot]"][:2] == (True, "[bot] suffix")
    assert people["alice"] == (False, None, "Alice Liddell")
    assert "ghost" not in people
    assert rows(path, "SELECT person_id FROM person_aliases WHERE alias = 'alice@example.test'") == [("alice",)]
    # The commit by 'ghost' (a deleted account) has no author.
    assert rows(path, "SELECT author_id FROM commits WHERE sha = ?", ["c" * 39 + "1"]) == [(None,)]


def test_deployments_statuses_and_links(loaded):
    _, path, _ = loaded
    deployments = rows(
        path,
        "SELECT deployment_id, environment, status, deploy_kind, finished_at::VARCHAR, "
        "detection_rule, is_approximate FROM deployments WHERE repo_id = 'acme/payments' "
        "ORDER BY deployment_id",
    )
    assert deployments == [
        (
            "acme/payments:deploy:11",
            "production",
            "success",
            "regular",
            "2024-03-02 12:10:00",
            "deployments_api",
            False,
        ),
        (
            "acme/payments:deploy:12",
            "production",
            "failure",
            "regular",
            "2024-03-03 11:05:00",
            "deployments_api",
            False,
        ),
        ("acme/payments:deploy:13", "production", "in_progress", "hotfix", None, "deployments_api", False),
    ]  # the staging deployment 14 is not production under the default rules
    history = rows(
        path,
        "SELECT status FROM deployment_statuses WHERE deployment_id = 'acme/payments:deploy:11' ORDER BY status_at",
    )
    assert history == [("in_progress",), ("success",), ("inactive",)]
    links = rows(
        path,
        "SELECT deployment_id, pr_id, link_rule FROM deployment_pull_requests "
        "WHERE deployment_id LIKE 'acme/payments%' ORDER BY 1, 2",
    )
    assert links == [("acme/payments:deploy:11", "acme/payments#1", "commit_ancestry")]
    shipped = rows(
        path, "SELECT sha FROM deployment_commits WHERE deployment_id = 'acme/payments:deploy:11' ORDER BY 1"
    )
    assert shipped == [("a" * 39 + "1",), ("a" * 39 + "2",), ("m" * 39 + "1",)]
    # acme/web has no deployments, releases or runs: merges to main stand in, marked approximate.
    assert rows(
        path,
        "SELECT count(*), bool_and(is_approximate), min(detection_rule) FROM deployments WHERE repo_id = 'acme/web'",
    ) == [(23, True, "merged_to_branch")]


def test_releases_tags_runs_incidents_teams(loaded):
    _, path, _ = loaded
    assert rows(path, "SELECT tag_name, sha, is_bare_tag, published_at::VARCHAR FROM releases ORDER BY 1") == [
        ("v0.9.0", "e" * 40, True, "2024-02-20 10:00:00"),
        ("v1.0.0", "m" * 39 + "1", False, "2024-03-02 11:30:00"),  # the draft release v1.1.0-rc1 is left out
    ]
    assert rows(
        path, "SELECT run_id, name, status, conclusion, finished_at::VARCHAR FROM workflow_runs ORDER BY 1"
    ) == [
        ("acme/payments:run:501", "CI", "completed", "success", "2024-03-02 11:09:00"),
        ("acme/payments:run:502", "Deploy production", "in_progress", None, None),
    ]
    assert rows(path, "SELECT incident_id, severity, opened_at::VARCHAR, resolved_at::VARCHAR FROM incidents") == [
        ("github:acme/payments#40", "SEV1", "2024-03-03 11:20:00", "2024-03-03 13:00:00")
    ]
    assert rows(path, "SELECT team_id, parent_team_id FROM teams ORDER BY 1") == [
        ("payments", "platform"),
        ("platform", None),
    ]
    assert rows(path, "SELECT person_id, team_id, valid_from::VARCHAR FROM team_memberships ORDER BY 1") == [
        ("alice", "platform", "1970-01-01 00:00:00"),
        ("bob", "platform", "1970-01-01 00:00:00"),
        ("carol", "payments", "1970-01-01 00:00:00"),
    ]


def test_missing_and_forbidden_repos_are_skipped_with_warnings(loaded):
    _, path, report = loaded
    assert report.repos_loaded == ["acme/payments", "acme/web"]
    assert set(report.repos_skipped) == {"acme/gone", "acme/secret"}
    assert "Could not resolve" in report.repos_skipped["acme/gone"]
    assert "not accessible" in report.repos_skipped["acme/secret"]
    assert rows(path, "SELECT count(*) FROM pull_requests WHERE repo_id IN ('acme/gone', 'acme/secret')") == [(0,)]
    detail = rows(path, "SELECT detail FROM sources WHERE source_id = 'github:acme'")[0][0]
    assert "acme/secret" in detail


def test_unchanged_rerun_makes_one_request_per_stream_per_repo(synced):
    fake, path, _ = synced
    before = dump(path)
    report = run(fake, path)  # second run: everything unchanged except it re-asks open items
    per_repo = [line for line in fake.log if "acme/payments" in line or '"payments"' in line]
    # Pulls, deployments, statuses of the still-running deployment 13, releases, tags, runs, incidents.
    assert len(per_repo) == 7
    assert any("deployments/13/statuses" in line for line in per_repo)
    assert fake.count("graphql PullReviews") == fake.count("graphql PullCommits") == 0
    assert report.items.get("pull_requests", 0) == 0
    assert dump(path) == before
    # A third run asks the same bounded questions, so the ETags now answer 304 (free of quota).
    run(fake, path)
    web = [line for line in fake.log if "/acme/web/" in line or '"web"' in line]
    assert len(web) == 6


def test_changed_pr_and_finished_deployment_are_picked_up(synced):
    fake, path, _ = synced
    repo = fake.repos["acme/payments"]
    repo.pulls[4] = pull(
        5,
        created="2024-03-06T09:00:00Z",
        updated="2024-03-09T10:00:00Z",
        state="OPEN",
        author={"__typename": "User", "login": "bob", "name": None},
        title="Reopened",
    )
    repo.statuses[13].append(deployment_status(9, "success", "2024-03-05T10:20:00Z"))
    run(fake, path)
    # The probe saw one changed PR, so the full query asked for it plus the first unchanged one.
    payments = [line for line in fake.log if line.startswith("graphql Pulls ") and '"payments"' in line]
    assert len(payments) == 1 and '"first": 2,' in payments[0]
    assert rows(path, "SELECT state, title FROM pull_requests WHERE pr_id = 'acme/payments#5'") == [
        ("open", "Reopened")
    ]
    assert rows(
        path,
        "SELECT status, finished_at::VARCHAR FROM deployments WHERE deployment_id = ?",
        ["acme/payments:deploy:13"],
    ) == [("success", "2024-03-05 10:20:00")]
    # Now successful, deployment 13 ships what merged since deployment 11 (PR 3 exactly, PR 2 by time).
    assert rows(
        path,
        "SELECT pr_id, link_rule FROM deployment_pull_requests WHERE deployment_id = ? ORDER BY 1",
        ["acme/payments:deploy:13"],
    ) == [("acme/payments#2", "merged_since_previous"), ("acme/payments#3", "commit_ancestry")]


def test_interrupted_run_resumes_from_stored_cursor_and_matches_a_clean_run(tmp_path):
    clean = tmp_path / "clean.duckdb"
    run(organisation(), clean)

    fake = organisation()
    path = tmp_path / "resumed.duckdb"
    pulls_seen = []

    def drop_after_two_pages(request: httpx.Request):
        if request.url.path == "/graphql" and b"query Pulls(" in request.content and b'"web"' in request.content:
            pulls_seen.append(request)
            if len(pulls_seen) > 2:
                raise httpx.ConnectError("connection reset", request=request)
        return None

    fake.faults.append(drop_after_two_pages)
    with pytest.raises(RetriesExhausted):
        run(fake, path)
    assert not path.exists()  # nothing published: there was no snapshot before
    fake.faults.clear()
    run(fake, path)
    web_pulls = [line for line in fake.log if line.startswith("graphql Pulls") and '"web"' in line]
    assert len(web_pulls) == 1 and '"after": null' not in web_pulls[0]  # resumed at page 3, no probe
    # acme/payments had finished before the failure: one cheap probe shows nothing changed.
    payments = [line for line in fake.log if line.startswith("graphql") and '"payments"' in line]
    assert payments == ['graphql PullsProbe {"name": "payments", "owner": "acme"}', *payments[1:]]
    assert not any(line.startswith("graphql Pulls ") for line in payments)
    assert dump(path) == dump(clean)


def test_rate_limits_and_502_during_a_sync_are_waited_out(tmp_path):
    fake = organisation()
    answers = iter(
        [
            httpx.Response(502, text="Bad Gateway"),
            httpx.Response(403, json={"message": "You have exceeded a secondary rate limit."}),
            httpx.Response(429, headers={"Retry-After": "30"}),
        ]
    )

    def flaky(request):
        if "releases" in request.url.path:
            return next(answers, None)
        return None

    fake.faults.append(flaky)
    sleeps: list[float] = []
    run(fake, tmp_path / "gh.duckdb", sleeps=sleeps)
    assert 60.0 in sleeps and 30.0 in sleeps
    assert rows(tmp_path / "gh.duckdb", "SELECT count(*) FROM releases WHERE NOT is_bare_tag") == [(1,)]


def test_graphql_partial_errors_are_reported_per_pull_request(tmp_path):
    fake = organisation()
    original = fake._graphql

    def with_partial_error(query, variables):
        body = original(query, variables)
        if "query Pulls(" in query and variables["name"] == "payments":
            body["data"]["repository"]["pullRequests"]["nodes"][0]["commits"] = None
            body["errors"] = [
                {
                    "type": "SERVICE_UNAVAILABLE",
                    "message": "timedout computing commits",
                    "path": ["repository", "pullRequests", "nodes", 0, "commits"],
                }
            ]
        return body

    fake._graphql = with_partial_error
    report = run(fake, tmp_path / "gh.duckdb")
    assert any(w.startswith("acme/payments#4: GraphQL returned partial data") for w in report.warnings)
    assert rows(tmp_path / "gh.duckdb", "SELECT count(*) FROM pull_requests WHERE pr_id = 'acme/payments#4'") == [(1,)]


def test_token_never_reaches_messages_or_the_snapshot(tmp_path):
    fake = organisation()
    fake.faults.append(lambda r: httpx.Response(500, text=f"echo {r.headers['Authorization']}"))
    with pytest.raises(RetriesExhausted) as failure:
        run(fake, tmp_path / "gh.duckdb")
    assert TOKEN not in str(failure.value)
    fake.faults.clear()
    run(fake, tmp_path / "gh.duckdb")
    assert TOKEN.encode() not in (tmp_path / "gh.duckdb").read_bytes()


def test_progress_events_count_items_with_total_and_quota(tmp_path):
    fake = organisation()
    events = []
    run(fake, tmp_path / "gh.duckdb", repos=["acme/web"], progress=events.append)
    web = [e for e in events if e.repo_id == "acme/web" and e.stream == "pull_requests"]
    assert [(e.items, e.total, e.finished) for e in web] == [(10, 23, False), (20, 23, False), (23, 23, True)]
    assert web[-1].quota == "4,999/5,000 left"
    assert {e.stream for e in events} >= {"pull_requests", "deployments", "releases", "tags", "workflow_runs", "teams"}


def test_since_skips_pull_requests_updated_before_it(tmp_path):
    from datetime import datetime

    path = tmp_path / "gh.duckdb"
    run(organisation(), path, repos=["acme/web"], since=datetime(2024, 2, 1, 0, 10))
    assert rows(path, "SELECT count(*), min(number) FROM pull_requests") == [(13, 11)]


def test_pages_too_heavy_for_github_are_asked_again_with_smaller_nested_pages(tmp_path):
    fake = organisation()

    def times_out_when_heavy(request: httpx.Request):
        body = json.loads(request.content) if request.url.path == "/graphql" else {}
        if "query Pulls(" in body.get("query", "") and body["variables"]["reviews"] == 50:
            return httpx.Response(502, json={"message": "Something went wrong while executing your query. Timeout."})
        return None

    fake.faults.append(times_out_when_heavy)
    path = tmp_path / "gh.duckdb"
    report = run(fake, path, repos=["acme/payments"])
    assert any("nested pages cut to 25" in w for w in report.warnings)
    assert rows(path, "SELECT count(*) FROM pr_reviews WHERE pr_id = 'acme/payments#4'") == [(60,)]
    assert fake.count("graphql PullReviews") == 2  # 60 reviews at 25 a page: two follow-ups


def test_since_stops_newest_first_lists_at_older_items(tmp_path):
    from datetime import datetime

    path = tmp_path / "gh.duckdb"
    run(organisation(), path, repos=["acme/payments"], since=datetime(2024, 3, 3))
    assert rows(path, "SELECT deployment_id FROM deployments ORDER BY 1") == [
        ("acme/payments:deploy:12",),
        ("acme/payments:deploy:13",),
    ]
    assert rows(path, "SELECT count(*) FROM releases WHERE NOT is_bare_tag") == [(0,)]  # v1.0.0 is from 2024-03-02


def test_commit_rows_from_git_are_not_replaced(tmp_path):
    path = tmp_path / "gh.duckdb"
    sha = "a" * 39 + "1"
    with write_snapshot(path) as writer:
        writer.upsert(
            "commits",
            [
                {
                    "repo_id": "acme/payments",
                    "sha": sha,
                    "author_id": "alice",
                    "authored_at": datetime(2024, 2, 29, 16),
                    "committed_at": datetime(2024, 2, 29, 16),
                    "lines_added": 7,
                    "lines_deleted": 1,
                    "files_changed": 2,
                    "parent_shas": ["p" * 40],
                    "subject": "Start API",
                }
            ],
        )
    run(organisation(), path, repos=["acme/payments"])
    assert rows(path, "SELECT parent_shas, lines_added FROM commits WHERE sha = ?", [sha]) == [(["p" * 40], 7)]
    assert rows(path, "SELECT count(*) FROM pr_commits WHERE sha = ?", [sha]) == [(1,)]
    assert rows(path, "SELECT parent_shas FROM commits WHERE sha = ?", ["a" * 39 + "2"]) == [([],)]


def test_failure_inside_a_page_follow_up_redoes_that_page_only(tmp_path):
    clean = tmp_path / "clean.duckdb"
    run(organisation(), clean, repos=["acme/web", "acme/payments"])
    fake = organisation()

    def reviews_time_out(request: httpx.Request):
        if b"query PullReviews(" in request.content:
            raise httpx.ReadTimeout("slow", request=request)
        return None

    fake.faults.append(reviews_time_out)
    path = tmp_path / "resumed.duckdb"
    with pytest.raises(RetriesExhausted):
        run(fake, path, repos=["acme/web", "acme/payments"])
    fake.faults.clear()
    run(fake, path, repos=["acme/web", "acme/payments"])
    # acme/web had finished (one probe); acme/payments' only page is fetched again from the start.
    assert [line.split()[1] for line in fake.log if line.startswith("graphql")][:3] == ["PullsProbe", "Tags", "Pulls"]
    assert dump(path) == dump(clean)


def test_team_member_who_left_gets_an_end_date_and_a_newcomer_a_start(synced):
    fake, path, _ = synced
    fake.members["platform"] = [fake.members["platform"][0], {"login": "dave", "type": "User"}]  # bob left
    run(fake, path)
    got = rows(
        path,
        "SELECT person_id, valid_from::VARCHAR, valid_to IS NOT NULL FROM team_memberships "
        "WHERE team_id = 'platform' ORDER BY 1",
    )
    assert [(p, ended) for p, _, ended in got] == [("alice", False), ("bob", True), ("dave", False)]
    assert got[0][1] == "1970-01-01 00:00:00" and got[2][1] != "1970-01-01 00:00:00"
    assert fake.count("GET /orgs/acme/teams?") == 1  # the team list itself was unchanged (304)


def test_labels_closing_issues_and_draft_events_past_the_first_nested_page_are_fetched(tmp_path):
    """25 labels, 12 closing issues and 30 draft events: more than the Pulls query's first pages (20, 10, 20)."""
    fake = organisation()
    events = [
        {"__typename": kind, "createdAt": f"2024-03-{10 + i // 10:02d}T{i % 10:02d}:00:00Z"}
        for i, kind in enumerate(["ReadyForReviewEvent", "ConvertToDraftEvent"] * 15)
    ]
    fake.repos["acme/payments"].pulls.append(
        pull(
            6,
            created="2024-03-09T09:00:00Z",
            updated="2024-03-20T09:00:00Z",
            state="OPEN",
            draft=True,
            labels=[f"area-{i:02d}" for i in range(25)],
            closing=[{"number": 100 + i, "repository": {"nameWithOwner": "acme/payments"}} for i in range(12)],
            timeline=events,
        )
    )
    report = run(fake, tmp_path / "gh.duckdb", repos=["acme/payments"])
    [(labels, keys, ready)] = rows(
        tmp_path / "gh.duckdb",
        "SELECT labels, issue_keys, ready_for_review_at::VARCHAR FROM pull_requests WHERE number = 6",
    )
    assert labels == [f"area-{i:02d}" for i in range(25)]
    assert keys == [f"acme/payments#{100 + i}" for i in range(12)]
    assert ready == "2024-03-10 00:00:00"
    # One follow-up request brought the rest of all three connections together.
    extras = [line for line in fake.log if line.startswith("graphql PullExtras")]
    assert len(extras) == 1 and '"number": 6' in extras[0]
    assert all(f'"{flag}": true' in extras[0] for flag in ("labels", "closing", "timeline"))
    assert not [w for w in report.warnings if "#6" in w] and report.notes == []
