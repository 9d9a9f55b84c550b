"""GitLab draft history from system notes, in every wording GitLab has used: the loaded ready_for_review_at and
the coding and pickup times `flowgauge report` gives, as GitHub's ready-for-review event would."""

from __future__ import annotations

import json
import random

import pytest
from fixtures.gitlab.fake_gitlab import FakeGitLab, FakeProject, gl_user, merge_request, note
from fixtures.gitlab.scenario import gl_commit
from typer.testing import CliRunner

from flowgauge.cli.main import app
from flowgauge.loaders.gitlab.draft_notes import DRAFT, READY, draft_event
from flowgauge.loaders.gitlab.sync import sync_gitlab
from flowgauge.loaders.http.retry import RetryPolicy
from flowgauge.loaders.http.session import ApiSession
from flowgauge.loaders.store import write_snapshot
from flowgauge.snapshot import open_snapshot

PROJECT = "grp/drafts"
DEV, REVIEWER = gl_user("dana"), gl_user("fox")
MADE_READY = (
    "marked this merge request as ready",
    "marked this merge request as **ready**",
    "unmarked as a **Work In Progress**",
    "unmarked as a Work In Progress",
    "unmarked as a **Draft**",
)
MADE_DRAFT = (
    "marked this merge request as draft",
    "marked this merge request as **draft**",
    "marked as a **Work In Progress**",
    "marked as a WIP",
    "marked as a **Draft**",
)


def project(mr: dict, notes: list[dict]) -> FakeGitLab:
    """One project with one merged MR: first commit 08:00, opened 09:00, reviewed and approved 16:00."""
    info = {"id": 9, "path": "drafts", "path_with_namespace": PROJECT, "default_branch": "main", "archived": False}
    reviewed = [
        note(90, "Looks good", "2024-04-10T16:00:00.000Z", REVIEWER),
        note(91, "approved this merge request", "2024-04-10T16:00:00.000Z", REVIEWER, system=True),
    ]
    return FakeGitLab(
        projects={
            PROJECT: FakeProject(
                info=info,
                merge_requests=[mr],
                notes={1: notes + reviewed},
                commits={1: [gl_commit("c" * 40, "2024-04-10T08:00:00.000Z")]},
            )
        }
    )


def merged_mr(draft: bool = False) -> dict:
    return merge_request(
        1,
        created="2024-04-10T09:00:00.000Z",
        updated="2024-04-10T17:00:00.000Z",
        merged="2024-04-10T17:00:00.000Z",
        author=DEV,
        merge_sha="m" * 40,
        draft=draft,
    )


def load(fake: FakeGitLab, path) -> None:
    session = ApiSession(fake.client(), retry=RetryPolicy(attempts=1, rng=random.Random(0)), sleep=lambda s: None)
    with write_snapshot(path, resumable=True) as writer:
        sync_gitlab(session, writer, [PROJECT])


def loaded_and_reported(fake: FakeGitLab, path) -> tuple[str, float, float]:
    """(ready_for_review_at, coding time h, pickup time h) for the one MR, the times from `flowgauge report`."""
    load(fake, path)
    con = open_snapshot(path)
    try:
        (ready,) = con.execute("SELECT ready_for_review_at::VARCHAR FROM pull_requests").fetchone()
    finally:
        con.close()
    result = CliRunner().invoke(
        app, ["report", str(path), "--from", "2024-04-01", "--to", "2024-05-01", "--format", "json", "--stat", "median"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    return ready, report["coding_time"]["value"], report["pickup_time"]["value"]


@pytest.mark.parametrize("body", MADE_READY)
def test_an_mr_opened_as_a_draft_is_ready_when_a_note_says_so(body, tmp_path):
    # Opened as a draft at 09:00, ready at 14:00: five hours more coding, five fewer waiting for review.
    fake = project(merged_mr(), [note(11, body, "2024-04-10T14:00:00.000Z", DEV, system=True)])
    assert loaded_and_reported(fake, tmp_path / "drafts.duckdb") == ("2024-04-10 14:00:00", 6.0, 2.0)


def test_an_mr_opened_ready_codes_until_it_opened(tmp_path):
    # The same MR with no draft notes: coding ends when it opened, as on GitHub.
    assert loaded_and_reported(project(merged_mr(), []), tmp_path / "ready.duckdb") == ("2024-04-10 09:00:00", 1.0, 7.0)


@pytest.mark.parametrize("body", MADE_DRAFT)
def test_an_mr_made_a_draft_after_it_opened_was_ready_when_it_opened(body, tmp_path):
    # Opened ready, made a draft at 10:00 and ready again at 14:00: GitHub's mapping keeps the opening time.
    notes = [
        note(11, body, "2024-04-10T10:00:00.000Z", DEV, system=True),
        note(12, "marked this merge request as ready", "2024-04-10T14:00:00.000Z", DEV, system=True),
    ]
    assert loaded_and_reported(project(merged_mr(), notes), tmp_path / "redraft.duckdb")[0] == "2024-04-10 09:00:00"


def test_an_mr_still_a_first_draft_has_no_ready_time(tmp_path):
    mr = merged_mr(draft=True) | {"state": "opened", "merged_at": None, "merge_commit_sha": None}
    load(project(mr, []), tmp_path / "open.duckdb")
    con = open_snapshot(tmp_path / "open.duckdb")
    try:
        assert con.execute("SELECT is_draft, ready_for_review_at FROM pull_requests").fetchall() == [(True, None)]
    finally:
        con.close()


def test_only_system_notes_in_a_known_wording_are_draft_events():
    assert [draft_event({"system": True, "body": body}) for body in MADE_DRAFT] == [DRAFT] * len(MADE_DRAFT)
    assert [draft_event({"system": True, "body": body}) for body in MADE_READY] == [READY] * len(MADE_READY)
    assert draft_event({"system": False, "body": "marked this merge request as ready"}) is None
    assert draft_event({"system": True, "body": "marked the task **Ship it** as completed"}) is None
    assert draft_event({"system": True, "body": "changed title from **Draft: x** to **x**"}) is None
