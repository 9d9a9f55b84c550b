"""LinkingRules: the part of the rules the metrics read (production environments, bots, incident window, change
failure mode), as plain hashable values recorded in every result and keying the facts cache."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from flowgauge.errors import FlowgaugeError
from flowgauge.rules import defaults
from flowgauge.rules.patterns import any_of, pattern_error


class BadLinkingRule(FlowgaugeError):
    """A linking rule (environment regex, window, CFR mode, bot pattern) that cannot be applied."""


@dataclass(frozen=True)
class LinkingRules:
    """How incidents, deployments, PRs and bots are recognised; recorded in every result."""

    # Environments that are production, run by DuckDB's RE2 as written (the same rule the loaders keep by).
    production_env_regex: str = defaults.PRODUCTION
    incident_window_hours: int = defaults.INCIDENT_WINDOW_HOURS  # incident -> deployment, deployment -> hotfix
    bot_logins: tuple[str, ...] = ()  # person ids / logins that are bots, beside the built-in list (lower case)
    bot_login_patterns: tuple[str, ...] = ()  # RE2 patterns over person ids and logins
    bot_title_patterns: tuple[str, ...] = ()  # RE2 patterns over PR titles: such a PR is a bot's whoever opened it
    cfr_mode: Literal["failed_deployments", "incidents"] = defaults.CHANGE_FAILURE_MODE
    # Whether epics count in "issues linked to a parent": an epic's parent is an initiative most teams don't track.
    epics_need_parent: bool = defaults.EPICS_NEED_PARENT

    def __post_init__(self) -> None:
        if self.cfr_mode not in defaults.CHANGE_FAILURE_MODES:
            raise BadLinkingRule(f"cfr_mode must be failed_deployments or incidents, not {self.cfr_mode!r}")
        if isinstance(self.incident_window_hours, bool) or self.incident_window_hours <= 0:
            raise BadLinkingRule(f"incident window must be positive hours, not {self.incident_window_hours}")
        named = [("production environment regex", self.production_env_regex)]
        named += [("bot login pattern", p) for p in self.bot_login_patterns]
        named += [("bot title pattern", p) for p in self.bot_title_patterns]
        for what, pattern in named:
            error = pattern_error(pattern)
            if error:
                raise BadLinkingRule(f"{what} {pattern!r}: {error}")

    def params(self) -> dict[str, Any]:
        """The $named SQL parameters the linking rules contribute."""
        return {
            "prod_regex": self.production_env_regex,
            "window_hours": self.incident_window_hours,
            "bot_logins": sorted({login.lower() for login in (*defaults.BUILT_IN_BOT_LOGINS, *self.bot_logins)}),
            # One pattern each, so DuckDB compiles it once per statement ('' when there is none).
            "bot_login_regex": any_of(self.bot_login_patterns),
            "bot_title_regex": any_of(self.bot_title_patterns),
            "cfr_mode": self.cfr_mode,
            "epics_need_parent": self.epics_need_parent,
        }

    def as_dict(self) -> dict[str, Any]:
        """The rules as plain JSON-ready values."""
        values = asdict(self)
        return {key: list(value) if isinstance(value, tuple) else value for key, value in values.items()}


DEFAULT_RULES = LinkingRules()
