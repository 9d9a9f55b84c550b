"""The bootstrap: quantiles drawn from order statistics match resampling item by item; rates resample days (quiet
ones included) and per-person rates resample people; the seed fixes every draw."""

from __future__ import annotations

import numpy as np
import pytest

from flowgauge.impact.bootstrap import Sample, sample_of
from flowgauge.metrics import METRICS
from flowgauge.metrics.items import MetricItems

DAY = 86400


@pytest.mark.parametrize(("statistic", "q"), [("median", 0.5), ("p75", 0.75), ("p90", 0.9)])
def test_quantiles_of_resamples_match_resampling_every_item(statistic, q):
    values = np.exp(np.random.default_rng(1).normal(1.0, 1.3, 257))
    sample = Sample("distribution", statistic, values, None, 1.0, len(values))
    drawn = sample.resampled(np.random.default_rng(2), 20_000)
    index = np.random.default_rng(3).integers(0, len(values), (20_000, len(values)))
    naive = np.quantile(values[index], q, axis=1)
    assert sample.value() == pytest.approx(np.quantile(values, q))
    # Both estimate the same bootstrap distribution: its 2.5%, 50% and 97.5% points agree within Monte Carlo noise.
    np.testing.assert_allclose(np.percentile(drawn, [2.5, 50, 97.5]), np.percentile(naive, [2.5, 50, 97.5]), rtol=0.04)


def items(event_days, values, actors=None, den=None):
    n = len(values)
    return MetricItems(
        metric_id="x",
        event_at=np.asarray(event_days, dtype=np.float64) * DAY,
        actor_id=np.array(actors or ["a"] * n, dtype=object),
        value=np.asarray(values, dtype=np.float64),
        den=np.asarray(den or [1.0] * n, dtype=np.float64),
    )


def test_a_rate_resamples_days_including_those_without_deployments():
    # 6 deployments in a 14-day window: 3 a week; the 11 quiet days are part of what is resampled.
    sample = sample_of(METRICS["deploy_frequency"], items([0, 0, 1, 5, 9, 13], [1] * 6), "rate", 0.0, 14)
    assert sample.value() == pytest.approx(3.0)
    assert len(sample.units) == 14 and sample.units.sum() == 6
    drawn = sample.resampled(np.random.default_rng(0), 4000)
    assert drawn.min() < 3.0 < drawn.max() and drawn.mean() == pytest.approx(3.0, rel=0.05)


def test_a_per_person_rate_resamples_people():
    # Two people merged 3 and 1 PRs in 14 days: 2 PRs per person over 2 weeks = 1 per person per week.
    sample = sample_of(
        METRICS["merge_frequency"], items([1, 2, 3, 4], [1] * 4, ["ana", "ana", "ana", "ben"]), "rate", 0.0, 14
    )
    assert sorted(sample.units) == [1.0, 3.0]
    assert sample.value() == pytest.approx(1.0)
    assert set(np.round(sample.resampled(np.random.default_rng(0), 2000), 6)) == {0.5, 1.0, 1.5}


def test_a_ratio_resamples_items_with_their_denominators():
    sample = sample_of(
        METRICS["change_failure_rate"], items([0, 1, 2, 3], [1, 0, 0, 0], den=[1, 1, 1, 1]), "rate", 0.0, 7
    )
    assert sample.value() == pytest.approx(25.0)
    drawn = sample.resampled(np.random.default_rng(0), 2000)
    assert set(np.round(drawn, 6)) <= {0.0, 25.0, 50.0, 75.0, 100.0}


def test_the_same_seed_gives_the_same_draws():
    values = np.arange(1.0, 101.0)
    sample = Sample("distribution", "mean", values, None, 1.0, 100)
    first = sample.resampled(np.random.default_rng(7), 500)
    assert np.array_equal(first, sample.resampled(np.random.default_rng(7), 500))
    assert not np.array_equal(first, sample.resampled(np.random.default_rng(8), 500))
