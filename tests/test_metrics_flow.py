"""PR-flow metrics on the hand-built March 2024 snapshot (tests/fixtures/metrics/march_2024.sql)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from flowgauge.loaders.store import write_snapshot
from flowgauge.metrics import Filters, LinkingRules, breakdown, compute
from flowgauge.snapshot import open_snapshot

FIXTURE = Path(__file__).parent / "fixtures" / "metrics" / "march_2024.sql"
MARCH = Filters(date(2024, 3, 1), date(2024, 4, 1))
WEEKS = 31 / 7


# Per-PR phases in hours, by hand (bot PR6 left out by default):
#   PR   coding            pickup              approve         merge            review          deploy
#   1    09:00->10:00 = 1  10:00->12:00 = 2    12->14 = 2      14->16 = 2       12->16 = 4      16:00->D1 10:00 = 18
#   2    20:00->12:00 = 16 12:00->15:00 = 3    15->15 = 0      15->18 = 3       15->18 = 3      18:00->D2 09:00 = 15 (*)
#   3    09:00->09:30 = .5 self-review only: no pickup/approve/merge/review       09:30->D3 10:30 = 1
#   4    09:00->10:00 = 1  10:00->11:00 = 1    11->13 = 2      13->10(+1d) = 21 11->10(+1d) = 23 10:00->D4 09:00 = 23
#   5    08:00->09:00 = 1  09:00->11:00 = 2    11->11 = 0      11->12 = 1       11->12 = 1      12:00->D4 09:00 = 21
#   7    09:00->10:00 = 1  10:00->10:30 = .5   10:30->12 = 1.5 12->13 = 1       10:30->13 = 2.5 no deployment data
#   8    00:00->00:30 = .5 00:30->02:30 = 2    0               02:30->03:30 = 1 1               03:30->D5 05:30 = 2
# (*) not D1b at 20:00: D2's commits hold PR2's merge commit.
# PR2's draft-time review (10:00) and dependabot's review (13:00) do not count; release-helper counts unless configured.
@pytest.mark.parametrize(
    ("metric_id", "statistic", "expected", "n_used"),
    [
        ("coding_time", "median", 1.0, 7),  # sorted .5 .5 1 1 1 1 16
        ("coding_time", "mean", 3.0, 7),  # 21 / 7
        ("coding_time", "p75", 1.0, 7),  # position 6 x .75 = 4.5: between 1 and 1
        ("coding_time", "p90", 7.0, 7),  # position 5.4: 1 + .4 x (16 - 1)
        ("pickup_time", "median", 2.0, 6),  # .5 1 2 2 2 3
        ("pickup_time", "mean", 1.75, 6),  # 10.5 / 6
        ("approve_time", "median", 0.75, 6),  # 0 0 0 1.5 2 2
        ("merge_time", "median", 1.5, 6),  # 1 1 1 2 3 21
        ("merge_time", "mean", 29 / 6, 6),
        ("review_time", "median", 2.75, 6),  # 1 1 2.5 3 4 23
        ("deploy_time", "median", 16.5, 6),  # 1 2 15 18 21 23
        ("cycle_time", "median", 25.0, 7),  # 4 5.5 25 25 25.5 37 48 (PR7 to merge: 4)
        ("lead_time_for_changes", "median", 25.25, 6),  # 5.5 25 25 25.5 37 48
        ("pr_size", "median", 20.0, 7),  # 6 10 15 20 40 80 200
        ("pr_size", "mean", 53.0, 7),  # 371 / 7
    ],
)
def test_pr_phase_statistics(con, metric_id, statistic, expected, n_used):
    result = compute(con, metric_id, MARCH, statistic=statistic)
    assert result.value == pytest.approx(expected)
    assert result.n_used == n_used
    assert result.statistic == statistic
    assert result.unit == "hours" or metric_id == "pr_size"


def test_compute_all_matches_single_metric_calls(con, march):
    for metric_id in ("coding_time", "pickup_time", "deploy_time", "cycle_time", "pr_size"):
        assert march[metric_id].value == compute(con, metric_id, MARCH).value


def test_prs_without_review_and_bot_prs_are_listed_as_exclusions(march):
    # PR3 had only a self-approval; PR6 is dependabot's.
    assert march["review_time"].exclusions == (
        (1, "bot-authored PRs excluded"),
        (1, "merged without review: review time has no value"),
    )
    assert (1, "merged without approval: merge time has no value") in march["merge_time"].exclusions


def test_deploy_time_explains_prs_without_deployment_data_and_links(march):
    result = march["deploy_time"]
    # PR7 lives in acme/nodeploy, which has no deployments at all.
    assert (1, "no deployment data for their repository/service: deploy time unknown") in result.exclusions
    # PR1 by the deployment's own PR list, PR2 by its merge commit in D2, PRs 3, 4, 5, 8 by the merge-time fallback.
    assert result.details["link_rules"] == {"source": 1, "commit_ancestry": 1, "merged_since_previous": 4}


def test_cycle_time_without_deployment_data_is_measured_to_merge_and_flagged(con, march):
    assert march["cycle_time"].flags == ("1 of 7: cycle time measured to merge: no deployment data",)
    nodeploy = compute(con, "cycle_time", Filters(MARCH.start, MARCH.end, repos=("acme/nodeploy",)))
    assert nodeploy.value == 4.0  # PR7: 09:00 first commit -> 13:00 merge
    assert nodeploy.flags == ("cycle time measured to merge: no deployment data",)


def test_dst_change_counts_elapsed_hours(con):
    # PR8 spans 2024-03-31 01:00 UTC, when Europe moved its clocks: 00:30 -> 02:30 UTC is 2 h, not 3.
    web = Filters(MARCH.start, MARCH.end, repos=("acme/web",))
    assert compute(con, "pickup_time", web).value == 2.0
    assert compute(con, "cycle_time", web).value == 5.5  # 00:00 -> D5 at 05:30


def test_bots_are_included_on_request(con):
    with_bots = Filters(MARCH.start, MARCH.end, include_bots=True)
    result = compute(con, "pr_size", with_bots)
    assert result.value == 17.5  # PR6 adds 2 lines: 2 6 10 15 20 40 80 200
    assert result.exclusions == ()
    # Bot reviews still never count as pickup: PR2 keeps its 3 h.
    assert compute(con, "pickup_time", with_bots).n_used == 6


def test_configured_bot_login_stops_counting_as_review_activity(con):
    default = breakdown(con, "pickup_time", MARCH, by="author").to_pylist()
    configured = breakdown(con, "pickup_time", MARCH, LinkingRules(bot_logins=("release-helper",)), by="author")
    # carol: PR7 pickup .5 h (release-helper at 10:30) or 1 h (alice at 11:00) when release-helper is a bot; PR8 2 h.
    assert {row["key"]: row["value"] for row in default}["carol"] == 1.25
    assert {row["key"]: row["value"] for row in configured.to_pylist()}["carol"] == 1.5


def test_team_is_the_authors_team_at_merge_time(con):
    # Bob moved to Web on 03-15: PR3 (merged 03-12) is Payments', PR4 (03-20) is Web's.
    # Payments cycle: PR1 25, PR2 37, PR3 25.5, PR5 25 -> median 25.25; Web: PR4 48, PR7 4, PR8 5.5 -> 5.5.
    rows = breakdown(con, "cycle_time", MARCH, by="team").to_pylist()
    assert rows == [{"key": "payments", "value": 25.25, "n": 4}, {"key": "web", "value": 5.5, "n": 3}]
    by_name = compute(con, "cycle_time", Filters(MARCH.start, MARCH.end, teams=("Payments",)))
    assert by_name.value == 25.25


def test_maturity_is_the_size_weighted_average_of_rated_prs(march):
    # Rated (> 10 lines): PR1 80 lines x .9, PR2 15 x .1 (floor), PR4 200 x .75, PR5 20 x 1, PR7 40 x .9.
    expected = (80 * 0.9 + 15 * 0.1 + 200 * 0.75 + 20 * 1.0 + 40 * 0.9) / (80 + 15 + 200 + 20 + 40)
    assert march["pr_maturity"].value == pytest.approx(expected)
    assert (2, "PRs of 10 lines or fewer: maturity not rated") in march["pr_maturity"].exclusions


def test_merge_frequency_per_developer_per_week(march):
    # 7 merged PRs by alice, bob and carol over 31 days.
    assert march["merge_frequency"].value == pytest.approx(7 / 3 / WEEKS)
    assert march["merge_frequency"].details["developers"] == 3


def test_empty_snapshot_says_why(tmp_path):
    path = tmp_path / "empty.duckdb"
    with write_snapshot(path, fresh=True):
        pass
    connection = open_snapshot(path)
    try:
        result = compute(connection, "cycle_time", MARCH)
    finally:
        connection.close()
    assert result.value is None
    assert result.empty_reason == "no pull requests in this snapshot: load them with `flowgauge snapshot github`"


def test_window_with_no_merges_says_so(con):
    result = compute(con, "review_time", Filters(date(2023, 1, 1), date(2023, 2, 1)))
    assert (result.value, result.n_used, result.empty_reason) == (None, 0, "no PRs merged in the selection")
