"""Measured improvement: what an initiative changed in a metric, with its uncertainty and a comparison group, and
how each team stands against its goals."""

from flowgauge.impact.analysis import (
    SETTLE_DAYS,
    WINDOW_DAYS,
    ImpactResult,
    UnknownScope,
    Windows,
    impact_of_all,
    measure_impact,
)
from flowgauge.impact.goals import GOAL_WINDOW_DAYS, STATUSES, GoalStatus, goal_label, goal_status
from flowgauge.impact.verdict import MIN_ITEMS, VERDICTS, Interval

__all__ = [
    "GOAL_WINDOW_DAYS",
    "STATUSES",
    "GoalStatus",
    "goal_label",
    "goal_status",
    "MIN_ITEMS",
    "SETTLE_DAYS",
    "VERDICTS",
    "WINDOW_DAYS",
    "ImpactResult",
    "Interval",
    "UnknownScope",
    "Windows",
    "impact_of_all",
    "measure_impact",
]
