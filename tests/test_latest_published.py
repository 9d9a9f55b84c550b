"""Latest published: each metric against the newest band LinearB or DORA published, naming its edition on the card;
metrics no one bands said once in the legend; the single-year sets as they were."""

from __future__ import annotations

from datetime import date

import pytest

from flowgauge.loaders.demo import save_demo
from flowgauge.metrics import METRICS, NO_PUBLISHED_BAND, Filters, MetricResult, score, tier_of
from flowgauge.metrics.benchmark_sets import DEFAULT_SET_ID, LATEST_SET_ID, load_benchmark_sets
from flowgauge.metrics.latest_published import latest_published
from flowgauge.snapshot import open_snapshot
from flowgauge.ui.scorecard import benchmark_line, unpublished_legend
from flowgauge.ui.text import plain

USER_SET = """
[set]
id = "vendor-2030"
name = "A vendor's 2030 figures"
publisher = "LinearB"
year = 2030
statistic = "p75"
tier_names = ["Elite", "Rest"]
source_url = "https://example.com/2030"
confidence = "primary"

[bands.approve_time]
unit = "hours"
direction = "lower"
thresholds = [2]
confidence = "primary"
"""


@pytest.fixture(scope="module")
def sets():
    return load_benchmark_sets()


@pytest.fixture(scope="module")
def latest(sets):
    return sets[LATEST_SET_ID]


# The newest edition banding each metric, at the statistic that edition publishes it at.
NEWEST = {
    "cycle_time": ("linearb-2026-p75", "p75"),
    "pickup_time": ("linearb-2026-p75", "p75"),
    "review_time": ("linearb-2026-p75", "p75"),
    "merge_time": ("linearb-2026-p75", "p75"),
    "deploy_time": ("linearb-2026-p75", "p75"),
    "pr_size": ("linearb-2026-p75", "p75"),
    "merge_frequency": ("linearb-2026-p75", "rate"),
    "deploy_frequency": ("linearb-2026-p75", "rate"),
    "change_failure_rate": ("linearb-2026-p75", "rate"),
    "rework_rate": ("linearb-2026-p75", "rate"),
    "refactor_rate": ("linearb-2026-p75", "rate"),
    "planning_accuracy": ("linearb-2025-p75", "rate"),  # the Elite boundary alone, as 2025 published it
    "coding_time": ("linearb-2024-p75", "p75"),  # 2025 and 2026 publish none
    "deploy_frequency_per_dev": ("linearb-2024-p75", "rate"),  # the P75 and Average columns print the same band
    "lead_time_for_changes": ("dora-2024", "median"),
    "failed_deployment_recovery_time": ("dora-2024", "median"),
    "mttr": ("dora-2021", "median"),  # the last edition to cluster time to restore service after an incident
}
UNPUBLISHED = (
    "approve_time",
    "pr_maturity",
    "deployment_rework_rate",
    "pm_prs_linked_to_issue",
    "pm_issues_linked_to_parent",
    "pm_in_progress_with_estimate",
    "pm_in_progress_with_assignee",
    "acceptance_rate",  # LinearB 2026 publishes values by code origin, not tiers (reference figures)
    "capacity_accuracy",
    "waiting_for_review_rate",
    "stale_open_prs",
    "review_load",
    "survey_score",
    "agentic_pr_share",
    "ai_assisted_pr_share",
)


def test_each_metric_takes_the_newest_published_band_and_names_its_edition(sets, latest):
    assert {metric_id: (band.origin_set_id, band.statistic) for metric_id, band in latest.bands.items()} == NEWEST
    for metric_id, band in latest.bands.items():
        origin = sets[band.origin_set_id]
        assert band == origin.band(metric_id)  # the published band itself: thresholds, tiers, source, confidence
        assert (band.origin_name, band.year) == (origin.name, origin.year)
    assert latest.bands["mttr"].origin_name == "DORA 2021 clusters" and latest.bands["mttr"].year == 2021
    assert latest.bands["coding_time"].origin_name == "LinearB 2024 (P75)"


def test_a_band_from_another_edition_or_publisher_says_so_and_the_headline_does_not(latest):
    assert latest.headline == "LinearB 2026 (P75)"
    assert latest.differs_from_headline(latest.bands["cycle_time"]) == ""
    assert latest.differs_from_headline(latest.bands["coding_time"]) == "an earlier edition"
    assert latest.differs_from_headline(latest.bands["lead_time_for_changes"]) == "another publisher"


def test_metrics_no_one_bands_stay_untiered(latest):
    assert latest.unpublished == UNPUBLISHED
    assert set(latest.bands) | set(latest.unpublished) == set(METRICS)
    approve = MetricResult("approve_time", "Approve time", "hours", "lower", "p75", 0.4, 10)
    scored = tier_of(approve, latest)
    assert (scored.tier, scored.note) == (None, NO_PUBLISHED_BAND)


def test_single_year_sets_are_unchanged_by_it(sets):
    for set_id, benchmark_set in sets.items():
        if set_id == LATEST_SET_ID:
            continue
        assert benchmark_set.unpublished == () and benchmark_set.headline == ""
        for band in benchmark_set.bands.values():
            assert band.origin_set_id == set_id and benchmark_set.differs_from_headline(band) == ""
    coding = MetricResult("coding_time", "Coding time", "hours", "lower", "p75", 0.4, 10)
    assert tier_of(coding, sets["linearb-2026-p75"]).note == "no benchmark in this set"


def test_a_users_own_sets_are_never_mixed_in(tmp_path):
    (tmp_path / "vendor.toml").write_text(USER_SET, encoding="utf-8")
    sets = load_benchmark_sets(tmp_path)
    assert sets["vendor-2030"].band("approve_time") is not None
    assert sets[LATEST_SET_ID].band("approve_time") is None
    assert sets[LATEST_SET_ID].headline == "LinearB 2026 (P75)"


def test_in_one_year_the_headline_statistic_wins_and_an_omitted_band_falls_back(sets):
    # LinearB 2024's P75 and Average columns print the same per-developer deploy band: the headline's P75 file wins.
    linearb = latest_published([sets["linearb-2024-mean"], sets["linearb-2026-p75"], sets["linearb-2024-p75"]])
    assert linearb.bands["deploy_frequency_per_dev"].origin_set_id == "linearb-2024-p75"
    assert linearb.bands["coding_time"].statistic == "p75"
    dora = latest_published([sets["dora-2023"], sets["dora-2024"]])
    assert dora.bands["lead_time_for_changes"].origin_set_id == "dora-2024"
    assert dora.bands["change_failure_rate"].origin_set_id == "dora-2023"  # DORA 2024 leaves CFR out


def test_cards_name_the_edition_and_the_statistic_they_were_tiered_at(latest, sets):
    shown = MetricResult("lead_time_for_changes", "Lead time for changes", "hours", "lower", "p75", 50.0, 40)
    at_median = MetricResult("lead_time_for_changes", "Lead time for changes", "hours", "lower", "median", 30.0, 40)
    text, tooltip = benchmark_line(shown, latest, at_median)
    assert ": High]" in text  # DORA 2024: High from 1 day to 1 week, at the median (30 h), not the P75 shown (50 h)
    assert "[DORA 2024 clusters](https://dora.dev/research/2024/dora-report/)" in text
    assert f"at the median, {plain('30.0 h')}" in text
    assert f"another publisher than {plain('LinearB 2026 (P75)')}" in text
    assert tooltip == "Tiers, best first: Elite → High → Medium → Low"
    cycle = MetricResult("cycle_time", "Cycle time", "hours", "lower", "p75", 30.0, 40)
    same = benchmark_line(cycle, sets["linearb-2026-p75"])[0]
    assert benchmark_line(cycle, latest)[0] == same  # the headline edition's card reads as under its own set
    approve = MetricResult("approve_time", "Approve time", "hours", "lower", "p75", 0.4, 10)
    assert benchmark_line(approve, latest, in_legend=True) == ("", None)
    assert benchmark_line(approve, latest)[0] == ":small[:gray[No published band (Latest published).]]"


def test_the_legend_names_the_shown_metrics_no_one_bands_once(latest, sets):
    results = {
        "approve_time": MetricResult("approve_time", "Approve time", "hours", "lower", "p75", 0.4, 10),
        "review_load": MetricResult("review_load", "Review load", "reviews", "higher", "rate", None, 0),
        "cycle_time": MetricResult("cycle_time", "Cycle time", "hours", "lower", "p75", 30.0, 40),
    }
    assert unpublished_legend(results, latest) == (
        "No published band: Approve time. No LinearB or DORA edition publishes tiers for these, so Latest "
        "published leaves them untiered rather than invent one."
    )
    assert unpublished_legend(results, sets["linearb-2026-p75"]) is None


def test_the_default_set_tiers_at_least_16_metrics_of_the_demo(tmp_path):
    path = tmp_path / "demo.duckdb"
    save_demo(path, scale=1, seed=7, end_on=date(2026, 6, 30))
    con = open_snapshot(path)
    try:
        window = Filters(start=date(2026, 4, 1), end=date(2026, 7, 1))
        scored = score(con, window, benchmark_set=load_benchmark_sets()[DEFAULT_SET_ID])
    finally:
        con.close()
    tiered = {item.result.metric_id: item for item in scored if item.tier is not None}
    assert len(tiered) >= 16, sorted(tiered)
    assert set(tiered) <= set(NEWEST)
    for metric_id, item in tiered.items():
        assert item.result.statistic == NEWEST[metric_id][1]  # computed at the statistic its band was published at
        assert item.band.origin_name and item.band.year
    for metric_id in ("lead_time_for_changes", "failed_deployment_recovery_time", "mttr", "coding_time"):
        assert metric_id in tiered
    untiered = {item.result.metric_id: item.note for item in scored if item.tier is None and item.result.value}
    assert untiered and set(untiered.values()) == {NO_PUBLISHED_BAND}
