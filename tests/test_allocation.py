"""Effort allocation over a hand-built snapshot (tests/fixtures/allocation/snapshot.sql): every share below is
counted by hand from that file's rows."""

from datetime import date
from pathlib import Path

import pytest

from flowgauge.allocation import allocation, shares
from flowgauge.loaders.store import write_snapshot
from flowgauge.metrics.filters import Filters
from flowgauge.rules import load_rules
from flowgauge.snapshot import open_snapshot

SCENARIO = Path(__file__).parent / "fixtures" / "allocation" / "snapshot.sql"
SPRING = Filters(date(2024, 3, 1), date(2024, 5, 1))
MARCH, APRIL = date(2024, 3, 1), date(2024, 4, 1)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("allocation") / "alloc.duckdb"
    with write_snapshot(path, fresh=True) as writer:
        writer.con.execute(SCENARIO.read_text(encoding="utf-8"))
    connection = open_snapshot(path)
    yield connection
    connection.close()


def percents(group_shares) -> dict[str, float]:
    return {share.category: round(share.percent, 1) for share in group_shares if share.value}


def values(group_shares) -> dict[str, float]:
    return {share.category: share.value for share in group_shares if share.value}


def test_prs_weight_all_teams(con):
    result = allocation(con, SPRING)
    # 9 PRs merged by people: #1 and #9 labelled bug, #2 from feature/, #3 and #10 name the task ALP-1, #7 shipped by
    # a hotfix deployment, #8 labelled Enhancement, #4 (nothing to read) and #5 (a label no rule knows) unclassified.
    assert values(shares(result.all_teams, "prs")[()]) == {
        "new_features": 1,
        "improvements": 1,
        "tech_debt": 2,
        "bugs": 2,
        "unplanned": 1,
        "unclassified": 2,
    }
    assert percents(shares(result.all_teams, "prs")[()])["unclassified"] == 22.2
    assert result.total("prs") == 9


def test_engineer_weeks_split_each_author_week_by_its_prs(con):
    result = allocation(con, SPRING)
    # ann: week of 4 March (#1 bug, #2 feature: half each), 18 March (#7), 1 April (#5); bob: 4 March (#3), 1 April
    # (#4); cat: 11 March (#8, #9 half each), 15 April (#10): 7 author-weeks.
    assert result.total("engineer_weeks") == 7
    by_team = shares(result.by_team, "engineer_weeks", ["team_id"])
    # Alpha: ann's 3 weeks and bob's March week (#3); bob's April PR counts for Beta, his team when it merged.
    assert values(by_team[("alpha",)]) == {
        "new_features": 0.5,
        "tech_debt": 1,
        "bugs": 0.5,
        "unplanned": 1,
        "unclassified": 1,
    }
    assert percents(by_team[("alpha",)]) == {
        "new_features": 12.5,
        "tech_debt": 25.0,
        "bugs": 12.5,
        "unplanned": 25.0,
        "unclassified": 25.0,
    }
    assert percents(by_team[("beta",)]) == {
        "improvements": 16.7,
        "bugs": 16.7,
        "tech_debt": 33.3,
        "unclassified": 33.3,
    }


def test_work_items_and_points_by_team_and_month(con):
    result = allocation(con, SPRING)
    items = shares(result.by_team, "work_items", ["team_id", "month"])
    # ALP-1 (Task) and ALP-2 (story of the epic "Payments migration") in March; ALP-4 (Bug, Alpha through its
    # assignee) in April. The epic ALP-E and the sub-task ALP-3 are left out, counted.
    assert values(items[("alpha", MARCH)]) == {"tech_debt": 2}
    assert values(items[("alpha", APRIL)]) == {"bugs": 1}
    assert values(items[("beta", MARCH)]) == {"improvements": 1}  # BET-1, a story titled "Improve ..."
    assert values(items[("beta", APRIL)]) == {"unclassified": 1}  # BET-2: no type, labels or epic
    points = shares(result.all_teams, "points")[()]
    assert percents(points) == {"tech_debt": 44.4, "improvements": 44.4, "unclassified": 11.1}
    assert result.unestimated == 1  # ALP-4


def test_what_is_left_out_and_unclassified_is_counted_with_its_reason(con):
    result = allocation(con, SPRING)
    assert dict((reason, n) for n, reason in result.left_out) == {
        "bot-authored PRs (bots are left out)": 1,
        "epics (their stories and tasks are counted)": 1,
        "sub-tasks (their parent is counted)": 1,
    }
    assert dict((reason, n) for n, reason in result.unclassified) == {
        "PRs whose source gives no labels, head branch or linked work item": 1,
        "PRs no rule matched (labels, branch, title or linked work item)": 1,
        "work items whose source gives no type, labels or epic": 1,
    }


def test_bots_counted_when_included(con):
    result = allocation(con, Filters(SPRING.start, SPRING.end, include_bots=True))
    assert values(shares(result.all_teams, "prs")[()])["tech_debt"] == 3  # dependabot/ branch
    assert result.total("engineer_weeks") == 7  # a bot is no engineer


def test_team_filter_keeps_links_to_other_teams_items(con):
    result = allocation(con, Filters(SPRING.start, SPRING.end, teams=("Beta",)))
    # #10 by cat names Alpha's ALP-1 and still takes its category; #4 is bob's, in Beta since 1 April.
    assert values(shares(result.all_teams, "prs")[()]) == {
        "improvements": 1,
        "bugs": 1,
        "tech_debt": 1,
        "unclassified": 1,
    }
    assert {team for (team,) in shares(result.by_team, "prs", ["team_id"])} == {"beta"}


def test_rules_file_rules_come_first(con, tmp_path):
    path = tmp_path / "flowgauge.rules.toml"
    path.write_text('[[allocation.rules]]\ncategory = "bugs"\nlabels = "(?i)^wontfix$"\n', encoding="utf-8")
    result = allocation(con, SPRING, load_rules(path))
    assert values(shares(result.all_teams, "prs")[()])["bugs"] == 3  # #5 now a bug
    assert result.rule_counts[0] == (1, 1, 0)  # the file's rule is rule 1: one PR, no work item


def test_without_built_in_rules_only_the_files_rules_apply(con, tmp_path):
    path = tmp_path / "flowgauge.rules.toml"
    path.write_text(
        '[allocation]\ndefaults = false\n\n[[allocation.rules]]\ncategory = "bugs"\nitem_types = ["Bug"]\n\n'
        "[[allocation.rules]]\nlinked_item = true\n",
        encoding="utf-8",
    )
    result = allocation(con, SPRING, load_rules(path))
    assert values(shares(result.all_teams, "work_items")[()]) == {"bugs": 1, "unclassified": 4}
    assert values(shares(result.all_teams, "prs")[()]) == {"unclassified": 9}  # ALP-1 is no bug: nothing to take


def test_weights_are_checked(con):
    with pytest.raises(ValueError, match="unknown weight 'hours'"):
        shares(allocation(con, SPRING).all_teams, "hours")


@pytest.fixture
def with_an_agent(tmp_path):
    """The scenario plus one PR a coding agent opened (agentic, labelled bug) and its origin row; the Dependabot PR
    stays a plain bot's."""
    path = tmp_path / "agent.duckdb"
    with write_snapshot(path, fresh=True) as writer:
        writer.con.execute(SCENARIO.read_text(encoding="utf-8"))
        writer.con.execute(
            "INSERT INTO pull_requests (pr_id, repo_id, number, author_id, state, is_draft, head_branch, created_at, "
            "merged_at, labels, issue_keys, merge_commit_sha) VALUES ('acme/app#50', 'acme/app', 50, "
            "'copilot-swe-agent[bot]', 'merged', false, 'copilot/fix-login', '2024-03-11', '2024-03-12 10:00', "
            "['bug'], [], 'c50')"
        )
        writer.con.execute("INSERT INTO pr_code_origins VALUES ('acme/app#50', 'agentic', 'author login', 'Copilot')")
    connection = open_snapshot(path)
    yield connection
    connection.close()


def test_a_coding_agents_prs_count_but_carry_no_engineer_weeks(with_an_agent):
    result = allocation(with_an_agent, SPRING)
    assert result.total("prs") == 10  # the 9 people's PRs and the agent's
    assert values(shares(result.all_teams, "prs")[()])["bugs"] == 3
    assert result.total("engineer_weeks") == 7  # as without it: an agent is not an engineer
    assert dict((reason, n) for n, reason in result.left_out)["bot-authored PRs (bots are left out)"] == 1
    assert (
        "1 PR by coding agents counted in PRs merged; they carry no engineer-weeks (an agent is not an engineer)."
        in (result.notes)
    )
