"""Metrics: every delivery metric defined once in SQL, read-only over a snapshot."""

from flowgauge.metrics.breakdowns import BREAKDOWN_BY, PeriodChange, breakdown, compare, period_change, trend
from flowgauge.metrics.catalogue import METRICS, MetricDefinition
from flowgauge.metrics.engine import MetricResult, UnknownMetric, compute, compute_all, dora_bucket
from flowgauge.metrics.filters import DEFAULT_RULES, STATISTICS, BadLinkingRule, Filters, LinkingRules
from flowgauge.metrics.runner import query
from flowgauge.metrics.scoring import NO_BENCHMARK, Scored, score, tier_of

__all__ = [
    "BREAKDOWN_BY",
    "BadLinkingRule",
    "DEFAULT_RULES",
    "METRICS",
    "NO_BENCHMARK",
    "STATISTICS",
    "Filters",
    "LinkingRules",
    "MetricDefinition",
    "MetricResult",
    "PeriodChange",
    "Scored",
    "UnknownMetric",
    "breakdown",
    "compare",
    "compute",
    "compute_all",
    "dora_bucket",
    "period_change",
    "query",
    "score",
    "tier_of",
    "trend",
]
