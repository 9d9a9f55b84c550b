"""Authors are people, bots or unknown, one rule everywhere: bots left out leaves out bots and unknown authors alike,
and merge frequency counts the same PRs in its numerator as the developers in its denominator."""

from __future__ import annotations

from datetime import date

import pytest

from flowgauge.loaders.store import write_snapshot
from flowgauge.metrics import DEFAULT_RULES, Filters, LinkingRules, compute_all
from flowgauge.rules.effects import rule_effects
from flowgauge.snapshot import open_snapshot

# Two weeks, 2024-03-04 to 2024-03-18. alice and bob are people. Three PRs have no known author: two from an app
# that GitHub reported without a login (author_id NULL) and one from a deleted account an export names 'ghost'.
# PR 6 is alice's but titled like a dependency bump. Each PR: first commit 08:00, ready 09:00, merged 12:00 on its
# day; the pickup hours (first review after ready) are in the comments.
SCENARIO = """
INSERT INTO people (person_id, display_name, is_bot) VALUES ('alice', 'Alice', false), ('bob', 'Bob', false);
INSERT INTO repositories (repo_id, name, source, default_branch, is_archived)
    VALUES ('acme/app', 'app', 'test', 'main', false);
INSERT INTO pull_requests (pr_id, repo_id, number, title, author_id, state, is_draft, created_at, ready_for_review_at,
    first_commit_at, merged_at, closed_at, lines_added, lines_deleted) VALUES
    ('acme/app#1', 'acme/app', 1, 'Add login', 'alice', 'merged', false,
     '2024-03-04 09:00', '2024-03-04 09:00', '2024-03-04 08:00', '2024-03-04 12:00', '2024-03-04 12:00', 10, 0),
    ('acme/app#2', 'acme/app', 2, 'Add logout', 'alice', 'merged', false,
     '2024-03-05 09:00', '2024-03-05 09:00', '2024-03-05 08:00', '2024-03-05 12:00', '2024-03-05 12:00', 10, 0),
    ('acme/app#3', 'acme/app', 3, 'Fix header', 'bob', 'merged', false,
     '2024-03-06 09:00', '2024-03-06 09:00', '2024-03-06 08:00', '2024-03-06 12:00', '2024-03-06 12:00', 10, 0),
    ('acme/app#4', 'acme/app', 4, 'Cherry-pick #1 to release', NULL, 'merged', false,
     '2024-03-07 09:00', '2024-03-07 09:00', '2024-03-07 08:00', '2024-03-07 12:00', '2024-03-07 12:00', 10, 0),
    ('acme/app#5', 'acme/app', 5, 'Cherry-pick #2 to release', NULL, 'merged', false,
     '2024-03-08 09:00', '2024-03-08 09:00', '2024-03-08 08:00', '2024-03-08 12:00', '2024-03-08 12:00', 10, 0),
    ('acme/app#6', 'acme/app', 6, 'Bump httpx from 0.27 to 0.28', 'alice', 'merged', false,
     '2024-03-11 09:00', '2024-03-11 09:00', '2024-03-11 08:00', '2024-03-11 12:00', '2024-03-11 12:00', 2, 2),
    ('acme/app#7', 'acme/app', 7, 'Old fix', 'ghost', 'merged', false,
     '2024-03-12 09:00', '2024-03-12 09:00', '2024-03-12 08:00', '2024-03-12 12:00', '2024-03-12 12:00', 10, 0);
INSERT INTO pr_reviews (pr_id, review_id, reviewer_id, state, submitted_at, comment_count) VALUES
    ('acme/app#1', 'r1', 'bob', 'approved', '2024-03-04 10:00', 0),   -- pickup 1 h
    ('acme/app#2', 'r2', 'bob', 'approved', '2024-03-05 10:00', 0),   -- 1 h
    ('acme/app#3', 'r3', 'alice', 'approved', '2024-03-06 11:00', 0), -- 2 h
    ('acme/app#4', 'r4', 'alice', 'approved', '2024-03-07 11:00', 0), -- 2 h
    ('acme/app#5', 'r5', 'alice', 'approved', '2024-03-08 11:00', 0), -- 2 h
    ('acme/app#6', 'r6', 'bob', 'approved', '2024-03-11 11:00', 0),   -- 2 h
    ('acme/app#7', 'r7', 'alice', 'approved', '2024-03-12 11:00', 0); -- 2 h
-- Commits with line ages: alice's and bob's, one with no author (an app's), one by a deleted account ('ghost').
INSERT INTO commits (repo_id, sha, author_id, authored_at, committed_at, parent_shas) VALUES
    ('acme/app', 'c1', 'alice', '2024-03-04 08:00', '2024-03-04 08:00', []),
    ('acme/app', 'c2', 'bob', '2024-03-06 08:00', '2024-03-06 08:00', []),
    ('acme/app', 'c3', NULL, '2024-03-07 08:00', '2024-03-07 08:00', []),
    ('acme/app', 'c4', 'ghost', '2024-03-12 08:00', '2024-03-12 08:00', []);
INSERT INTO commit_line_ages (repo_id, sha, lines_new, lines_recent, lines_old, recent_days) VALUES
    ('acme/app', 'c1', 10, 5, 5, 21),   -- rework 5 of 20
    ('acme/app', 'c2', 0, 0, 10, 21),   -- 0 of 10
    ('acme/app', 'c3', 0, 30, 0, 21),   -- 30 of 30
    ('acme/app', 'c4', 0, 0, 40, 21);   -- 0 of 40
"""
WINDOW = (date(2024, 3, 4), date(2024, 3, 18))
WEEKS = 2
BUMPS = LinkingRules(bot_title_patterns=("^Bump .+ from .+ to ",))


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("authors") / "authors.duckdb"
    with write_snapshot(path, fresh=True) as writer:
        writer.con.execute(SCENARIO)
    connection = open_snapshot(path)
    yield connection
    connection.close()


def metrics(con, include_bots: bool, rules: LinkingRules = DEFAULT_RULES):
    return compute_all(con, Filters(*WINDOW, include_bots=include_bots), rules, "median")


def test_bots_left_out_leaves_out_unknown_authors_and_says_so(con):
    out = metrics(con, include_bots=False)
    merge = out["merge_frequency"]
    # alice's 3 PRs and bob's 1; the 3 with no known author left out with the bots.
    assert (merge.n_used, merge.details["developers"]) == (4, 2)
    assert merge.value == pytest.approx(4 / 2 / WEEKS)
    assert merge.exclusions == ((3, "PRs with no known author excluded with the bots"),)
    assert out["pickup_time"].n_used == 4 and out["pickup_time"].value == pytest.approx(1.5)  # 1 1 2 2


def test_including_bots_counts_unknown_authors_as_one_developer(con):
    included = metrics(con, include_bots=True)
    merge = included["merge_frequency"]
    # 7 PRs by alice, bob and '(unknown author)': every PR counted has its author counted.
    assert (merge.n_used, merge.details["developers"]) == (7, 3)
    assert merge.value == pytest.approx(7 / 3 / WEEKS)
    assert merge.exclusions == () and merge.flags == ("3 of 7: PRs with no known author counted as one developer",)
    assert included["pickup_time"].n_used == 7 and included["pickup_time"].value == pytest.approx(2.0)  # 1 1 2 2 2 2 2
    assert included["deploy_frequency_per_dev"].details["developers"] == 3


def test_commits_with_no_known_author_are_left_out_with_the_bots(con):
    out = metrics(con, include_bots=False)["rework_rate"]
    assert out.value == pytest.approx(5 / 30 * 100)  # alice's 5 of 20 and bob's 0 of 10
    assert out.exclusions == ((2, "commits with no known author excluded with the bots"),)
    included = metrics(con, include_bots=True)["rework_rate"]
    assert included.value == pytest.approx((5 + 30) / (20 + 10 + 30 + 40) * 100) and included.exclusions == ()


def test_a_bot_title_pattern_takes_the_pr_out_with_the_bots(con):
    out = metrics(con, include_bots=False, rules=BUMPS)
    merge = out["merge_frequency"]
    assert (merge.n_used, merge.details["developers"]) == (3, 2)
    assert merge.value == pytest.approx(3 / 2 / WEEKS)
    assert dict((reason, n) for n, reason in merge.exclusions) == {
        "PRs with no known author excluded with the bots": 3,
        "bot-authored PRs excluded": 1,
    }
    assert out["pr_size"].value == pytest.approx(10.0) and out["pr_size"].n_used == 3  # the 4-line bump left out
    assert metrics(con, include_bots=True, rules=BUMPS)["merge_frequency"].n_used == 7


def test_the_data_page_lines_count_unknown_authors_and_bot_titles(con):
    assert rule_effects(con, BUMPS) == [
        "1 PR titled like a bot's ('^Bump .+ from .+ to '): left out with the bots",
        "3 PRs with no known author (no login or a deleted account): left out with the bots",
    ]
