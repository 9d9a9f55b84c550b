"""Code, planning, PM-hygiene and developer-experience metrics on the hand-built March 2024 snapshot."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from flowgauge.loaders.store import write_snapshot
from flowgauge.metrics import Filters, breakdown, compute, compute_all
from flowgauge.snapshot import open_snapshot

FIXTURE = Path(__file__).parent / "fixtures" / "metrics" / "march_2024.sql"
MARCH = Filters(date(2024, 3, 1), date(2024, 4, 1))
WEEKS = 31 / 7


# Line ages of March commits (c3 is dependabot's, c5 is February's):
#   c1 alice: new 10, recent 5, old 5 (20)   c2 bob: old 20 (20)   c4 carol: new 20, recent 10 (30)  -> 70 lines
@pytest.mark.parametrize(
    ("metric_id", "expected"),
    [
        ("rework_rate", 15 / 70 * 100),  # recent 5 + 0 + 10
        ("refactor_rate", 25 / 70 * 100),  # old 5 + 20 + 0
        # S1 (Payments, points): planned PAY-1 3 done, PAY-3 5 not, PAY-4 2 done (resolved 03-14); PAY-9 1 added.
        # S2 (Web) has no estimates, so under points its items are left out.
        ("planning_accuracy", 5 / 10 * 100),
        ("capacity_accuracy", 6 / 10 * 100),  # 3 + 2 + 1 unplanned
        # Merged March PRs naming an issue: PR1, PR3, PR4, PR7, PR8 of 7 (PR2 none, PR5 NULL).
        ("pm_prs_linked_to_issue", 5 / 7 * 100),
        # Active March items: PAY-1, PAY-3, PAY-4, PAY-5 (sub-task), PAY-9, WEB-7, WEB-8, WEB-9.
        ("pm_issues_linked_to_parent", 3 / 7 * 100),  # PAY-1, PAY-4, WEB-7 of 7 non-sub-tasks
        ("pm_in_progress_with_estimate", 4 / 8 * 100),  # PAY-1, PAY-3, PAY-4, PAY-9
        ("pm_in_progress_with_assignee", 6 / 8 * 100),  # all but PAY-5 and WEB-8
        ("survey_score", (80 + 60 + 100 + 70) / 4),  # 4/5, 3/5, 5/5, 7/10 as percent of scale
        # Ready in March: PRs 1-5, 7, 8 (waits 2, 3, 24, 1, 2, .5, 2 h: PR3's exactly 24 h is not over), PR10
        # (unreviewed since 03-10) and PR11 (since 03-28 09:00, 87 h to the window's end) -> 2 of 9.
        ("waiting_for_review_rate", 2 / 9 * 100),
        ("stale_open_prs", 2.0),  # PR10 (03-10) and draft PR13 (January); PR11 is younger than 7 days
        # Reviews on others' PRs in March, bots and the self-review left out: alice 4, bob 3, carol 3, release-helper 1.
        ("review_load", 11 / 4 / WEEKS),
    ],
)
def test_values(march, metric_id, expected):
    assert march[metric_id].value == pytest.approx(expected)


def test_rework_excludes_bot_commits(march):
    assert march["rework_rate"].exclusions == ((1, "bot-authored commits excluded"),)
    assert march["rework_rate"].unit == "percent"


def test_rework_without_line_ages_is_empty_with_a_reason(tmp_path):
    path = tmp_path / "no_ages.duckdb"
    with write_snapshot(path, fresh=True) as writer:
        writer.con.execute(FIXTURE.read_text())
        writer.con.execute("DELETE FROM commit_line_ages")
    connection = open_snapshot(path)
    try:
        result = compute(connection, "refactor_rate", MARCH)
    finally:
        connection.close()
    assert result.value is None
    assert result.empty_reason == "no line-age data in this snapshot: load a git clone with `flowgauge snapshot git`"


def test_planning_is_measured_in_items_when_nothing_is_estimated(con, march):
    assert march["planning_accuracy"].flags == ("measured in story points",)
    assert march["planning_accuracy"].exclusions == ((2, "sprint items without an estimate: left out of points"),)
    web = Filters(MARCH.start, MARCH.end, teams=("web",))
    planning = compute(con, "planning_accuracy", web)
    assert (planning.value, planning.flags) == (50.0, ("measured in items",))  # WEB-7 done, WEB-8 not
    assert compute(con, "capacity_accuracy", web).value == 100.0  # WEB-7 + WEB-9 (unplanned) / 2 planned


def test_survey_by_question_and_team(con):
    by_question = breakdown(con, "survey_score", MARCH, by="question").to_pylist()
    assert by_question == [
        {"key": "Ease of release", "value": 80.0, "n": 3},  # 80, 60, 100
        {"key": "Focus time", "value": 70.0, "n": 1},
    ]
    by_team = {row["key"]: row["value"] for row in breakdown(con, "survey_score", MARCH, by="team").to_pylist()}
    assert by_team == {"payments": pytest.approx(70.0), "web": 100.0}  # (80 + 60 + 70) / 3


def test_review_load_per_reviewer_uses_their_team_at_the_time(con):
    rows = breakdown(con, "review_load", MARCH, by="author").to_pylist()
    assert {row["key"]: row["n"] for row in rows} == {"alice": 4, "bob": 3, "carol": 3, "release-helper": 1}
    # Bob reviewed PR1 twice on 03-04 (Payments) and PR5 on 03-20 (Web).
    by_team = {row["key"]: row["n"] for row in breakdown(con, "review_load", MARCH, by="team").to_pylist()}
    assert by_team == {"payments": 6, "web": 4, None: 1}  # alice 4 + bob 2; carol 3 + bob 1; release-helper


def test_filters_a_source_cannot_apply_are_stated_on_its_results(con, march):
    # Sprints, work items and surveys belong to teams; commits to repositories: a repository or service filter
    # cannot narrow them, so their values stay those of the whole selection and each result says so.
    scoped = compute_all(con, Filters(MARCH.start, MARCH.end, repos=("acme/pay",), services=("acme/pay:api",)))
    assert scoped["planning_accuracy"].value == march["planning_accuracy"].value
    planning_flags = scoped["planning_accuracy"].flags
    assert "repository filter not applied: sprints belong to teams, not repositories" in planning_flags
    assert "service filter not applied: survey answers belong to teams, not services" in scoped["survey_score"].flags
    assert scoped["rework_rate"].flags == ("service filter not applied: commits belong to repositories, not services",)
    assert not any("not applied" in flag for flag in scoped["cycle_time"].flags)
    assert not any("not applied" in flag for flag in march["planning_accuracy"].flags)
