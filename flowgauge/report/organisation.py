"""The report's initiatives and goals: each initiative's impact with its verdict, the goals on and off track, and
what the trends mark, for the teams in view (the dashboard's rules, flowgauge.ui.organisation, restated without
Streamlit: an initiative naming no team shows for every view, a team's goal only when that team is chosen)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

import duckdb

from flowgauge.impact import goal_status, impact_of_all
from flowgauge.metrics import METRICS
from flowgauge.metrics.filters import Filters
from flowgauge.organisation_data import Initiative, Organisation
from flowgauge.report.marks import TrendMarker
from flowgauge.rules.linking import LinkingRules
from flowgauge.ui.charts import format_value


@dataclass(frozen=True)
class OrganisationSections:
    """What the report shows of the organisation's own data for one view."""

    impacts: tuple[dict, ...] = ()
    goals: tuple[dict, ...] = ()
    markers: Mapping[str, tuple[TrendMarker, ...]] = field(default_factory=dict)  # metric id -> marks on its trend


def team_id(team: str, team_names: Mapping[str, str]) -> str:
    """The id of a team written by id or by name (itself when the snapshot has no such team)."""
    if team in team_names:
        return team
    return next((key for key, name in team_names.items() if name == team), team)


def touches(initiative: Initiative, team_names: Mapping[str, str], chosen: tuple[str, ...]) -> bool:
    """Whether the initiative touched a chosen team (every initiative does when none is chosen)."""
    return not chosen or not initiative.teams or bool({team_id(t, team_names) for t in initiative.teams} & set(chosen))


def organisation_sections(
    con: duckdb.DuckDBPyConnection,
    organisation: Organisation,
    filters: Filters,
    team_names: Mapping[str, str],
    statistic: str,
    rules: LinkingRules,
    every_trend: tuple[str, ...] = (),
) -> OrganisationSections:
    """Impact of the initiatives that touched the view's teams, status of their goals, and the trends' marks (an
    initiative naming no metric is marked on every_trend)."""
    chosen = tuple(team_id(team, team_names) for team in filters.teams)
    initiatives = [item for item in organisation.initiatives if touches(item, team_names, chosen)]
    goals = [goal for goal in organisation.goals if not chosen or team_id(goal.team, team_names) in chosen]
    impacts = [
        result.as_dict()
        for item in initiatives
        for result in impact_of_all(con, Organisation(initiatives=(item,)), rules)
    ]
    markers: dict[str, list[TrendMarker]] = defaultdict(list)
    for item in initiatives:
        if filters.start <= item.start < filters.end:
            for metric_id in item.metrics or every_trend:
                markers[metric_id].append(TrendMarker(item.name, day=item.start))
    for goal in goals:
        # A team's goal means nothing on several teams' line: marked only when that team alone is in view.
        if (
            goal.metric in METRICS
            and chosen == (team_id(goal.team, team_names),)
            and goal.statistic in (statistic, "rate")
        ):
            target = format_value(goal.target, METRICS[goal.metric].unit)
            name = team_names.get(chosen[0], goal.team)
            markers[goal.metric].append(
                TrendMarker(f"{name} goal: {target} by {goal.due.isoformat()}", value=goal.target)
            )
    return OrganisationSections(
        impacts=tuple(impacts),
        goals=tuple(goal_status(con, goal, rules).as_dict() for goal in goals),
        markers={metric_id: tuple(marks) for metric_id, marks in markers.items()},
    )
