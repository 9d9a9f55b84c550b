"""A coding agent's work is measured, never counted as a developer: its commits count in rework and refactor rate
(as the agent's, origin agentic) while other bots' stay left out, and its PRs count in merge frequency's numerator
but give no developer to any per-developer rate, which says how many PRs that was."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from flowgauge.cli.main import app
from flowgauge.impact.bootstrap import sample_of
from flowgauge.loaders.store import write_snapshot
from flowgauge.metrics import DEFAULT_RULES, Filters, compute_all
from flowgauge.metrics.breakdowns import breakdown
from flowgauge.metrics.catalogue import METRICS
from flowgauge.metrics.items import metric_items
from flowgauge.rules.effects import rule_effects
from flowgauge.snapshot import open_snapshot

# Two weeks, 2024-03-04 to 2024-03-18: one person (alice), Copilot's coding agent (a bot account whose PRs its loader
# found agentic) and Dependabot. Commit line counts are new / recent (rework) / old (refactor); the agent's g2 is in no
# PR (a branch it pushed that no PR holds). bob is a person whose PR 6 is agentic (a Codex task link: Codex opens PRs
# from the person's account); his b1 is in no PR. Four production deployments.
SCENARIO = """
INSERT INTO people (person_id, display_name, is_bot) VALUES ('alice', 'Alice', false), ('bob', 'Bob', false),
    ('copilot-swe-agent[bot]', 'Copilot', true), ('dependabot[bot]', 'Dependabot', true);
INSERT INTO repositories (repo_id, name, source, default_branch, is_archived) VALUES
    ('acme/app', 'app', 'github', 'main', false);
INSERT INTO pull_requests (pr_id, repo_id, number, title, author_id, state, is_draft, created_at, ready_for_review_at,
    first_commit_at, first_review_at, merged_at, closed_at, lines_added, lines_deleted) VALUES
    ('acme/app#1', 'acme/app', 1, 'Add login', 'alice', 'merged', false, '2024-03-04 09:00', '2024-03-04 09:00',
     '2024-03-04 08:00', '2024-03-04 10:00', '2024-03-04 12:00', '2024-03-04 12:00', 20, 0),
    ('acme/app#2', 'acme/app', 2, 'Add logout', 'alice', 'merged', false, '2024-03-05 09:00', '2024-03-05 09:00',
     '2024-03-05 08:00', '2024-03-05 10:00', '2024-03-05 12:00', '2024-03-05 12:00', 20, 0),
    ('acme/app#3', 'acme/app', 3, 'Fix flaky test', 'copilot-swe-agent[bot]', 'merged', false, '2024-03-06 09:00',
     '2024-03-06 09:00', '2024-03-06 08:00', '2024-03-06 10:00', '2024-03-06 12:00', '2024-03-06 12:00', 40, 0),
    ('acme/app#4', 'acme/app', 4, 'Add dark mode', 'copilot-swe-agent[bot]', 'merged', false, '2024-03-07 09:00',
     '2024-03-07 09:00', '2024-03-07 08:00', '2024-03-07 10:00', '2024-03-07 12:00', '2024-03-07 12:00', 10, 0),
    ('acme/app#5', 'acme/app', 5, 'Bump httpx', 'dependabot[bot]', 'merged', false, '2024-03-08 09:00',
     '2024-03-08 09:00', '2024-03-08 08:00', '2024-03-08 10:00', '2024-03-08 12:00', '2024-03-08 12:00', 4, 0),
    ('acme/app#6', 'acme/app', 6, 'Tidy config', 'bob', 'closed', false, '2024-03-11 09:00',
     '2024-03-11 09:00', '2024-03-11 08:00', NULL, NULL, '2024-03-12 12:00', 4, 0);
INSERT INTO pr_code_origins (pr_id, origin, evidence_kind, evidence) VALUES
    ('acme/app#1', 'unassisted', NULL, NULL),
    ('acme/app#2', 'ai_assisted', 'commit message line', 'Co-Authored-By: Claude <noreply@anthropic.com>'),
    ('acme/app#3', 'agentic', 'author login', 'copilot-swe-agent[bot]'),
    ('acme/app#4', 'agentic', 'author login', 'copilot-swe-agent[bot]'),
    ('acme/app#5', 'unassisted', NULL, NULL),
    ('acme/app#6', 'agentic', 'description line', 'https://chatgpt.com/codex/tasks/task_e_1');
INSERT INTO commits (repo_id, sha, author_id, authored_at, committed_at, parent_shas) VALUES
    ('acme/app', 'a1', 'alice', '2024-03-04 08:00', '2024-03-04 08:00', []),
    ('acme/app', 'a2', 'alice', '2024-03-05 08:00', '2024-03-05 08:00', []),
    ('acme/app', 'g1', 'copilot-swe-agent[bot]', '2024-03-06 08:00', '2024-03-06 08:00', []),
    ('acme/app', 'g2', 'copilot-swe-agent[bot]', '2024-03-07 08:00', '2024-03-07 08:00', []),
    ('acme/app', 'd1', 'dependabot[bot]', '2024-03-08 08:00', '2024-03-08 08:00', []),
    ('acme/app', 'b1', 'bob', '2024-03-13 08:00', '2024-03-13 08:00', []);
INSERT INTO commit_line_ages (repo_id, sha, lines_new, lines_recent, lines_old, recent_days) VALUES
    ('acme/app', 'a1', 10, 5, 5, 21),
    ('acme/app', 'a2', 0, 10, 10, 21),
    ('acme/app', 'g1', 10, 20, 10, 21),
    ('acme/app', 'g2', 0, 0, 20, 21),
    ('acme/app', 'd1', 0, 4, 0, 21),
    ('acme/app', 'b1', 10, 0, 0, 21);
INSERT INTO pr_commits (pr_id, repo_id, sha) VALUES
    ('acme/app#1', 'acme/app', 'a1'), ('acme/app#2', 'acme/app', 'a2'), ('acme/app#3', 'acme/app', 'g1'),
    ('acme/app#5', 'acme/app', 'd1');
INSERT INTO deployments (deployment_id, repo_id, environment, status, deploy_kind, started_at, finished_at,
    detection_rule, is_approximate) VALUES
    ('p1', 'acme/app', 'production', 'success', 'regular', '2024-03-04 13:00', '2024-03-04 13:10', 'import', false),
    ('p2', 'acme/app', 'production', 'success', 'regular', '2024-03-06 13:00', '2024-03-06 13:10', 'import', false),
    ('p3', 'acme/app', 'production', 'success', 'regular', '2024-03-08 13:00', '2024-03-08 13:10', 'import', false),
    ('p4', 'acme/app', 'production', 'success', 'regular', '2024-03-12 13:00', '2024-03-12 13:10', 'import', false);
"""
WINDOW = (date(2024, 3, 4), date(2024, 3, 18))
WEEKS = 2
WINDOW_START_SECONDS = 1709510400.0  # 2024-03-04 00:00 UTC
BOTS = "bot-authored commits excluded"
NO_PR = "commits in no PR excluded: the origin filter needs a PR to give them a code origin"
AGENT_PRS = "PRs from coding agents counted, not given a developer of their own"


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    path = tmp_path_factory.mktemp("agent_work") / "agent_work.duckdb"
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


def test_an_agents_commits_count_and_other_bots_stay_left_out(con):
    out = metrics(con)
    # alice's 20 + 20 lines, the agent's 40 + 20 and bob's 10; Dependabot's d1 left out. Rework 5 + 10 + 20 + 0 + 0
    # of 110, refactor 5 + 10 + 10 + 20 + 0 of 110.
    assert out["rework_rate"].value == pytest.approx(3500 / 110)
    assert out["refactor_rate"].value == pytest.approx(4500 / 110)
    assert out["rework_rate"].n_used == 5
    assert out["rework_rate"].exclusions == ((1, BOTS),)
    assert out["refactor_rate"].exclusions == ((1, BOTS),)


def test_agentic_rework_is_the_agents_commits_wherever_they_are(con):
    agentic = metrics(con, origins=("agentic",))
    # g1 (in the agent's PR 3) and g2 (in no PR): 20 of 60 lines reworked, 30 of 60 refactored.
    assert agentic["rework_rate"].value == pytest.approx(100 / 3)
    assert agentic["refactor_rate"].value == pytest.approx(50.0)
    assert agentic["rework_rate"].n_used == 2
    # bob opened an agentic PR from his own account, but he is a person: his b1, in no PR, has no origin.
    assert agentic["rework_rate"].exclusions == ((1, NO_PR),)
    # Under another origin the agent's commit in no PR is not that origin's, and is not reported as left out.
    unassisted = metrics(con, origins=("unassisted",))["rework_rate"]
    assert unassisted.value == pytest.approx(25.0)  # a1: 5 of 20
    assert set(unassisted.exclusions) == {(1, BOTS), (1, NO_PR)}  # Dependabot's d1 (in the unassisted PR 5), b1


def test_agents_are_never_developers_but_their_prs_count(con):
    out = metrics(con)
    merge = out["merge_frequency"]
    # alice's 2 PRs and the agent's 2, over one developer (alice) and two weeks; Dependabot's PR left out.
    assert merge.n_used == 4
    assert merge.details["developers"] == 1
    assert merge.value == pytest.approx(4 / 1 / WEEKS)
    assert merge.flags == (f"2 of 4: {AGENT_PRS}",)
    assert merge.exclusions == ((1, "bot-authored PRs excluded"),)
    per_dev = out["deploy_frequency_per_dev"]
    assert per_dev.details["developers"] == 1
    assert per_dev.value == pytest.approx(4 / 1 / WEEKS)
    assert per_dev.flags == (f"developers: 2 merged {AGENT_PRS}",)


def test_a_selection_of_agents_prs_has_no_developers_and_says_why(con):
    agentic = metrics(con, origins=("agentic",))
    merge = agentic["merge_frequency"]
    assert merge.value is None and merge.n_used == 2
    assert merge.empty_reason == (
        "the 2 PRs merged in the selection are coding agents': they count, but an agent is never a developer"
    )
    assert agentic["deploy_frequency_per_dev"].value is None


def test_merge_frequency_by_author_gives_the_agent_no_developer(con):
    table = breakdown(con, "merge_frequency", Filters(*WINDOW), by="author").to_pylist()
    rows = {row["key"]: (row["value"], row["n"]) for row in table}
    assert rows["alice"] == (pytest.approx(2 / 1 / WEEKS), 2)
    assert rows["copilot-swe-agent[bot]"] == (None, 2)


def test_impact_resamples_people_only_and_keeps_the_agents_prs(con):
    items = metric_items(con, "merge_frequency", Filters(*WINDOW), DEFAULT_RULES)
    assert sorted(items.actor_id, key=lambda actor: (actor is None, actor)) == ["alice", "alice", None, None]
    sample = sample_of(METRICS["merge_frequency"], items, "rate", WINDOW_START_SECONDS, 14)
    assert len(sample.units) == 1  # one person to resample: alice
    assert sample.value() == pytest.approx(4 / 1 / WEEKS)  # as the engine computes it


def test_report_json_says_agents_are_not_developers(snapshot):
    args = ["report", str(snapshot), "--from", "2024-03-04", "--to", "2024-03-18", "--format", "json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["merge_frequency"]["value"] == pytest.approx(2.0)
    assert report["merge_frequency"]["details"]["developers"] == 1
    assert report["merge_frequency"]["flags"] == [f"2 of 4: {AGENT_PRS}"]
    assert report["rework_rate"]["by_origin"]["agentic"] == {"value": pytest.approx(100 / 3), "n_used": 2}
    assert report["refactor_rate"]["by_origin"]["agentic"] == {"value": pytest.approx(50.0), "n_used": 2}


def test_the_load_summary_and_data_page_say_what_bots_lose_and_agents_keep(con):
    assert rule_effects(con, DEFAULT_RULES) == [
        "1 commit by bot accounts (not coding agents): left out with the bots",
        "not left out: 2 commits by coding agents count in rework and refactor rate",
        "not left out: 2 PRs by coding agents (copilot-swe-agent[bot]) count as their work, never as a developer's",
    ]
