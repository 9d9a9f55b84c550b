"""Metrics: every delivery metric defined once in SQL, read-only over a snapshot."""

from flowgauge.metrics.breakdowns import (
    BREAKDOWN_BY,
    PeriodChange,
    breakdown,
    compare,
    group_values,
    period_change,
    period_values,
    trend,
)
from flowgauge.metrics.catalogue import METRICS, MetricDefinition
from flowgauge.metrics.engine import (
    APPROXIMATE_DEPLOYMENTS,
    MetricResult,
    SelectionAggregates,
    UnknownMetric,
    aggregate_selection,
    aggregated_with,
    compute,
    compute_all,
    dora_bucket,
    resolve_statistics,
    results_for,
)
from flowgauge.metrics.filters import DEFAULT_RULES, STATISTICS, BadLinkingRule, Filters, LinkingRules
from flowgauge.metrics.runner import query
from flowgauge.metrics.scoring import NO_BENCHMARK, NO_PUBLISHED_BAND, Scored, score, tier_of, tier_statistics

__all__ = [
    "APPROXIMATE_DEPLOYMENTS",
    "BREAKDOWN_BY",
    "BadLinkingRule",
    "DEFAULT_RULES",
    "METRICS",
    "NO_BENCHMARK",
    "NO_PUBLISHED_BAND",
    "STATISTICS",
    "Filters",
    "LinkingRules",
    "MetricDefinition",
    "MetricResult",
    "PeriodChange",
    "Scored",
    "SelectionAggregates",
    "UnknownMetric",
    "aggregate_selection",
    "aggregated_with",
    "breakdown",
    "compare",
    "compute",
    "compute_all",
    "dora_bucket",
    "group_values",
    "period_change",
    "period_values",
    "query",
    "resolve_statistics",
    "results_for",
    "score",
    "tier_of",
    "tier_statistics",
    "trend",
]
