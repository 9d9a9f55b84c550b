"""The --origin selection filter beyond PR metrics, where links allow: rework and refactor rate count the commits of
PRs of the chosen origin (pr_commits), change failure rate the deployments that shipped one (deployment_pull_requests),
review load the reviews of its PRs. Commits in no PR and deployments with no linked PR have no origin: left out, and
counted, when an origin is chosen. Metrics it cannot narrow (deployment frequency, recovery times, sprints, work
items, surveys) say so under an origin, in the result, the JSON report and the table."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from test_metrics_origin import SCENARIO, WINDOW
from typer.testing import CliRunner

from flowgauge.cli.main import app
from flowgauge.errors import BadOption
from flowgauge.loaders.store import write_snapshot
from flowgauge.metrics import DEFAULT_RULES, Filters, compute_all
from flowgauge.snapshot import open_snapshot

# On test_metrics_origin's PRs (1 unassisted, 2 and 3 AI-assisted, 4 agentic, 10 unassisted). Commit line counts are
# new / recent (rework) / old (refactor); c4 is in no PR. Deployments: d1..d6, failed ones say so; d4 and d5 shipped
# no linked PR. Incident i1 is d2's; i2 names no deployment, service or repository, so it links to none. Reviews: bob
# reviewed PR 1 (unassisted), alice PRs 4 and 5 and bob PR 4 (the agent's).
LINKS = """
INSERT INTO commits (repo_id, sha, author_id, authored_at, committed_at, parent_shas) VALUES
    ('acme/app', 'c1', 'alice', '2024-03-04 08:00', '2024-03-04 08:00', []),
    ('acme/app', 'c2', 'alice', '2024-03-05 08:00', '2024-03-05 08:00', []),
    ('acme/app', 'c3', 'bob', '2024-03-06 08:00', '2024-03-06 08:00', []),
    ('acme/app', 'c4', 'bob', '2024-03-07 08:00', '2024-03-07 08:00', []),
    ('acme/app', 'c5', 'bob', '2024-03-14 08:00', '2024-03-14 08:00', []);
INSERT INTO commit_line_ages (repo_id, sha, lines_new, lines_recent, lines_old, recent_days) VALUES
    ('acme/app', 'c1', 10, 5, 5, 21),
    ('acme/app', 'c2', 0, 6, 4, 21),
    ('acme/app', 'c3', 10, 10, 0, 21),
    ('acme/app', 'c4', 0, 30, 0, 21),
    ('acme/app', 'c5', 0, 0, 20, 21);
INSERT INTO pr_commits (pr_id, repo_id, sha) VALUES
    ('acme/app#1', 'acme/app', 'c1'), ('acme/app#2', 'acme/app', 'c2'), ('acme/app#3', 'acme/app', 'c3'),
    ('acme/app#10', 'acme/app', 'c5');
INSERT INTO deployments (deployment_id, repo_id, environment, status, deploy_kind, started_at, finished_at,
    detection_rule, is_approximate) VALUES
    ('d1', 'acme/app', 'production', 'success', 'regular', '2024-03-05 13:00', '2024-03-05 13:10', 'import', false),
    ('d2', 'acme/app', 'production', 'failure', 'regular', '2024-03-07 21:00', '2024-03-07 21:10', 'import', false),
    ('d3', 'acme/app', 'production', 'success', 'regular', '2024-03-09 13:00', '2024-03-09 13:10', 'import', false),
    ('d4', 'acme/app', 'production', 'success', 'regular', '2024-03-11 13:00', '2024-03-11 13:10', 'import', false),
    ('d5', 'acme/app', 'production', 'failure', 'regular', '2024-03-13 13:00', '2024-03-13 13:10', 'import', false),
    ('d6', 'acme/app', 'production', 'success', 'regular', '2024-03-15 13:00', '2024-03-15 13:10', 'import', false);
INSERT INTO deployment_pull_requests (deployment_id, pr_id, link_rule) VALUES
    ('d1', 'acme/app#1', 'source'), ('d2', 'acme/app#2', 'source'), ('d2', 'acme/app#4', 'source'),
    ('d3', 'acme/app#3', 'source'), ('d6', 'acme/app#10', 'source');
INSERT INTO incidents (incident_id, source, opened_at, resolved_at, deployment_id) VALUES
    ('i1', 'import', '2024-03-07 22:00', '2024-03-07 23:00', 'd2'),
    ('i2', 'import', '2024-03-16 10:00', '2024-03-16 11:00', NULL);
INSERT INTO pr_reviews (pr_id, review_id, reviewer_id, state, submitted_at, comment_count) VALUES
    ('acme/app#1', 'r1', 'bob', 'approved', '2024-03-04 10:00', 0),
    ('acme/app#4', 'r2', 'alice', 'approved', '2024-03-07 19:00', 0),
    ('acme/app#5', 'r3', 'alice', 'commented', '2024-03-08 12:00', 1),
    ('acme/app#4', 'r4', 'bob', 'commented', '2024-03-07 19:30', 1);
"""
NO_PR_COMMITS = "commits in no PR excluded: the origin filter needs a PR to give them a code origin"
NO_PR_DEPLOYS = "deployments with no linked PR excluded: the origin filter needs a PR to give them a code origin"
NO_PR_INCIDENTS = (
    "incidents of no deployment with a linked PR excluded: the origin filter needs one to give them a code origin"
)


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    path = tmp_path_factory.mktemp("origin_links") / "origin_links.duckdb"
    with write_snapshot(path, fresh=True) as writer:
        writer.con.execute(SCENARIO)
        writer.con.execute(LINKS)
    return path


@pytest.fixture(scope="module")
def con(snapshot):
    connection = open_snapshot(snapshot)
    yield connection
    connection.close()


def metrics(con, rules=DEFAULT_RULES, **selection):
    return compute_all(con, Filters(*WINDOW, **selection), rules, "median")


def test_without_an_origin_every_commit_and_deployment_counts(con):
    out = metrics(con)
    # Lines: 20 + 10 + 20 + 30 + 20 = 100; rework 5 + 6 + 10 + 30 + 0; refactor 5 + 4 + 0 + 0 + 20.
    assert out["rework_rate"].value == pytest.approx(51.0)
    assert out["refactor_rate"].value == pytest.approx(29.0)
    assert out["rework_rate"].n_used == 5
    # d2 and d5 failed of six.
    assert out["change_failure_rate"].value == pytest.approx(200 / 6)
    assert out["change_failure_rate"].n_used == 6
    assert out["change_failure_rate"].exclusions == ()
    assert out["rework_rate"].exclusions == ()


@pytest.mark.parametrize(
    ("origin", "rework", "refactor", "commits"),
    [
        ("ai_assisted", 1600 / 30, 400 / 30, 2),  # c2 and c3: 16 and 4 of 30 lines
        ("unassisted", 12.5, 62.5, 2),  # c1 and c5: 5 and 25 of 40 lines
    ],
)
def test_rework_and_refactor_follow_the_commits_prs(con, origin, rework, refactor, commits):
    out = metrics(con, origins=(origin,))
    assert out["rework_rate"].value == pytest.approx(rework)
    assert out["refactor_rate"].value == pytest.approx(refactor)
    assert out["rework_rate"].n_used == commits
    assert out["rework_rate"].exclusions == ((1, NO_PR_COMMITS),)
    assert out["refactor_rate"].exclusions == ((1, NO_PR_COMMITS),)


def test_an_origin_with_no_linked_commits_has_no_rework_value(con):
    agentic = metrics(con, origins=("agentic",))["rework_rate"]
    assert agentic.value is None
    assert agentic.exclusions == ((1, NO_PR_COMMITS),)


@pytest.mark.parametrize(
    ("origin", "failure_rate", "deployments"),
    [
        ("ai_assisted", 50.0, 2),  # d2 failed (PR 2), d3 did not (PR 3)
        ("agentic", 100.0, 1),  # d2 shipped the agent's PR 4 too: it belongs to both origins
        ("unassisted", 0.0, 2),  # d1 and d6
    ],
)
def test_change_failure_rate_counts_the_deployments_that_shipped_the_origins_prs(
    con, origin, failure_rate, deployments
):
    result = metrics(con, origins=(origin,))["change_failure_rate"]
    assert result.value == pytest.approx(failure_rate)
    assert result.n_used == deployments
    assert result.exclusions == ((2, NO_PR_DEPLOYS),)  # d4 and d5


@pytest.mark.parametrize(
    ("metric_id", "note"),
    [
        ("deploy_frequency", "not narrowed by code origin: deployments of every origin count"),
        ("failed_deployment_recovery_time", "not narrowed by code origin: deployments of every origin count"),
        ("deployment_rework_rate", "not narrowed by code origin: deployments of every origin count"),
        ("mttr", "not narrowed by code origin: incidents of every origin count"),
    ],
)
def test_deployment_metrics_the_origin_cannot_narrow_say_so(con, metric_id, note):
    everything, agentic = metrics(con)[metric_id], metrics(con, origins=("agentic",))[metric_id]
    assert (agentic.value, agentic.n_used) == (everything.value, everything.n_used)
    assert note in agentic.flags and note not in everything.flags


def test_deployment_frequency_per_developer_has_no_value_under_an_origin(con):
    assert metrics(con)["deploy_frequency_per_dev"].value == pytest.approx(6 / 2 / 2)  # alice and bob, two weeks
    per_dev = metrics(con, origins=("unassisted",))["deploy_frequency_per_dev"]
    assert per_dev.value is None
    assert per_dev.empty_reason == (
        "not narrowed by code origin: deployments of every origin count, over only the chosen origins' developers: "
        "no value"
    )


def test_review_load_counts_the_reviews_of_the_origins_prs(con):
    assert metrics(con)["review_load"].value == pytest.approx(4 / 2 / 2)  # 4 reviews, 2 reviewers, 2 weeks
    agentic = metrics(con, origins=("agentic",))["review_load"]
    assert (agentic.value, agentic.n_used) == (pytest.approx(3 / 2 / 2), 3)  # r2, r3 and r4
    unassisted = metrics(con, origins=("unassisted",))["review_load"]
    assert (unassisted.value, unassisted.n_used) == (pytest.approx(1 / 1 / 2), 1)  # bob's r1
    assert metrics(con, origins=("ai_assisted",))["review_load"].value is None
    assert not any("code origin" in flag for flag in agentic.flags)


def test_incidents_rule_counts_incidents_of_the_origins_deployments(con):
    rules = replace(DEFAULT_RULES, cfr_mode="incidents")
    assert metrics(con, rules)["change_failure_rate"].value == pytest.approx(200 / 6)  # i1 and i2 over six
    result = metrics(con, rules, origins=("ai_assisted",))["change_failure_rate"]
    assert result.value == pytest.approx(50.0)  # i1 (d2's) over d2 and d3
    assert set(result.exclusions) == {(2, NO_PR_DEPLOYS), (1, NO_PR_INCIDENTS)}


def test_report_json_gives_rework_and_change_failure_by_origin(snapshot):
    args = ["report", str(snapshot), "--from", "2024-03-04", "--to", "2024-03-18", "--format", "json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["change_failure_rate"]["value"] == pytest.approx(200 / 6)
    assert report["change_failure_rate"]["by_origin"]["ai_assisted"] == {"value": pytest.approx(50.0), "n_used": 2}
    assert report["rework_rate"]["by_origin"]["unassisted"] == {"value": pytest.approx(12.5), "n_used": 2}
    assert report["review_load"]["by_origin"]["agentic"] == {"value": pytest.approx(0.75), "n_used": 3}
    assert "by_origin" not in report["deploy_frequency"]
    assert report["deploy_frequency"]["narrowed_by_origin"] is False
    assert report["rework_rate"]["narrowed_by_origin"] is True


def test_report_under_an_origin_marks_what_it_did_not_narrow(snapshot):
    args = ["report", str(snapshot), "--from", "2024-03-04", "--to", "2024-03-18", "--origin", "agentic"]
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    deploys = report["deploy_frequency"]
    assert deploys["value"] == pytest.approx(3.0) and deploys["narrowed_by_origin"] is False  # all 6, two weeks
    assert deploys["flags"] == ["not narrowed by code origin: deployments of every origin count"]
    assert report["change_failure_rate"]["narrowed_by_origin"] is True
    assert report["change_failure_rate"]["value"] == pytest.approx(100.0)
    assert report["deploy_frequency_per_dev"]["value"] is None

    table = CliRunner().invoke(app, args)
    assert table.exit_code == 0, table.output
    notes = table.stdout.splitlines()
    assert "Deployment frequency: not narrowed by code origin: deployments of every origin count" in notes
    assert "Mean time to restore (incidents): not narrowed by code origin: incidents of every origin count" in notes
    assert not any(line.startswith("Change failure rate: not narrowed") for line in notes)


def test_the_meeting_report_refuses_an_origin_rather_than_ignore_it(snapshot, tmp_path):
    out = tmp_path / "agentic.html"
    args = ["report", str(snapshot), "--origin", "agentic", "--format", "html", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    # A usage error: `flowgauge` (cli.main.run) prints it as one line and exits 2.
    assert isinstance(result.exception, BadOption)
    assert str(result.exception) == "--origin applies to --format table, json and csv, not html"
    assert not out.exists()
