"""Metrics placed in a benchmark set's tiers, each computed at the statistic its band declares."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import duckdb

from flowgauge.metrics.benchmark_sets import Band, BenchmarkSet, Tier
from flowgauge.metrics.catalogue import METRICS
from flowgauge.metrics.engine import MetricResult, compute_all
from flowgauge.metrics.filters import DEFAULT_RULES, STATISTICS, Filters, LinkingRules

NO_BENCHMARK = "no benchmark in this set"
NO_PUBLISHED_BAND = "no published band"  # a composite set's metric that no publication bands


@dataclass(frozen=True)
class Scored:
    """One metric's result with its band and tier in a benchmark set (tier None: see note)."""

    result: MetricResult
    band: Band | None
    tier: Tier | None
    note: str  # '' when tiered, else why not: no benchmark, no value, statistic or unit differs


def band_statistics(benchmark_set: BenchmarkSet, metric_ids: Iterable[str]) -> dict[str, str | None]:
    """The statistic each distribution metric's band compares at (None: no band; the metric's default applies)."""
    chosen: dict[str, str | None] = {}
    for metric_id in metric_ids:
        band = benchmark_set.band(metric_id)
        statistic = band.statistic if band is not None else None
        chosen[metric_id] = statistic if statistic in STATISTICS else None
    return chosen


def tier_statistics(benchmark_set: BenchmarkSet, metric_ids: Iterable[str], statistic: str) -> dict[str, str]:
    """The statistic each metric is tiered at: its band's for a distribution the set bands (DORA's median beside
    LinearB's P75 in Latest published), else the one the view shows."""
    return {key: value or statistic for key, value in band_statistics(benchmark_set, metric_ids).items()}


def score(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    rules: LinkingRules = DEFAULT_RULES,
    benchmark_set: BenchmarkSet | None = None,
    statistic: str | None = None,
    metric_ids: Iterable[str] | None = None,
) -> list[Scored]:
    """Every metric, computed at its band's statistic (or at `statistic` when given) and tiered against the set."""
    ids = list(metric_ids) if metric_ids is not None else list(METRICS)
    if statistic is not None:
        per_metric: str | dict[str, str] = statistic
    elif benchmark_set is not None:
        per_metric = {key: value for key, value in band_statistics(benchmark_set, ids).items() if value}
    else:
        per_metric = {}
    results = compute_all(con, filters, rules, per_metric, metric_ids=ids)
    return [tier_of(results[metric_id], benchmark_set) for metric_id in ids]


def tier_of(result: MetricResult, benchmark_set: BenchmarkSet | None) -> Scored:
    """Place one result in its band, refusing comparisons that are not like for like."""
    band = benchmark_set.band(result.metric_id) if benchmark_set is not None else None
    if band is None:
        unpublished = benchmark_set is not None and result.metric_id in benchmark_set.unpublished
        return Scored(result, None, None, NO_PUBLISHED_BAND if unpublished else NO_BENCHMARK)
    if band.unit != result.unit:
        return Scored(result, band, None, f"benchmark is in {band.unit}, the metric in {result.unit}")
    if band.statistic != result.statistic:
        return Scored(result, band, None, f"benchmark compares at {band.statistic}, computed at {result.statistic}")
    if result.value is None:
        return Scored(result, band, None, result.empty_reason or "no value")
    return Scored(result, band, band.classify(result.value), "")
