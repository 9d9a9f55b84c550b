"""Initiatives and team goals: what they hold, and the checks every way of writing them (app, file, demo) shares."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from flowgauge.errors import FlowgaugeError
from flowgauge.metrics.catalogue import METRICS
from flowgauge.metrics.filters import STATISTICS

MAX_TEXT = 2000  # a note longer than this is a pasted document, not a note
MIN_WINDOW_DAYS, MAX_WINDOW_DAYS = 7, 365


class BadOrganisationData(FlowgaugeError):
    """An initiative or goal with a missing, unknown or malformed field."""


@dataclass(frozen=True)
class Initiative:
    """A piece of work meant to move some metrics: from start (UTC day) on, over the teams, repositories and services
    it touched. Its name is its key."""

    name: str
    start: date
    end: date | None = None
    teams: tuple[str, ...] = ()
    repos: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    note: str = ""
    window_days: int | None = None  # days compared before and after the start; None: the analysis default (90)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready plain values (days as YYYY-MM-DD)."""
        return {
            "name": self.name,
            "start": self.start.isoformat(),
            "end": self.end.isoformat() if self.end else None,
            "teams": list(self.teams),
            "repos": list(self.repos),
            "services": list(self.services),
            "metrics": list(self.metrics),
            "note": self.note,
            "window_days": self.window_days,
        }


@dataclass(frozen=True)
class Goal:
    """A team's target for a metric at a statistic, to reach by due (UTC day); set_on is the day it was set, the
    baseline progress is measured from. (team, metric, statistic) is its key."""

    team: str
    metric: str
    target: float
    statistic: str
    due: date
    set_on: date = field(default_factory=lambda: datetime.now(UTC).date(), compare=False)

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes two goals the same goal."""
        return (self.team, self.metric, self.statistic)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready plain values (days as YYYY-MM-DD)."""
        return {
            "team": self.team,
            "metric": self.metric,
            "target": self.target,
            "statistic": self.statistic,
            "due": self.due.isoformat(),
            "set_on": self.set_on.isoformat(),
        }


def goal_statistic(metric_id: str, statistic: str | None) -> str:
    """The statistic a goal on metric_id is judged at: the one given (distributions only), else the metric's own;
    ratios and rates have none to choose ('rate'), counts are counts."""
    definition = METRICS[metric_id]
    if not definition.takes_statistic:
        if statistic not in (None, "", "rate", "count"):
            raise BadOrganisationData(
                f"{definition.name} is a {definition.kind}: it takes no statistic, not {statistic!r}"
            )
        return "count" if definition.kind == "count" else "rate"
    chosen = statistic or definition.default_statistic
    if chosen not in STATISTICS:
        raise BadOrganisationData(f"statistic must be one of {', '.join(STATISTICS)}, not {chosen!r}")
    return chosen


def initiative_from(values: Mapping[str, Any], where: str) -> Initiative:
    """An Initiative from plain values (a TOML table, a JSON object, a form), or BadOrganisationData naming where."""
    _table(values, where)
    _only(values, {"name", "start", "end", "teams", "repos", "services", "metrics", "note", "window_days"}, where)
    name = _text(values, "name", where, required=True)
    start = _day(values, "start", where, required=True)
    end = _day(values, "end", where)
    if end is not None and start is not None and end < start:
        raise BadOrganisationData(f"{where}: end {end} is before start {start}")
    metrics = _names(values, "metrics", where)
    unknown = [metric for metric in metrics if metric not in METRICS]
    if unknown:
        raise BadOrganisationData(f"{where}: unknown metric {unknown[0]!r} in metrics; known: {', '.join(METRICS)}")
    initiative = Initiative(
        name=name,
        start=start,
        end=end,
        teams=_names(values, "teams", where),
        repos=_names(values, "repos", where),
        services=_names(values, "services", where),
        metrics=metrics,
        note=_text(values, "note", where),
        window_days=_window(values, where),
    )
    if not (initiative.teams or initiative.repos or initiative.services):
        raise BadOrganisationData(f"{where}: name at least one of teams, repos or services the initiative touched")
    return initiative


def goal_from(values: Mapping[str, Any], where: str, set_on: date | None = None) -> Goal:
    """A Goal from plain values, or BadOrganisationData naming where; set_on defaults to the values' own or today."""
    _table(values, where)
    _only(values, {"team", "metric", "target", "statistic", "due", "set_on"}, where)
    team = _text(values, "team", where, required=True)
    metric = _text(values, "metric", where, required=True)
    if metric not in METRICS:
        raise BadOrganisationData(f"{where}: unknown metric {metric!r}; known: {', '.join(METRICS)}")
    target = values.get("target")
    if isinstance(target, bool) or not isinstance(target, int | float) or not math.isfinite(target):
        raise BadOrganisationData(f"{where}: target must be a number in the metric's unit, not {target!r}")
    try:
        statistic = goal_statistic(metric, values.get("statistic"))
    except BadOrganisationData as error:
        raise BadOrganisationData(f"{where}: {error}") from None
    return Goal(
        team=team,
        metric=metric,
        target=float(target),
        statistic=statistic,
        due=_day(values, "due", where, required=True),
        set_on=_day(values, "set_on", where) or set_on or datetime.now(UTC).date(),
    )


def _window(values: Mapping[str, Any], where: str) -> int | None:
    value = values.get("window_days")
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_WINDOW_DAYS <= value <= MAX_WINDOW_DAYS:
        raise BadOrganisationData(
            f"{where}: window_days must be a whole number of days from {MIN_WINDOW_DAYS} to {MAX_WINDOW_DAYS}, "
            f"not {value!r}"
        )
    return value


def _table(values: object, where: str) -> None:
    if not isinstance(values, Mapping):
        raise BadOrganisationData(f"{where}: must be a table of keys, not {type(values).__name__}")


def _only(values: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise BadOrganisationData(f"{where}: unknown key {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}")


def _text(values: Mapping[str, Any], key: str, where: str, required: bool = False) -> str:
    value = values.get(key)
    if value is None or value == "":
        if required:
            raise BadOrganisationData(f"{where}: {key} is required")
        return ""
    if not isinstance(value, str):
        raise BadOrganisationData(f"{where}: {key} must be text, not {type(value).__name__}")
    if len(value) > MAX_TEXT:
        raise BadOrganisationData(f"{where}: {key} is {len(value)} characters long; at most {MAX_TEXT}")
    return value.strip()


def _day(values: Mapping[str, Any], key: str, where: str, required: bool = False) -> date | None:
    value = values.get(key)
    if value is None or value == "":
        if required:
            raise BadOrganisationData(f"{where}: {key} is required (a UTC day, YYYY-MM-DD)")
        return None
    if isinstance(value, date):  # TOML dates arrive as date objects
        return value
    try:
        return date.fromisoformat(str(value)) if len(str(value)) == 10 else _bad_day(key, value, where)
    except ValueError:
        return _bad_day(key, value, where)


def _bad_day(key: str, value: object, where: str) -> date:
    raise BadOrganisationData(f"{where}: {key} must be a day written YYYY-MM-DD, not {value!r}")


def _names(values: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = values.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) and item.strip() for item in value):
        raise BadOrganisationData(f"{where}: {key} must be a list of names")
    return tuple(dict.fromkeys(item.strip() for item in value))
