"""How a team stands against its goal: the metric now (the 90 days to the end of the data), at the goal's
statistic, against the target, and whether it is on track given how far it has come since the goal was set."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import duckdb

from flowgauge.impact.analysis import data_end
from flowgauge.metrics.engine import compute, definition_of
from flowgauge.metrics.filters import DEFAULT_RULES, Filters, LinkingRules
from flowgauge.metrics.runner import query
from flowgauge.organisation_data.model import Goal

GOAL_WINDOW_DAYS = 90  # the value "now" is over the 90 days to the end of the data, as the report's default window
STATUSES = ("met", "on_track", "off_track", "missed", "no_data")
_UNITS = {"hours": " h", "percent": "%"}


@dataclass(frozen=True)
class GoalStatus:
    """A goal with the metric's value now, where it started, and whether the team is on track."""

    goal: Goal
    team_name: str
    metric_name: str
    unit: str
    value: float | None  # over the GOAL_WINDOW_DAYS to as_of
    baseline: float | None  # over the GOAL_WINDOW_DAYS to the day the goal was set
    as_of: date | None  # the day after the last one the value covers (the end of the data)
    progress: float | None  # 0 at the baseline, 1 at the target (clipped to 0..1)
    elapsed: float | None  # share of the time from set_on to due gone by as_of
    status: str
    sentence: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready plain values."""
        return {
            "team": self.goal.team,
            "team_name": self.team_name,
            "metric": self.goal.metric,
            "metric_name": self.metric_name,
            "statistic": self.goal.statistic,
            "unit": self.unit,
            "target": self.goal.target,
            "due": self.goal.due.isoformat(),
            "set_on": self.goal.set_on.isoformat(),
            "value": self.value,
            "baseline": self.baseline,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "progress": self.progress,
            "elapsed": self.elapsed,
            "status": self.status,
            "sentence": self.sentence,
        }


def goal_status(con: duckdb.DuckDBPyConnection, goal: Goal, rules: LinkingRules = DEFAULT_RULES) -> GoalStatus:
    """Where the team stands against the goal at the end of the snapshot's data."""
    definition = definition_of(goal.metric)
    statistic = goal.statistic if definition.takes_statistic else None
    label = goal_label(goal)
    team_name = _team_name(con, goal.team)
    end = data_end(con)
    if team_name is None or end is None:
        why = f"no team {goal.team!r} in this snapshot" if team_name is None else "no data in this snapshot"
        return GoalStatus(goal, goal.team, definition.name, definition.unit, None, None, end, None, None, "no_data",
                          f"{goal.team}, {label}: {why}.")  # fmt: skip

    def value_to(day: date) -> float | None:
        window = Filters(day - timedelta(days=GOAL_WINDOW_DAYS), day, teams=(goal.team,))
        return compute(con, goal.metric, window, rules, statistic).value

    value = value_to(end)
    baseline = value_to(goal.set_on) if goal.set_on < end else None
    lower = definition.direction == "lower"
    met = value is not None and (value <= goal.target if lower else value >= goal.target)
    progress = _progress(baseline, value, goal.target)
    span = (goal.due - goal.set_on).days
    elapsed = min(1.0, max(0.0, (end - goal.set_on).days / span)) if span > 0 else 1.0
    if value is None:
        status = "no_data"
    elif met:
        status = "met"
    elif end > goal.due:
        status = "missed"
    elif progress is not None and progress >= elapsed:
        status = "on_track"
    else:
        status = "off_track"
    unit = _UNITS.get(definition.unit, f" {definition.unit}")
    now = "no value in the last 90 days" if value is None else f"{_number(value)}{unit} now"
    sentence = f"{team_name}, {label}: {now}, target {_number(goal.target)}{unit} by {goal.due.isoformat()}"
    words = {
        "met": "met",
        "missed": "missed",
        "no_data": "no verdict",
        "on_track": "on track",
        "off_track": "off track",
    }[status]
    detail = ""
    if status in ("on_track", "off_track") and progress is not None:
        detail = f" ({progress:.0%} of the way from {_number(baseline)}{unit}, with {elapsed:.0%} of the time gone)"
    return GoalStatus(
        goal, team_name, definition.name, definition.unit, value, baseline, end, progress, elapsed, status,
        f"{sentence}; {words}{detail}.",
    )  # fmt: skip


def goal_label(goal: Goal) -> str:
    """The goal's metric as its sentence names it: 'PR size median', 'Deployment frequency'."""
    definition = definition_of(goal.metric)
    return f"{definition.name}{' ' + goal.statistic if definition.takes_statistic else ''}"


def _progress(baseline: float | None, value: float | None, target: float) -> float | None:
    if baseline is None or value is None or baseline == target:
        return None
    return min(1.0, max(0.0, (baseline - value) / (baseline - target)))


def _team_name(con: duckdb.DuckDBPyConnection, team: str) -> str | None:
    for row in query(con, "known_scopes").to_pylist():
        if row["kind"] == "team" and team in (row["id"], row["name"]):
            return row["name"] or row["id"]
    return None


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"
