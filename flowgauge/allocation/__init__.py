"""Effort allocation: which kind of work (new features, improvements, tech debt & maintenance, bugs, unplanned)
each merged PR and resolved work item was, from the rules file's [allocation] rules, and the share of each by team
and month under four weights (PRs, work items, story points, engineer-weeks)."""

from flowgauge.allocation.shares import (
    CATEGORY_NAMES,
    NO_TEAM,
    WEIGHTS,
    Allocation,
    Share,
    allocation,
    months_of,
    shares,
)

__all__ = ["CATEGORY_NAMES", "NO_TEAM", "WEIGHTS", "Allocation", "Share", "allocation", "months_of", "shares"]
