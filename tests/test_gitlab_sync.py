"""sync_gitlab against an in-memory GitLab: MRs with approvals and notes, deployments, pipelines, releases."""

from __future__ import annotations

import random

import httpx
import pytest
from fixtures.gitlab.fake_gitlab import FakeGitLab
from fixtures.gitlab.scenario import PROJECT, world

from flowgauge.loaders.gitlab.sync import sync_gitlab
from flowgauge.loaders.http.errors import RetriesExhausted
from flowgauge.loaders.http.retry import RetryPolicy
from flowgauge.loaders.http.session import ApiSession
from flowgauge.loaders.store import write_snapshot
from flowgauge.snapshot import open_snapshot

TOKEN = "glpat-SYNCTEST0123456789abcd"


def run(fake: FakeGitLab, path, projects=(PROJECT, "grp/missing"), sleeps=None):
    session = ApiSession(
        fake.client(TOKEN),
        retry=RetryPolicy(attempts=3, rng=random.Random(0)),
        sleep=sleeps.append if sleeps is not None else (lambda s: None),
    )
    fake.log.clear()
    with write_snapshot(path, resumable=True) as writer:
        return sync_gitlab(session, writer, list(projects))


def q(path, sql, params=()):
    con = open_snapshot(path)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


@pytest.fixture
def synced(tmp_path):
    fake = world()
    path = tmp_path / "gl.duckdb"
    report = run(fake, path)
    return fake, path, report


def test_merge_requests_with_approvals_notes_and_merge_styles(synced):
    _, path, report = synced
    got = {
        r[0]: r[1:]
        for r in q(
            path,
            "SELECT number, state, merge_method, merge_commit_sha, author_id, is_draft, "
            "ready_for_review_at::VARCHAR, first_review_at::VARCHAR, "
            "first_approval_at::VARCHAR, first_commit_at::VARCHAR, issue_keys "
            "FROM pull_requests",
        )
    }
    assert got[1] == (
        "merged",
        "squash",
        "s" * 40,
        "dana",
        False,
        "2024-04-01 10:00:00",
        "2024-04-01 12:00:00",
        "2024-04-02 09:00:00",
        "2024-03-31 15:00:00",
        ["PAY-7"],
    )
    assert got[2][:4] == ("merged", "merge", "m" * 40, "project_7_bot_1a2b")
    assert got[3][:4] == ("merged", "rebase", "r" * 40, None)  # fast-forward; author deleted ('ghost')
    assert got[4][:2] == ("open", None) and got[4][4] is True and got[4][5] is None
    reviews = q(path, "SELECT pr_id, review_id, reviewer_id, state, comment_count FROM pr_reviews ORDER BY 1, 2")
    assert reviews == [
        ("grp/sub/app#1", "note:12", "fox", "commented", 1),
        ("grp/sub/app#1", "note:14", "fox", "approved", 0),
        ("grp/sub/app#2", "note:21", "fox", "approved", 0),
        ("grp/sub/app#2", "note:22", "fox", "dismissed", 0),
        ("grp/sub/app#2", "note:23", None, "approved", 0),
    ]
    assert q(path, "SELECT is_bot, bot_reason FROM people WHERE person_id = 'project_7_bot_1a2b'") == [
        (True, "gitlab bot user")
    ]
    assert report.repos_skipped.keys() == {"grp/missing"}


def test_deployments_pipelines_releases_and_links(synced):
    _, path, _ = synced
    assert q(path, "SELECT deployment_id, status, finished_at::VARCHAR FROM deployments ORDER BY 1") == [
        ("grp/sub/app:deploy:51", "success", "2024-04-02 12:05:00"),
        ("grp/sub/app:deploy:52", "in_progress", None),
    ]  # the review app environment is not production
    # ... and is counted, with the rule, rather than dropped in silence.
    assert synced[2].dropped_lines() == [
        "1 deployment in environment 'review/feature-2' not production under the rule "
        "'(?i)^(prod|production|live)([-_ ].*)?$'"
    ]
    assert q(path, "SELECT pr_id, link_rule FROM deployment_pull_requests") == [("grp/sub/app#1", "commit_ancestry")]
    assert q(path, "SELECT run_id, status, conclusion FROM workflow_runs") == [
        ("grp/sub/app:pipeline:901", "completed", "success")
    ]
    assert q(path, "SELECT tag_name, sha FROM releases") == [("v2.0", "s" * 40)]


def test_unchanged_rerun_asks_once_per_stream_and_fetches_no_items(synced):
    fake, path, _ = synced
    run(fake, path)
    per_project = [line for line in fake.log if "grp%2Fsub%2Fapp" in line]
    assert len(per_project) == 5  # project, merge_requests, deployments, pipelines, releases (304)
    assert not any("/notes" in line or "/commits" in line for line in per_project)


def test_status_change_and_updated_mr_are_picked_up(synced):
    fake, path, _ = synced
    project = fake.projects[PROJECT]
    project.deployments[1].update(
        status="success", updated_at="2024-04-03T12:09:00.000Z", finished_at="2024-04-03T12:09:00.000Z"
    )
    project.merge_requests[3].update(state="closed", updated_at="2024-04-06T10:00:00.000Z")
    run(fake, path)
    assert q(path, "SELECT status FROM deployments WHERE deployment_id = 'grp/sub/app:deploy:52'") == [("success",)]
    assert q(
        path, "SELECT status FROM deployment_statuses WHERE deployment_id = 'grp/sub/app:deploy:52' ORDER BY status_at"
    ) == [("in_progress",), ("success",)]
    assert q(path, "SELECT state FROM pull_requests WHERE number = 4") == [("closed",)]
    assert sum("/notes" in line for line in fake.log) == 1  # only MR 4 changed


def test_interrupted_run_resumes_at_the_next_page(tmp_path):
    clean = tmp_path / "clean.duckdb"
    run(world(extra_mrs=150), clean)
    fake = world(extra_mrs=150)
    pages = []

    def fail_on_second_page(request: httpx.Request):
        if request.url.raw_path.decode().split("?")[0].endswith("/merge_requests"):
            pages.append(request)
            if len(pages) >= 2:
                raise httpx.ReadTimeout("slow", request=request)
        return None

    fake.faults.append(fail_on_second_page)
    path = tmp_path / "resumed.duckdb"
    with pytest.raises(RetriesExhausted):
        run(fake, path)
    fake.faults.clear()
    run(fake, path)
    mr_lists = [line for line in fake.log if line.split("?")[0].endswith("/merge_requests")]
    assert len(mr_lists) == 1 and "page=2" in mr_lists[0]
    table = "SELECT * FROM pull_requests ORDER BY pr_id"
    assert q(path, table) == q(clean, table)
    assert TOKEN.encode() not in path.read_bytes()


def test_gitlab_429_and_spent_quota_are_waited_out(tmp_path):
    fake = world()
    answers = iter([httpx.Response(429, headers={"Retry-After": "12"}), httpx.Response(502)])

    def limited(request: httpx.Request):
        if request.url.raw_path.decode().split("?")[0].endswith("/deployments"):
            return next(answers, None)
        return None

    fake.faults.append(limited)
    sleeps: list[float] = []
    run(fake, tmp_path / "gl.duckdb", sleeps=sleeps)
    assert sleeps[0] == 12.0 and len(sleeps) == 2  # the Retry-After, then one backoff after the 502
    assert q(tmp_path / "gl.duckdb", "SELECT count(*) FROM deployments") == [(2,)]
