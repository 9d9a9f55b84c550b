"""Trends, breakdowns, period-over-period change and benchmark tiers on the March 2024 snapshot."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from flowgauge.loaders.store import write_snapshot
from flowgauge.metrics import (
    METRICS,
    NO_BENCHMARK,
    Filters,
    aggregate_selection,
    aggregated_with,
    breakdown,
    compute,
    group_values,
    period_change,
    results_for,
    score,
    trend,
)
from flowgauge.metrics.benchmark_sets import load_benchmark_sets
from flowgauge.snapshot import open_snapshot

FIXTURE = Path(__file__).parent / "fixtures" / "metrics" / "march_2024.sql"
MARCH = Filters(date(2024, 3, 1), date(2024, 4, 1))


def test_weekly_cycle_time_trend(con):
    # Weeks start on Monday; the window opens on Friday 03-01, inside the week of 02-26.
    # 03-04: PR1 25, PR2 37 -> 31; 03-11: PR3 25.5; 03-18: PR4 48, PR5 25 -> 36.5; 03-25: PR7 4, PR8 5.5 -> 4.75.
    assert trend(con, "cycle_time", MARCH, grain="week").to_pylist() == [
        {"period_start": date(2024, 2, 26), "value": None, "n": 0},
        {"period_start": date(2024, 3, 4), "value": 31.0, "n": 2},
        {"period_start": date(2024, 3, 11), "value": 25.5, "n": 1},
        {"period_start": date(2024, 3, 18), "value": 36.5, "n": 2},
        {"period_start": date(2024, 3, 25), "value": 4.75, "n": 2},
    ]


def test_weekly_deploy_frequency_counts_quiet_weeks_as_zero(con):
    values = [row["value"] for row in trend(con, "deploy_frequency", MARCH, grain="week").to_pylist()]
    # 03-01..03-03: none; D1, D1b, D2; D3, D3b, D3c; D4, D4r; D6, D5.
    assert values == [0.0, 3.0, 3.0, 2.0, 2.0]


def test_monthly_trend(con):
    rows = trend(con, "pr_size", MARCH, grain="month").to_pylist()
    assert rows == [{"period_start": date(2024, 3, 1), "value": 20.0, "n": 7}]


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        # PR sizes: acme/pay PR1 80, PR2 15, PR3 6, PR4 200, PR5 20; acme/web PR8 10; acme/nodeploy PR7 40.
        ("repo", [("acme/nodeploy", 40.0, 1), ("acme/pay", 20.0, 5), ("acme/web", 10.0, 1)]),
        ("service", [("acme/nodeploy", 40.0, 1), ("acme/pay", 20.0, 5), ("acme/web", 10.0, 1)]),
        ("author", [("alice", 20.0, 3), ("bob", 103.0, 2), ("carol", 25.0, 2)]),  # alice 80 15 20; bob 6 200
        ("team", [("payments", 17.5, 4), ("web", 40.0, 3)]),  # payments 80 15 6 20; web 200 40 10
    ],
)
def test_breakdowns(con, by, expected):
    rows = breakdown(con, "pr_size", MARCH, by=by).to_pylist()
    assert [(row["key"], row["value"], row["n"]) for row in rows] == expected


def test_period_change_against_the_previous_window(con):
    # February: PR12 pickup 10:00 -> 20:00 = 10 h; March median 2 h: down 80%, which is better for a time.
    change = period_change(con, "pickup_time", MARCH)
    assert change.previous.value == 10.0
    assert change.percent_change == pytest.approx(-80.0)
    assert change.better is True
    assert change.summary == "Pickup time improved 80% vs the previous 31 days"


def test_period_change_for_higher_is_better(con):
    # pr_issue links: February 0 of 1 PR, so no percent change from zero; merge frequency Feb: 1 PR by alice.
    change = period_change(con, "merge_frequency", MARCH)
    assert change.previous.value == pytest.approx(1 / 1 / (31 / 7))
    assert change.percent_change == pytest.approx((7 / 3 - 1) * 100)
    assert change.better is True
    no_base = period_change(con, "pm_prs_linked_to_issue", MARCH)
    assert (no_base.percent_change, no_base.better) == (None, None)


def test_score_uses_each_bands_statistic_and_names_missing_benchmarks(con):
    benchmark_set = load_benchmark_sets()["linearb-2024-p75"]
    scored = {item.result.metric_id: item for item in score(con, MARCH, benchmark_set=benchmark_set)}
    cycle = scored["cycle_time"]
    # P75 of 4 5.5 25 25 25.5 37 48: position 4.5 -> 25.5 + .5 x 11.5 = 31.25, in LinearB 2024's 19-66 h tier.
    assert (cycle.result.statistic, cycle.result.value) == ("p75", pytest.approx(31.25))
    assert (cycle.tier.name, cycle.tier.rank) == (benchmark_set.tier_names[1], 1)
    assert scored["merge_frequency"].result.statistic == "rate"
    assert scored["survey_score"].note == NO_BENCHMARK
    assert scored["survey_score"].tier is None


def test_score_at_a_forced_statistic_refuses_unlike_comparisons(con):
    benchmark_set = load_benchmark_sets()["linearb-2024-p75"]
    [cycle] = score(con, MARCH, benchmark_set=benchmark_set, statistic="p90", metric_ids=["cycle_time"])
    assert cycle.result.statistic == "p90"
    assert cycle.tier is None
    assert cycle.note == "benchmark compares at p75, computed at p90"


def test_compute_rejects_unknown_ids_and_statistics(con):
    from flowgauge.metrics import UnknownMetric

    with pytest.raises(UnknownMetric, match="unknown metric 'cycle'"):
        compute(con, "cycle", MARCH)
    with pytest.raises(ValueError, match="statistic must be one of"):
        compute(con, "cycle_time", MARCH, statistic="p99")


STALE_PRS = """
INSERT INTO repositories (repo_id, name, source, is_archived) VALUES ('acme/api', 'api', 'import', false);
INSERT INTO pull_requests (pr_id, repo_id, number, author_id, state, is_draft, created_at, closed_at) VALUES
    ('acme/api#1', 'acme/api', 1, 'ann', 'open', false, TIMESTAMP '2024-03-01 09:00', NULL),
    ('acme/api#2', 'acme/api', 2, 'ann', 'closed', false, TIMESTAMP '2024-03-01 09:00', TIMESTAMP '2024-03-12 09:00'),
    ('acme/api#3', 'acme/api', 3, 'ann', 'open', false, TIMESTAMP '2024-03-20 09:00', NULL);
"""


@pytest.fixture(scope="module")
def stale_con(tmp_path_factory):
    path = tmp_path_factory.mktemp("stale") / "stale.duckdb"
    with write_snapshot(path, fresh=True) as writer:
        writer.con.execute(STALE_PRS)
    connection = open_snapshot(path)
    yield connection
    connection.close()


def test_stale_open_prs_trend_counts_at_each_weeks_end(stale_con):
    # Weeks close on Mar 11, 18, 25 and at the window's end, Apr 1; stale = open then and opened 7+ days before.
    # Mar 11: #1 and #2 (closed the 12th); Mar 18: #1; Mar 25: #1 (#3 is 5 days old); Apr 1: #1 and #3.
    window = Filters(date(2024, 3, 4), date(2024, 4, 1))
    weekly = trend(stale_con, "stale_open_prs", window).to_pylist()
    assert [(row["period_start"].isoformat(), row["value"]) for row in weekly] == [
        ("2024-03-04", 2.0),
        ("2024-03-11", 1.0),
        ("2024-03-18", 1.0),
        ("2024-03-25", 2.0),
    ]
    assert compute(stale_con, "stale_open_prs", window).value == 2.0
    # One month, closing at the window's end: the same count as the window's value.
    assert [row["value"] for row in trend(stale_con, "stale_open_prs", window, grain="month").to_pylist()] == [2.0]


def test_one_aggregation_for_several_groupings_equals_each_grouping_alone(con):
    # The app aggregates the scorecard, its trends and a heatmap in one statement per source: mixing groupings
    # (the team one repeats an item per team) must not change any of them.
    groupings = ("week", "month", "team", "repo", "service", "author", "question")
    together = aggregate_selection(con, MARCH, groupings=groupings)
    for by in groupings:
        assert together.by_group[by] == aggregate_selection(con, MARCH, groupings=(by,)).by_group[by], by
    assert together.rows == aggregate_selection(con, MARCH).rows
    assert together.by_group["team"][("cycle_time", "payments")]["n"] > 0


def test_aggregating_a_metrics_own_values_files_gives_its_breakdown_unchanged(con):
    # The app's breakdowns and monthly trends aggregate only what one metric's values files measure.
    everything = aggregate_selection(con, MARCH, groupings=("team", "question", "month"))
    for metric_id in ("cycle_time", "planning_accuracy", "deploy_frequency_per_dev", "rework_rate"):
        companions = aggregated_with(metric_id)
        assert metric_id in companions and len(companions) < len(METRICS)
        alone = aggregate_selection(con, MARCH, metric_ids=companions, groupings=("team", "question", "month"))
        for by in ("team", "question", "month"):
            assert group_values(alone.by_group[by], metric_id, MARCH, "median") == group_values(
                everything.by_group[by], metric_id, MARCH, "median"
            ), (metric_id, by)
    # Per-developer rates divide by the developers who merged PRs: their PR metrics come along.
    assert "merge_frequency" in aggregated_with("deploy_frequency_per_dev")
    assert "merge_frequency" not in aggregated_with("planning_accuracy")


def test_values_without_notes_equal_values_with_them(con):
    with_notes = aggregate_selection(con, MARCH)
    without = aggregate_selection(con, MARCH, with_notes=False)
    assert without.rows == with_notes.rows and without.notes == () and with_notes.notes
    assert results_for(without)["cycle_time"].value == results_for(with_notes)["cycle_time"].value
