"""Impact analysis on demo organisations with planted effects: the real one is found with an interval holding it,
the null one is called noise, across seeds; and the numbers are the metrics engine's own."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time

import pytest

from flowgauge.impact import MIN_ITEMS, UnknownScope, impact_of_all, measure_impact
from flowgauge.impact.bootstrap import sample_of
from flowgauge.loaders.demo import save_demo
from flowgauge.metrics import DEFAULT_RULES, METRICS, Filters, compute
from flowgauge.metrics.facts import keep_facts, warm_facts
from flowgauge.metrics.items import metric_items
from flowgauge.organisation_data import Initiative, load_organisation
from flowgauge.snapshot import open_snapshot

END = date(2026, 11, 30)
SEEDS = (1, 2, 3)
PLANTED_PERCENT = -30.0
TOLERANCE = 5.0  # points of percent: the interval must reach within this of the planted change


@pytest.fixture(scope="module")
def demos(tmp_path_factory):
    """seed -> (snapshot path, read-only connection with facts kept): full-size demos, since one team's PRs over
    the windows are what the interval is made of."""
    opened = {}
    for seed in SEEDS:
        path = tmp_path_factory.mktemp(f"demo{seed}") / "demo.duckdb"
        save_demo(path, seed=seed, end_on=END)
        con = open_snapshot(path)
        assert keep_facts(con) and warm_facts(con, DEFAULT_RULES)
        opened[seed] = (path, con)
    yield opened
    for _, con in opened.values():
        con.close()


def results_by_initiative(path, con):
    return {result.initiative: result for result in impact_of_all(con, load_organisation(path))}


@pytest.mark.parametrize("seed", SEEDS)
def test_the_planted_review_time_cut_is_found_with_an_interval_holding_it(demos, seed):
    path, con = demos[seed]
    rota = results_by_initiative(path, con)["Checkout review rota"]
    assert (rota.metric, rota.statistic, rota.verdict) == ("review_time", "median", "improved")
    assert rota.change.high < 0  # the interval excludes no change
    assert rota.change.low - TOLERANCE <= PLANTED_PERCENT <= rota.change.high + TOLERANCE
    assert abs(rota.change.estimate - PLANTED_PERCENT) < 15
    assert rota.n_before >= MIN_ITEMS and rota.n_after >= MIN_ITEMS
    assert rota.sentence.startswith(f"Review time median fell {abs(rota.change.estimate):.0f}% (95% CI ")
    assert rota.sentence.endswith("Likely a real improvement.")
    assert rota.comparison_label == "teams without the initiative"
    assert set(rota.comparison_scope) == {"Payments", "Platform", "Mobile", "Data", "Growth"}


@pytest.mark.parametrize("seed", SEEDS)
def test_the_initiative_planted_without_effect_gets_no_verdict_of_change(demos, seed):
    path, con = demos[seed]
    pairing = results_by_initiative(path, con)["Platform pairing fortnight"]
    assert pairing.verdict == "no_change"
    assert pairing.change.low < 0 < pairing.change.high
    assert "no change distinguishable from noise" in pairing.sentence


def test_before_and_after_are_the_metrics_engines_values_over_the_windows(demos):
    path, con = demos[1]
    rota = load_organisation(path).initiative("Checkout review rota")
    result = measure_impact(con, rota, "review_time")
    windows = result.windows
    assert (windows.start, windows.days) == (rota.start, 240)
    assert (windows.after_start - windows.start).days == 14  # the settling period is left out
    for (start, end), value, n in [
        ((windows.before_start, windows.start), result.before, result.n_before),
        ((windows.after_start, windows.after_end), result.after, result.n_after),
    ]:
        engine = compute(con, "review_time", Filters(start, end, teams=("checkout",)), DEFAULT_RULES, "median")
        assert value == pytest.approx(engine.value) and n == engine.n_used


@pytest.mark.parametrize(
    ("metric_id", "statistic"),
    [
        ("pickup_time", "p75"),
        ("cycle_time", "mean"),
        ("change_failure_rate", None),
        ("pr_maturity", None),
        ("deploy_frequency", None),
        ("merge_frequency", None),
        ("review_load", None),
    ],
)
def test_every_kind_of_metric_is_resampled_from_the_items_the_engine_counts(demos, metric_id, statistic):
    _, con = demos[2]
    filters = Filters(date(2026, 3, 1), date(2026, 6, 1), teams=("platform",))
    engine = compute(con, metric_id, filters, DEFAULT_RULES, statistic)
    items = metric_items(con, metric_id, filters, DEFAULT_RULES)
    start = datetime.combine(filters.start, time(), UTC).timestamp()
    sample = sample_of(METRICS[metric_id], items, engine.statistic, start, filters.days)
    assert sample.n_items == engine.n_used > 0
    assert sample.value() == pytest.approx(engine.value)


def test_the_same_snapshot_gives_the_same_interval_every_time(demos):
    path, con = demos[3]
    first = [result.as_dict() for result in impact_of_all(con, load_organisation(path))]
    again = [result.as_dict() for result in impact_of_all(con, load_organisation(path))]
    assert first == again


def test_too_few_items_gives_no_verdict_and_the_count_needed(demos):
    path, con = demos[1]
    rota = replace(load_organisation(path).initiative("Checkout review rota"), window_days=7)
    result = measure_impact(con, rota, "review_time")
    assert result.verdict == "insufficient_data" and result.items_needed == MIN_ITEMS
    assert result.n_before < MIN_ITEMS
    assert result.sentence == (
        f"Not enough data for Review time median: {result.n_before} items before and {result.n_after} after; at "
        f"least {MIN_ITEMS} on each side are needed for a verdict."
    )
    assert result.as_dict()["change_percent"] is None


def test_a_metric_without_items_to_resample_says_so(demos):
    path, con = demos[1]
    rota = load_organisation(path).initiative("Checkout review rota")
    result = measure_impact(con, rota, "stale_open_prs")
    assert result.verdict == "insufficient_data"
    assert result.sentence == (
        "Open PRs older than 7 days: Open PRs older than 7 days is a count: it has no items whose resampling gives "
        "an interval, so its impact is not measured."
    )


def test_an_initiative_that_started_after_the_data_has_no_verdict(demos):
    _, con = demos[1]
    late = Initiative("Next quarter", date(2026, 11, 25), teams=("checkout",), metrics=("review_time",))
    result = measure_impact(con, late, "review_time")
    assert result.verdict == "insufficient_data" and result.windows is None
    assert "started too recently: no data after its settling period yet" in result.sentence


def test_touching_every_team_leaves_no_comparison_group_and_the_sentence_says_so(demos):
    _, con = demos[1]
    everyone = Initiative(
        "Everyone", date(2026, 3, 1), teams=("Payments", "checkout", "platform", "mobile", "data", "growth")
    )
    result = measure_impact(con, everyone, "pr_size")
    assert result.comparison is None and result.did is None and result.comparison_label is None
    assert result.as_dict()["comparison_change_percent"] is None
    assert "teams without" not in result.sentence


def test_an_initiative_naming_a_team_the_snapshot_lacks_is_one_line(demos):
    _, con = demos[1]
    typo = Initiative("Typo", date(2026, 3, 1), teams=("Chekout",))
    with pytest.raises(UnknownScope, match="^initiative 'Typo': no team 'Chekout' in this snapshot$"):
        measure_impact(con, typo, "review_time")
