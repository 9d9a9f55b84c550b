"""Metrics by code origin: acceptance rate, agentic and AI-assisted shares, and the --origin selection filter that
narrows every PR metric (pickup time here) to agentic, AI-assisted or unassisted PRs."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from flowgauge.cli.main import app
from flowgauge.loaders.store import write_snapshot
from flowgauge.metrics import DEFAULT_RULES, Filters, compute_all
from flowgauge.snapshot import open_snapshot

# Two weeks, 2024-03-04 to 2024-03-18. alice and bob are people; copilot-swe-agent[bot] is Copilot's coding agent
# (a bot account, but its PRs are agentic delivery work, not left out with the bots); dependabot[bot] is a bot.
# Each PR is ready at 09:00 on its day; pickup hours are in the comments. PR 8 has no code-origin row (its loader
# saw no commits): unknown. acme/legacy was read from git history, which holds merged PRs only.
SCENARIO = """
INSERT INTO people (person_id, display_name, is_bot) VALUES ('alice', 'Alice', false), ('bob', 'Bob', false),
    ('copilot-swe-agent[bot]', 'Copilot', true), ('dependabot[bot]', 'Dependabot', true);
INSERT INTO repositories (repo_id, name, source, default_branch, is_archived) VALUES
    ('acme/app', 'app', 'github', 'main', false), ('acme/legacy', 'legacy', 'git', 'main', false);
INSERT INTO pull_requests (pr_id, repo_id, number, title, author_id, state, is_draft, created_at, ready_for_review_at,
    first_commit_at, first_review_at, merged_at, closed_at, lines_added, lines_deleted) VALUES
    ('acme/app#1', 'acme/app', 1, 'Add login', 'alice', 'merged', false,
     '2024-03-04 09:00', '2024-03-04 09:00', '2024-03-04 08:00',
     '2024-03-04 10:00', '2024-03-04 12:00', '2024-03-04 12:00', 10, 0),   -- 1 h
    ('acme/app#2', 'acme/app', 2, 'Add logout', 'alice', 'merged', false,
     '2024-03-05 09:00', '2024-03-05 09:00', '2024-03-05 08:00',
     '2024-03-05 11:00', '2024-03-05 12:00', '2024-03-05 12:00', 10, 0),   -- 2 h
    ('acme/app#3', 'acme/app', 3, 'Fix header', 'bob', 'merged', false,
     '2024-03-06 09:00', '2024-03-06 09:00', '2024-03-06 08:00',
     '2024-03-06 13:00', '2024-03-06 14:00', '2024-03-06 14:00', 10, 0),   -- 4 h
    ('acme/app#4', 'acme/app', 4, 'Fix flaky test', 'copilot-swe-agent[bot]', 'merged', false,
     '2024-03-07 09:00', '2024-03-07 09:00', '2024-03-07 08:00',
     '2024-03-07 19:00', '2024-03-07 20:00', '2024-03-07 20:00', 10, 0),   -- 10 h
    ('acme/app#5', 'acme/app', 5, 'Add dark mode', 'copilot-swe-agent[bot]', 'closed', false,
     '2024-03-08 09:00', '2024-03-08 09:00', '2024-03-08 08:00', NULL, NULL, '2024-03-09 09:00', 10, 0),
    ('acme/app#6', 'acme/app', 6, 'Upgrade router', 'copilot-swe-agent[bot]', 'closed', false,
     '2024-03-11 09:00', '2024-03-11 09:00', '2024-03-11 08:00', NULL, NULL, '2024-03-12 09:00', 10, 0),
    ('acme/app#7', 'acme/app', 7, 'Try a new cache', 'bob', 'closed', false,
     '2024-03-11 09:00', '2024-03-11 09:00', '2024-03-11 08:00', NULL, NULL, '2024-03-13 09:00', 10, 0),
    ('acme/app#8', 'acme/app', 8, 'Rename env vars', 'alice', 'merged', false,
     '2024-03-12 09:00', '2024-03-12 09:00', '2024-03-12 08:00',
     '2024-03-12 12:00', '2024-03-12 13:00', '2024-03-12 13:00', 10, 0),   -- 3 h
    ('acme/app#9', 'acme/app', 9, 'Bump httpx', 'dependabot[bot]', 'merged', false,
     '2024-03-13 09:00', '2024-03-13 09:00', '2024-03-13 08:00',
     '2024-03-13 10:00', '2024-03-13 12:00', '2024-03-13 12:00', 2, 2),
    ('acme/app#10', 'acme/app', 10, 'Fix footer', 'bob', 'merged', false,
     '2024-03-14 09:00', '2024-03-14 09:00', '2024-03-14 08:00',
     '2024-03-14 10:00', '2024-03-14 12:00', '2024-03-14 12:00', 10, 0),  -- 1 h
    ('acme/legacy#11', 'acme/legacy', 11, 'Fix import', 'alice', 'merged', false,
     '2024-03-15 09:00', '2024-03-15 09:00', '2024-03-15 08:00', NULL, '2024-03-15 12:00', '2024-03-15 12:00', 10, 0);
INSERT INTO pr_code_origins (pr_id, origin, evidence_kind, evidence) VALUES
    ('acme/app#1', 'unassisted', NULL, NULL),
    ('acme/app#2', 'ai_assisted', 'commit message line', 'Co-Authored-By: Claude <noreply@anthropic.com>'),
    ('acme/app#3', 'ai_assisted', 'description line', 'Made with [Cursor](https://cursor.com)'),
    ('acme/app#4', 'agentic', 'author login', 'copilot-swe-agent[bot]'),
    ('acme/app#5', 'agentic', 'author login', 'copilot-swe-agent[bot]'),
    ('acme/app#6', 'agentic', 'author login', 'copilot-swe-agent[bot]'),
    ('acme/app#7', 'unassisted', NULL, NULL),
    ('acme/app#9', 'unassisted', NULL, NULL),
    ('acme/app#10', 'unassisted', NULL, NULL),
    ('acme/legacy#11', 'unassisted', NULL, NULL);
"""
WINDOW = (date(2024, 3, 4), date(2024, 3, 18))
UNKNOWN = "code origin unknown: the loader saw no commits or description"
GIT_ONLY = "PRs read from git history, which holds merged PRs only: not in acceptance rate"


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    path = tmp_path_factory.mktemp("origin") / "origin.duckdb"
    with write_snapshot(path, fresh=True) as writer:
        writer.con.execute(SCENARIO)
    return path


@pytest.fixture(scope="module")
def con(snapshot):
    connection = open_snapshot(snapshot)
    yield connection
    connection.close()


def metrics(con, **selection):
    return compute_all(con, Filters(*WINDOW, **selection), DEFAULT_RULES, "median")


def test_shares_of_merged_prs_leave_out_unknown_origins_and_say_so(con):
    out = metrics(con)
    # Merged, bots left out: 1, 2, 3, 4 (the agent's), 8 (unknown), 10, 11. Known origin: 6; one agentic, two assisted.
    assert out["agentic_pr_share"].value == pytest.approx(100 / 6)
    assert out["ai_assisted_pr_share"].value == pytest.approx(200 / 6)
    assert out["agentic_pr_share"].n_used == 6
    assert set(out["agentic_pr_share"].exclusions) == {(1, UNKNOWN), (1, "bot-authored PRs excluded")}


def test_acceptance_rate_counts_prs_closed_in_the_window_merged_or_not(con):
    acceptance = metrics(con)["acceptance_rate"]
    # Closed in the window: merged 1, 2, 3, 4, 8, 10 and closed unmerged 5, 6, 7; the git-read PR 11 is left out.
    assert acceptance.value == pytest.approx(600 / 9)
    assert acceptance.n_used == 9
    assert set(acceptance.exclusions) == {(1, GIT_ONLY), (1, "bot-authored PRs excluded")}


@pytest.mark.parametrize(
    ("origin", "accepted", "pickup_hours"),
    [
        ("agentic", 100 / 3, 10.0),  # PR 4 merged; 5 and 6 closed unmerged
        ("ai_assisted", 100.0, 3.0),  # PRs 2 and 3: pickup 2 h and 4 h
        ("unassisted", 200 / 3, 1.0),  # PRs 1 and 10 merged, 7 closed unmerged (11 git-read)
    ],
)
def test_origin_filter_narrows_every_pr_metric(con, origin, accepted, pickup_hours):
    out = metrics(con, origins=(origin,))
    assert out["acceptance_rate"].value == pytest.approx(accepted)
    assert out["pickup_time"].value == pytest.approx(pickup_hours)


def test_an_agents_prs_are_not_left_out_with_the_bots(con):
    agentic = metrics(con, origins=("agentic",))
    assert agentic["pickup_time"].n_used == 1
    assert agentic["agentic_pr_share"].value == pytest.approx(100.0)


def test_report_json_has_the_origin_metrics_with_values_by_origin(snapshot):
    args = ["report", str(snapshot), "--from", "2024-03-04", "--to", "2024-03-18", "--format", "json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["acceptance_rate"]["value"] == pytest.approx(600 / 9)
    by_origin = report["acceptance_rate"]["by_origin"]
    assert by_origin["agentic"] == {"value": pytest.approx(100 / 3), "n_used": 3}
    assert by_origin["unassisted"] == {"value": pytest.approx(200 / 3), "n_used": 3}
    assert report["pickup_time"]["by_origin"]["agentic"]["value"] == pytest.approx(10.0)
    assert "by_origin" not in report["deploy_frequency"]  # deployments have no code origin


def test_report_origin_option_selects_and_refuses_unknown_choices(snapshot):
    base = ["report", str(snapshot), "--from", "2024-03-04", "--to", "2024-03-18"]
    result = CliRunner().invoke(app, [*base, "--origin", "agentic", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["acceptance_rate"]["value"] == pytest.approx(100 / 3)
    assert list(report["acceptance_rate"]["by_origin"]) == ["agentic"]
    table = CliRunner().invoke(app, [*base, "--origin", "ai_assisted"])
    assert "ai_assisted PRs only" in table.stdout
    refused = CliRunner().invoke(app, [*base, "--origin", "robot"])
    assert refused.exit_code == 2 and "robot" in refused.output
