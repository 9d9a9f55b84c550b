"""What a metric call selects (Filters): plain, hashable values. How events are linked (LinkingRules) comes from the
rules file (flowgauge.rules) and is re-exported here for the metrics' callers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from flowgauge.rules.linking import DEFAULT_RULES, BadLinkingRule, LinkingRules

__all__ = ["DEFAULT_RULES", "STATISTICS", "BadLinkingRule", "Filters", "LinkingRules", "Statistic"]

Statistic = Literal["median", "p75", "p90", "mean"]
STATISTICS: tuple[Statistic, ...] = ("median", "p75", "p90", "mean")


@dataclass(frozen=True)
class Filters:
    """A selection: UTC dates [start, end), and empty tuples meaning "all"; hashable for st.cache_data."""

    start: date
    end: date
    teams: tuple[str, ...] = ()  # team ids or team names; an event counts when its person/owner is in one of them
    repos: tuple[str, ...] = ()  # repo ids ('acme/payments')
    services: tuple[str, ...] = ()  # service ids ('acme/mono:billing')
    environments: tuple[str, ...] = ()  # production environment names to keep; empty = all the production rule takes
    include_bots: bool = False
    origins: tuple[str, ...] = ()  # PR code origins to keep (agentic, ai_assisted, unassisted); empty = all

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"end {self.end} must be after start {self.start}")

    @property
    def days(self) -> int:
        """Length of the window in days."""
        return (self.end - self.start).days

    def previous(self) -> Filters:
        """The same selection over the window of equal length just before this one."""
        return replace(self, start=self.start - timedelta(days=self.days), end=self.start)

    def params(self) -> dict[str, Any]:
        """The $named SQL parameters every metric file may read."""
        return {
            "start": datetime.combine(self.start, time()),
            "end": datetime.combine(self.end, time()),
            "teams": list(self.teams),
            "repos": list(self.repos),
            "services": list(self.services),
            "environments": list(self.environments),
            "include_bots": self.include_bots,
            "origins": list(self.origins),
        }
