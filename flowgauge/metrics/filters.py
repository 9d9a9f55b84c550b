"""What a metric call selects (Filters) and how events are linked (LinkingRules): plain, hashable values."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from flowgauge.errors import FlowgaugeError

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
    environments: tuple[str, ...] = ()  # production environment names to keep; empty = all matching the rule regex
    include_bots: bool = False

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
        }


class BadLinkingRule(FlowgaugeError):
    """A linking rule (environment regex, window, CFR mode) that cannot be applied."""


@dataclass(frozen=True)
class LinkingRules:
    """How incidents, deployments, PRs and bots are recognised; recorded in every result."""

    production_env_regex: str = "prod|production|live"  # matched case-insensitively against deployments.environment
    incident_window_hours: int = 48  # incident -> latest earlier deployment, and deployment -> hotfix, within this
    bot_logins: tuple[str, ...] = ()  # extra person ids / logins to treat as bots (lower case)
    cfr_mode: Literal["failed_deployments", "incidents"] = "failed_deployments"
    # Whether epics count in "issues linked to a parent": an epic's parent is an initiative most teams don't track.
    epics_need_parent: bool = False

    def __post_init__(self) -> None:
        if self.cfr_mode not in ("failed_deployments", "incidents"):
            raise BadLinkingRule(f"cfr_mode must be failed_deployments or incidents, not {self.cfr_mode!r}")
        if self.incident_window_hours <= 0:
            raise BadLinkingRule(f"incident window must be positive hours, not {self.incident_window_hours}")
        try:
            re.compile(self.production_env_regex)
        except re.error as error:
            raise BadLinkingRule(f"production environment regex {self.production_env_regex!r}: {error}") from None

    def params(self) -> dict[str, Any]:
        """The $named SQL parameters the linking rules contribute."""
        return {
            "prod_regex": self.production_env_regex,
            "window_hours": self.incident_window_hours,
            "bot_logins": [login.lower() for login in self.bot_logins],
            "cfr_mode": self.cfr_mode,
            "epics_need_parent": self.epics_need_parent,
        }

    def as_dict(self) -> dict[str, Any]:
        """The rules as plain JSON-ready values."""
        return {**asdict(self), "bot_logins": list(self.bot_logins)}


DEFAULT_RULES = LinkingRules()
