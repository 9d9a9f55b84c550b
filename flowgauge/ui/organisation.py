"""The organisation's initiatives and goals for the pages: read from the file beside the snapshot (again whenever it
changes), their impact and the goals' statuses (cached by snapshot identity), and the marks trend charts draw."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Future
from pathlib import Path

import streamlit as st

from flowgauge.errors import FlowgaugeError
from flowgauge.impact import GoalStatus, ImpactResult, goal_status, measure_impact
from flowgauge.metrics import METRICS, LinkingRules
from flowgauge.metrics.facts import prepare_facts
from flowgauge.organisation_data import Goal, Initiative, Organisation, organisation_path
from flowgauge.organisation_data import load_organisation as _load
from flowgauge.snapshot import SnapshotIdentity
from flowgauge.ui.cached import rules_in_force
from flowgauge.ui.charts import Marks, format_value
from flowgauge.ui.connection import connections
from flowgauge.ui.deferred import Deferred

_TTL_SECONDS = 3600
# Initiative verdicts and goal statuses measured off the Overview's first view: a few per initiative and goal.
_DEFERRED_KEPT = 256


def organisation_file(identity: SnapshotIdentity) -> Path:
    """Where the initiatives and goals of the snapshot are kept."""
    return organisation_path(identity.path)


def organisation(identity: SnapshotIdentity) -> tuple[Organisation, str | None]:
    """The initiatives and goals beside the snapshot, and the one-line problem when the file cannot be read (then
    none)."""
    path = organisation_file(identity)
    try:
        return _organisation(identity.path, _stamp(path)), None
    except FlowgaugeError as error:
        return Organisation(), str(error)


@st.cache_data(max_entries=16, ttl=_TTL_SECONDS, show_spinner=False)
def _organisation(snapshot_path: str, stamp: int) -> Organisation:
    return _load(snapshot_path)


def _stamp(path: Path) -> int:
    """The file's modification time: a cache key that changes with every save."""
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def impact(
    identity: SnapshotIdentity,
    initiative: str,
    metric_id: str,
    window_days: int | None,
    settle_days: int,
    statistic: str | None,
) -> ImpactResult:
    """The initiative's impact on the metric (flowgauge.impact.measure_impact) under the rules in force."""
    return _impact(
        identity, _stamp(organisation_file(identity)), initiative, metric_id, window_days, settle_days, statistic,
        rules_in_force(),
    )  # fmt: skip


@st.cache_data(max_entries=128, ttl=_TTL_SECONDS, show_spinner="Measuring the initiative's impact…")
def _impact(
    identity: SnapshotIdentity,
    stamp: int,
    name: str,
    metric_id: str,
    window_days: int | None,
    settle_days: int,
    statistic: str | None,
    rules: LinkingRules,
) -> ImpactResult:
    initiative = organisation(identity)[0].initiative(name)
    if initiative is None:
        raise FlowgaugeError(f"no initiative called {name!r}")
    with connections().cursor(identity) as cursor:
        return measure_impact(
            cursor, initiative, metric_id, rules, window_days=window_days, settle_days=settle_days, statistic=statistic
        )


@st.cache_resource(show_spinner=False)
def _deferred() -> Deferred:
    return Deferred(_DEFERRED_KEPT)


def impact_later(identity: SnapshotIdentity, initiative: Initiative, metric_id: str, settle_days: int) -> Future:
    """impact() at the initiative's own window, measured on the background thread: its future (ImpactResult, or
    the FlowgaugeError saying why there is none). The initiative itself is in the key, so an edit measures again."""
    rules = rules_in_force()

    def measure(cursor) -> ImpactResult:
        return measure_impact(cursor, initiative, metric_id, rules, settle_days=settle_days)

    return _later(("impact", identity, initiative, metric_id, settle_days, rules), identity, rules, measure)


def goal_status_later(identity: SnapshotIdentity, goal: Goal) -> Future:
    """The goal's status, measured on the background thread: its future (GoalStatus)."""
    rules = rules_in_force()

    def measure(cursor) -> GoalStatus:
        return goal_status(cursor, goal, rules)

    return _later(("goal", identity, goal, rules), identity, rules, measure)


def _later(key: tuple, identity: SnapshotIdentity, rules: LinkingRules, measure) -> Future:
    pool = connections()  # resolved here: the background thread runs outside any Streamlit session
    deferred = _deferred()

    def work():
        # Interruptible: a server stopping while this runs interrupts its statements rather than waiting for them.
        with pool.cursor(identity) as opened, deferred.interruptible(opened) as cursor:
            # The snapshot's facts first (kept already, or built now, as the page would start them anyway): the long
            # windows then only filter them, where staging each one per call cost several times more.
            prepare_facts(cursor, rules)
            return measure(cursor)

    return deferred.submit(key, work)


def in_view(
    identity: SnapshotIdentity, teams: Mapping[str, str], chosen: tuple[str, ...]
) -> tuple[tuple[Initiative, ...], tuple[Goal, ...]]:
    """The initiatives that touched a chosen team (all, when none are chosen), and the chosen teams' goals (every
    team's when none are chosen)."""
    kept = organisation(identity)[0]
    initiatives = tuple(item for item in kept.initiatives if _touches(item, teams, chosen))
    return initiatives, tuple(_goals_of(kept, teams, chosen))


def _touches(initiative: Initiative, teams: Mapping[str, str], chosen: tuple[str, ...]) -> bool:
    """Whether the initiative touched a chosen team; one naming no teams (repositories, services) always shows."""
    return (
        not chosen or not initiative.teams or bool({_team_id(team, teams) for team in initiative.teams} & set(chosen))
    )


def goals_in_view(identity: SnapshotIdentity, teams: Mapping[str, str], chosen: tuple[str, ...]) -> tuple[Goal, ...]:
    """The chosen teams' goals (every team's when none are chosen)."""
    return tuple(_goals_of(organisation(identity)[0], teams, chosen))


def goal_statuses(identity: SnapshotIdentity, teams: Mapping[str, str], chosen: tuple[str, ...]) -> list[GoalStatus]:
    """Each goal of the chosen teams (every team's when none are chosen), with where the team stands."""
    kept = organisation(identity)[0]
    return [_goal_status(identity, goal, rules_in_force()) for goal in _goals_of(kept, teams, chosen)]


def _goals_of(kept: Organisation, teams: Mapping[str, str], chosen: tuple[str, ...]) -> list[Goal]:
    return [goal for goal in kept.goals if not chosen or _team_id(goal.team, teams) in chosen]


@st.cache_data(max_entries=128, ttl=_TTL_SECONDS, show_spinner=False)
def _goal_status(identity: SnapshotIdentity, goal: Goal, rules: LinkingRules) -> GoalStatus:
    with connections().cursor(identity) as cursor:
        return goal_status(cursor, goal, rules)


def marks(
    identity: SnapshotIdentity, metric_id: str, teams: Mapping[str, str], chosen: tuple[str, ...], statistic: str
) -> Marks:
    """What a trend chart of metric_id over the chosen teams marks: the start of every initiative meant to move the
    metric (or naming none) that touched a chosen team, or any team when none are chosen; and the target of each
    chosen team's goal for the metric at the chart's statistic (a team's goal means nothing on all teams' line)."""
    kept, _ = organisation(identity)
    starts = tuple(
        (item.start, item.name)
        for item in kept.initiatives
        if (not item.metrics or metric_id in item.metrics) and _touches(item, teams, chosen)
    )
    goals = tuple(
        (goal.target, f"{teams.get(_team_id(goal.team, teams), goal.team)} goal: "
                      f"{format_value(goal.target, METRICS[metric_id].unit)} by {goal.due.isoformat()}")
        for goal in kept.goals
        if goal.metric == metric_id and _team_id(goal.team, teams) in chosen and goal.statistic in (statistic, "rate")
    )  # fmt: skip
    return Marks(starts, goals)


def goal_team_name(goal: Goal, teams: Mapping[str, str]) -> str:
    """The name of the goal's team (as written in the file when the snapshot has no such team)."""
    return teams.get(_team_id(goal.team, teams), goal.team)


def _team_id(team: str, teams: Mapping[str, str]) -> str:
    """The id of a team written by id or by name in a file (itself when the snapshot has no such team)."""
    if team in teams:
        return team
    return next((team_id for team_id, name in teams.items() if name == team), team)
