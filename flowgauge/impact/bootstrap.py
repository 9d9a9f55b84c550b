"""A metric's value over a sample of its items, and the same value over bootstrap resamples of them (vectorised numpy,
seeded, so the same snapshot always gives the same interval).

What is resampled is what the metric is made of: items for a distribution (each PR's hours) and for a ratio (each
deployment's failed / counted); days for a rate (deployments per week: a resample of items would always hold the
same number of them, so the days they fell on are drawn instead, quiet days included); people for a per-person rate
(each person's PRs or reviews, as the value divides by people).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flowgauge.metrics.catalogue import MetricDefinition
from flowgauge.metrics.items import MetricItems

DRAWS = 4000  # resamples per sample: the 2.5% and 97.5% percentiles move by well under a point between runs of seeds
_QUANTILES = {"median": 0.5, "p75": 0.75, "p90": 0.9}
_CELLS_PER_CHUNK = 2_000_000  # resample matrices are built in chunks of about this many cells (16 MB)
DAY_SECONDS = 86400
KINDS = ("distribution", "ratio", "rate", "per_person_rate")


class NotResampled(ValueError):
    """A metric whose value has no items to resample (a count at one moment, a rate over two sources)."""


@dataclass(frozen=True)
class Sample:
    """What one window's value is computed from: units to resample, and how a resample becomes the value."""

    kind: str  # distribution | ratio | rate | per_person_rate
    statistic: str  # median | p75 | p90 | mean for distributions, else rate
    units: np.ndarray  # item values, numerators, per-day sums or per-person sums
    den: np.ndarray | None  # per-item denominators of a ratio
    scale: float  # multiplier on the ratio or on the mean of the units
    n_items: int  # the metric's items behind the units

    def value(self) -> float | None:
        """The metric's value over the whole sample, as the metrics engine computes it."""
        if self.n_items == 0 or len(self.units) == 0:
            return None
        return float(self._values(np.arange(len(self.units))[None, :])[0])

    def resampled(self, rng: np.random.Generator, draws: int = DRAWS) -> np.ndarray:
        """The value over `draws` resamples (with replacement, of the sample's own size); NaN where undefined."""
        size = len(self.units)
        if size == 0:
            return np.full(draws, np.nan)
        if self.kind == "distribution" and self.statistic in _QUANTILES:
            return _resampled_quantile(np.sort(self.units), _QUANTILES[self.statistic], rng, draws)
        rows = max(1, _CELLS_PER_CHUNK // size)
        parts = [self._values(rng.integers(0, size, (min(rows, draws - done), size))) for done in range(0, draws, rows)]
        return np.concatenate(parts)

    def _values(self, index: np.ndarray) -> np.ndarray:
        drawn = self.units[index]
        if self.kind == "distribution":
            if self.statistic == "mean":
                return drawn.mean(axis=1)
            # Linear interpolation between order statistics: DuckDB's quantile_cont, which the engine uses.
            return np.quantile(drawn, _QUANTILES[self.statistic], axis=1)
        if self.kind == "ratio":
            den = self.den[index].sum(axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(den > 0, self.scale * drawn.sum(axis=1) / den, np.nan)
        return self.scale * drawn.mean(axis=1)


def _resampled_quantile(ordered: np.ndarray, q: float, rng: np.random.Generator, draws: int) -> np.ndarray:
    """The q quantile (interpolated as DuckDB's quantile_cont) of `draws` resamples of the sorted values, drawn
    exactly but without building the resamples: O(draws) rather than O(draws x n), so a million PRs cost no more.

    A resample is n values each picked uniformly, that is x[floor(n U)] for n uniform U; sorting commutes with that
    monotone map, so its k-th smallest value is x[floor(n U_(k))] with U_(k) the k-th smallest of n uniforms. That
    is Beta(k, n - k + 1), and the next one above it is U_(k) + (1 - U_(k)) Beta(1, n - k): the smallest of the
    n - k uniforms left above it. quantile_cont reads the two order statistics around (n - 1) q.
    """
    n = len(ordered)
    position = (n - 1) * q
    k = int(np.floor(position))  # 0-based: the (k + 1)-th smallest
    weight = position - k
    lower = rng.beta(k + 1, n - k, draws)
    low_values = ordered[np.minimum((n * lower).astype(np.int64), n - 1)]
    if weight == 0 or k + 1 >= n:
        return low_values
    upper = lower + (1 - lower) * rng.beta(1, n - k - 1, draws)
    high_values = ordered[np.minimum((n * upper).astype(np.int64), n - 1)]
    return low_values + weight * (high_values - low_values)


def sample_of(
    definition: MetricDefinition, items: MetricItems, statistic: str, start_seconds: float, days: int
) -> Sample:
    """The sample of a window of `days` days from start_seconds (UTC) holding the metric's items."""
    n = len(items)
    if definition.kind == "distribution":
        return Sample("distribution", statistic, items.value, None, 1.0, n)
    if definition.kind == "ratio":
        return Sample("ratio", "rate", items.value, items.den, definition.scale, n)
    if definition.kind == "rate":
        day = np.clip(((items.event_at - start_seconds) // DAY_SECONDS).astype(np.int64), 0, days - 1)
        per_day = np.bincount(day, weights=items.value, minlength=days)
        return Sample("rate", "rate", per_day, None, 7.0, n)  # mean per day x 7 = num / weeks
    if definition.kind == "per_person_rate":
        counted = np.array([actor is not None for actor in items.actor_id], dtype=bool)
        _, person = np.unique(items.actor_id[counted].astype(str), return_inverse=True)
        per_person = np.bincount(person, weights=items.value[counted]) if counted.any() else np.zeros(0)
        # Items under no one (coding agents' PRs) are in the numerator, not among the people: spread over the people
        # resampled, the mean per person is still num / people.
        if len(per_person):
            per_person = per_person + items.value[~counted].sum() / len(per_person)
        return Sample("per_person_rate", "rate", per_person, None, 7.0 / days, n)  # num / people / weeks
    ensure_resampled(definition)
    raise AssertionError(definition.kind)


def ensure_resampled(definition: MetricDefinition) -> None:
    """NotResampled, saying why, for a metric of a kind this module cannot resample."""
    if definition.kind not in KINDS:
        raise NotResampled(
            f"{definition.name} is a {definition.kind.replace('_', ' ')}: it has no items whose resampling gives "
            "an interval, so its impact is not measured"
        )
