"""Where the effort went: the classified PRs and work items summed per category by team and month, under each
weight (PRs, work items, story points, engineer-weeks), with the unclassified share and what was left out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import duckdb
import pyarrow as pa

from flowgauge.allocation.classify import CLASSIFIED_TABLE, classify
from flowgauge.metrics.filters import Filters
from flowgauge.metrics.runner import private_cursor
from flowgauge.rules import DEFAULTS, Rules
from flowgauge.rules.allocation import CATEGORIES, UNCLASSIFIED, UNCLASSIFIED_NAME

# Weight ids with the name of their unit, as the page's selector and the report show them.
WEIGHTS: dict[str, str] = {
    "prs": "PRs merged",
    "work_items": "work items resolved",
    "points": "story points resolved",
    "engineer_weeks": "engineer-weeks",
}
# Every category, the unclassified last, in the order bars stack and tables list them.
CATEGORY_NAMES: dict[str, str] = {**CATEGORIES, UNCLASSIFIED: UNCLASSIFIED_NAME}
NO_TEAM = "(no team)"

_CELLS = """
SELECT
    {team_id} AS team_id, month, category,
    count(*) FILTER (WHERE kind = 'pull_request') AS prs,
    count(*) FILTER (WHERE kind = 'work_item') AS work_items,
    coalesce(sum(story_points) FILTER (WHERE kind = 'work_item'), 0) AS points,
    coalesce(sum(engineer_weeks), 0) AS engineer_weeks
FROM {source}
WHERE left_out IS NULL
GROUP BY ALL
ORDER BY ALL
"""
# A PR whose author was in two teams counts in each team; the all-teams rows count it once.
_BY_TEAM = _CELLS.format(
    team_id="team_id",
    source=f"(SELECT *, unnest(CASE WHEN len(team_ids) = 0 THEN [NULL::VARCHAR] ELSE team_ids END) AS team_id "
    f"FROM {CLASSIFIED_TABLE})",
)
_ALL_TEAMS = _CELLS.format(team_id="NULL::VARCHAR", source=CLASSIFIED_TABLE)
_COUNTS = f"""
SELECT kind, rule_no, category, unclassified_reason, left_out, count(*) AS items,
    count(*) FILTER (WHERE kind = 'work_item' AND story_points IS NULL) AS unestimated,
    count(*) FILTER (WHERE author_kind = 'agent') AS by_agents
FROM {CLASSIFIED_TABLE}
GROUP BY ALL
"""


@dataclass(frozen=True)
class Allocation:
    """A selection's effort allocation: the sums per team (or all teams), month and category, and what the numbers
    leave out. team_id None in all_teams; '' never appears (no team is None in by_team, named NO_TEAM)."""

    by_team: pa.Table  # team_id, month, category, prs, work_items, points, engineer_weeks
    all_teams: pa.Table  # the same with team_id NULL, each item once
    team_names: dict[str, str]
    unclassified: tuple[tuple[int, str], ...]  # (items, reason), most first
    left_out: tuple[tuple[int, str], ...]  # (items, reason): bots, epics, sub-tasks
    rule_counts: tuple[tuple[int, int, int], ...]  # (rule number, PRs, work items) each rule classified
    unestimated: int  # counted work items without story points (the points weight cannot count them)
    notes: tuple[str, ...]  # filters that do not apply to some items

    def team_name(self, team_id: str | None) -> str:
        """The team's display name; NO_TEAM for items of no team."""
        return NO_TEAM if team_id is None else self.team_names.get(team_id, team_id)

    def total(self, weight: str) -> float:
        """The weight summed over every category, all teams (each item once)."""
        return float(sum(self.all_teams.column(weight).to_pylist()))


def allocation(con: duckdb.DuckDBPyConnection, filters: Filters, rules: Rules = DEFAULTS) -> Allocation:
    """Classify the selection's merged PRs and resolved work items and sum them per team, month and category."""
    with private_cursor(con) as cursor:
        classify(cursor, filters, rules)
        by_team = cursor.sql(_BY_TEAM).to_arrow_table()
        all_teams = cursor.sql(_ALL_TEAMS).to_arrow_table()
        counts = cursor.execute(_COUNTS).fetchall()
        names = dict(cursor.execute("SELECT team_id, name FROM teams").fetchall())
        cursor.execute(f"DROP TABLE {CLASSIFIED_TABLE}")
    unclassified: dict[str, int] = defaultdict(int)
    left_out: dict[str, int] = defaultdict(int)
    per_rule: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    unestimated = agents_prs = 0
    for kind, rule_no, _, reason, left, items, without_points, by_agents in counts:
        if left is not None:
            left_out[left] += items
            continue
        unestimated += without_points
        agents_prs += by_agents
        if reason is not None:
            unclassified[reason] += items
        if rule_no is not None:
            per_rule[rule_no][0 if kind == "pull_request" else 1] += items
    notes = []
    if filters.repos or filters.services:
        notes.append("Work items have no repository or service: the repository and service filters apply to PRs only.")
    if agents_prs:
        notes.append(
            f"{agents_prs:,} PR{'' if agents_prs == 1 else 's'} by coding agents counted in PRs merged; they carry "
            "no engineer-weeks (an agent is not an engineer)."
        )
    return Allocation(
        by_team=by_team,
        all_teams=all_teams,
        team_names=names,
        unclassified=_most_first(unclassified),
        left_out=_most_first(left_out),
        rule_counts=tuple((rule, prs, items) for rule, (prs, items) in sorted(per_rule.items())),
        unestimated=unestimated,
        notes=tuple(notes),
    )


def _most_first(counts: dict[str, int]) -> tuple[tuple[int, str], ...]:
    return tuple(sorted(((n, reason) for reason, n in counts.items()), key=lambda pair: (-pair[0], pair[1])))


@dataclass(frozen=True)
class Share:
    """One category's part of a group (a team, a month, a team's month) under one weight."""

    category: str
    value: float
    percent: float | None  # of the group's total; None when the group's total is zero


def shares(table: pa.Table, weight: str, keys: Sequence[str] = ()) -> dict[tuple, list[Share]]:
    """Each group's categories (every category, in CATEGORY_NAMES order, zeros included) under weight, keyed by the
    values of keys ('team_id', 'month'); () gives one group, the whole table."""
    if weight not in WEIGHTS:
        raise ValueError(f"unknown weight {weight!r}; weights are {', '.join(WEIGHTS)}")
    sums: dict[tuple, dict[str, float]] = defaultdict(lambda: dict.fromkeys(CATEGORY_NAMES, 0.0))
    columns = {name: table.column(name).to_pylist() for name in (*keys, "category", weight)}
    for row in range(table.num_rows):
        group = tuple(columns[key][row] for key in keys)
        sums[group][columns["category"][row]] += float(columns[weight][row] or 0)
    result = {}
    for group in sorted(sums, key=_sort_key):
        total = sum(sums[group].values())
        result[group] = [
            Share(category, value, value / total * 100 if total else None) for category, value in sums[group].items()
        ]
    return result


def _sort_key(group: tuple) -> tuple:
    # None (no team) after every team; dates and names in their natural order.
    return tuple((value is None, value if value is not None else "") for value in group)


def months_of(table: pa.Table) -> list[date]:
    """The months the table has rows for, oldest first."""
    return sorted(set(table.column("month").to_pylist()))
