"""The statement that aggregates one values source: all of its metrics, for every requested grouping, in one pass.

A values file (sql/<source>.sql) yields one row per thing it measures (a merged PR, a commit, a deployment, a
review, a sprint item, a work item, a survey answer) with

- the dimensions groupings read: event_at (UTC), repo_id, service_id, actor_id (the person the item is about),
  team_ids (the actor's or owner's teams at event_at), subject (survey question, sprint or work item) and
  point_kind (point-in-time items such as stale PRs: counted as of $end ('end'), or at a week or month end);
- one column per metric the row is an item of, named by its catalogue id: a struct with any of ITEM_FIELDS
  (value for distributions, num and den for ratios and rates, reason when the item is left out, flag when it
  was measured another way, link_rule when a linking rule tied it to a deployment or incident, and for per-person
  rates, actor: who the item counts under when that is not the row's actor_id, NULL for no one, as a coding agent's
  PR counts in the numerator but is no developer). The column is NULL when the row is not an item of that metric.

One row measuring a dozen metrics, rather than a dozen rows of one metric each, is what keeps an all-teams
selection of a million-PR snapshot fast: the rows are aggregated as they are produced (kept once in memory only
when several groupings read them), never stored as one row per metric item.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import duckdb

from flowgauge.metrics.catalogue import METRICS
from flowgauge.metrics.runner import query_rows, sql_text

ITEM_FIELDS = ("value", "num", "den", "reason", "flag", "link_rule", "actor")
_NUMBERS = ("value", "num", "den")  # read as DOUBLE whatever the values file computed them as
QUANTILES = (0.5, 0.75, 0.9)  # median, p75, p90: one sort per group serves all three
GROUPINGS = ("none", "week", "month", "team", "repo", "service", "author", "subject")
NOTE_KINDS = ("exclusion", "flag", "link")
# The parameters the statement written around a values file reads itself (the team grouping keeps the chosen teams),
# besides the file's own: what a source's aggregates depend on (source_filters.py).
AGGREGATION_PARAMETERS = frozenset({"teams"})
DIMENSIONS = ("event_at", "repo_id", "service_id", "actor_id", "team_ids", "subject", "point_kind")

# A grouping's key (teams: one row per team of the item, see _rows_for) and period.
_KEY = {
    "repo": "repo_id",
    "service": "coalesce(service_id, repo_id)",
    "author": "actor_id",
    "subject": "subject",
    "team": "team_key",
}
_PERIOD = {"week": "date_trunc('week', event_at)::DATE", "month": "date_trunc('month', event_at)::DATE"}


def column_of(metric_id: str) -> str:
    """A metric's item column in its values file, quoted (catalogue ids only: letters, digits, underscores)."""
    if metric_id not in METRICS:
        raise ValueError(f"{metric_id!r} is not a catalogue metric")
    return f'"{metric_id}"'


NOTES = "notes"  # the grouping name of aggregation_sql's note rows (never a grouping of its own)


def aggregation_sql(
    source: str,
    metric_ids: Iterable[str],
    groupings: Iterable[str],
    actor_metrics: Iterable[str],
    fields: Mapping[str, frozenset[str]],
    with_notes: bool = False,
) -> str:
    """SELECT grouping, key, period and, per metric m, "m__n" and what its kind reads: "m__quantiles" and "m__mean"
    (distributions), "m__num" (and "m__den" for ratios), "m__actors" (actor_metrics). Every count and statistic is
    over the metric's used items (reason NULL).

    with_notes adds rows whose grouping is NOTES, from the same items: per metric m, "m__exclusion" (reason),
    "m__flag" and "m__link" (link_rule) of used items, and n, how many items of the selection share that
    combination of notes. Grouping by the whole combination is one small hash table (the notes of an item are
    correlated: a bot's PR is left out of every metric), several times cheaper than counting each metric's notes
    on its own; and reading the same items as the aggregates saves producing them twice.

    fields: each metric column's struct fields (item_fields). Point-in-time items count at $end, and for a week or
    month grouping also at each period's end. Binds the source file's $parameters and $teams.
    """
    ids = tuple(metric_ids)
    declared = tuple((metric_id, tuple(sorted(fields[metric_id]))) for metric_id in ids)
    return _aggregation_sql(source, ids, tuple(groupings), tuple(actor_metrics), declared, with_notes)


_described: dict[str, dict[str, frozenset[str]]] = {}
_describing = threading.Lock()
_FIELD = re.compile(r'(?:"([^"]+)"|(\w+)) [A-Z]')


def item_fields(con: duckdb.DuckDBPyConnection, source: str, params: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    """The struct fields of each metric column of a values file, read once per process from DuckDB's description of
    the file's result (con must have the tables the file reads staged).

    Reading only the fields a file declares, rather than casting every column to one struct of all ITEM_FIELDS, is
    a fifth of an aggregation's time: a struct cast rebuilds every item's struct.
    """
    with _describing:
        known = _described.get(source)
    if known is not None:
        return known
    described = {}
    for row in query_rows(con, f"DESCRIBE (\n{sql_text(source)}\n)", params):
        column_type = row["column_type"]
        if row["column_name"] in METRICS and column_type.startswith("STRUCT("):
            names = frozenset(quoted or plain for quoted, plain in _FIELD.findall(column_type[len("STRUCT(") : -1]))
            unknown = names - set(ITEM_FIELDS)
            if unknown:
                raise ValueError(f"{source}.sql: {row['column_name']} has fields {sorted(unknown)}, not {ITEM_FIELDS}")
            described[row["column_name"]] = names
    with _describing:
        _described[source] = described
    return described


@cache
def _aggregation_sql(
    source: str,
    metric_ids: tuple[str, ...],
    groupings: tuple[str, ...],
    actors: tuple[str, ...],
    declared: tuple[tuple[str, tuple[str, ...]], ...],
    with_notes: bool,
) -> str:
    for by in groupings:
        if by not in GROUPINGS:
            raise ValueError(f"grouping must be one of {', '.join(GROUPINGS)}, not {by!r}")
    rows = "\nUNION ALL\n".join(_rows_for(by) for by in groupings)
    # Items read more than once (several groupings, or the notes too) are computed once and kept; items read
    # once are read inline, keeping only the columns their aggregates use.
    materialized = "MATERIALIZED" if len(groupings) > 1 or with_notes else "NOT MATERIALIZED"
    measures = ",\n    ".join(
        measure for metric_id in metric_ids for measure in _measures(metric_id, metric_id in actors)
    )
    notes = ""
    if with_notes:
        columns = ", ".join(f'"{metric_id}__{kind}"' for metric_id in metric_ids for kind in NOTE_KINDS)
        notes = f"""UNION ALL BY NAME
SELECT '{NOTES}' AS grouping, {columns}, count(*) AS n
FROM items
WHERE coalesce(point_kind, 'end') = 'end'
GROUP BY ALL
"""
    return f"""WITH
selected_teams AS (
    SELECT team_id FROM teams WHERE list_contains($teams::VARCHAR[], team_id) OR list_contains($teams::VARCHAR[], name)
),
items AS {materialized} (
{_items_sql(source, dict(declared), with_notes)}
),
grouped AS NOT MATERIALIZED (
{rows}
)
SELECT grouping, key, period,
    {measures}
FROM grouped
GROUP BY grouping, key, period
{notes}"""


def items_sql(source: str, fields: Mapping[str, Iterable[str]]) -> str:
    """SELECT the source's items: the DIMENSIONS and, per metric of fields (item_fields), "m__used" (1 when the item
    counts) and the fields its aggregates read ("m__value", or "m__num" and "m__den"), NULL unless used. What every
    aggregate of the metric is computed from, for callers that need the items themselves (impact's bootstrap)."""
    return _items_sql(source, fields, False)


def _items_sql(source: str, declared: Mapping[str, Iterable[str]], notes: bool) -> str:
    """The source's items: dimensions and, per metric, its fields as plain columns, NULL unless the item is used;
    with notes, also why it was left out, and how a used one was measured and linked."""
    for metric_id in declared:
        if METRICS[metric_id].source != source:
            raise ValueError(f"{metric_id} is measured by {METRICS[metric_id].source}, not {source}")
    fields = ", ".join(_fields(metric_id, set(names), notes) for metric_id, names in declared.items())
    return f"""    SELECT {", ".join(DIMENSIONS)}, {fields}
    FROM (
{sql_text(source)}
    )"""


def _fields(metric_id: str, declared: set[str], notes: bool) -> str:
    column = column_of(metric_id)

    def field(name: str) -> str:
        # A field the file does not declare is NULL for every item, as a cast to a struct of all fields would make it.
        if name not in declared:
            return "NULL::DOUBLE" if name in _NUMBERS else "NULL::VARCHAR"
        return f"{column}.{name}::DOUBLE" if name in _NUMBERS else f"{column}.{name}"

    used = f"{column} IS NOT NULL" + (f" AND {column}.reason IS NULL" if "reason" in declared else "")
    fields = [f'CASE WHEN {used} THEN {field(name)} END AS "{metric_id}__{name}"' for name in _read(metric_id)]
    fields.append(f'CASE WHEN {used} THEN 1 END AS "{metric_id}__used"')
    if METRICS[metric_id].kind == "per_person_rate":
        # Who a per-person rate counts the item under: the file's actor field where it declares one (NULL: no one).
        actor = f"{column}.actor" if "actor" in declared else "actor_id"
        fields.append(f'CASE WHEN {used} THEN {actor} END AS "{metric_id}__actor"')
    if notes:
        fields += [
            f'{field("reason")} AS "{metric_id}__exclusion"',
            f'CASE WHEN {used} THEN {field("flag")} END AS "{metric_id}__flag"',
            f'CASE WHEN {used} THEN {field("link_rule")} END AS "{metric_id}__link"',
        ]
    return ", ".join(fields)


def _rows_for(by: str) -> str:
    """The items as rows of one grouping: its name, key and period; point-in-time items at $end or period ends."""
    key = _KEY.get(by, "NULL::VARCHAR")
    period = _PERIOD.get(by, "NULL::DATE")
    source = "items"
    where = f"coalesce(point_kind, 'end') IN ('end', '{by}')"
    if by == "team":
        # An item counts once for each of its teams (none: once, with a NULL key); under a team filter a team
        # breakdown shows only the chosen teams.
        source = (
            "(SELECT *, unnest(CASE WHEN len(coalesce(team_ids, [])) = 0 THEN [NULL::VARCHAR] ELSE team_ids END)"
            " AS team_key FROM items)"
        )
        where += " AND (len($teams::VARCHAR[]) = 0 OR team_key IN (SELECT team_id FROM selected_teams))"
    columns = "* EXCLUDE (team_key)" if by == "team" else "*"
    return (
        f"    SELECT '{by}' AS grouping, {key} AS key, {period} AS period, {columns}\n    FROM {source} WHERE {where}"
    )


def _read(metric_id: str) -> tuple[str, ...]:
    """The item fields a metric's aggregates read: only these are carried, as each costs time on every item."""
    kind = METRICS[metric_id].kind
    if kind == "distribution":
        return ("value",)
    return ("num", "den") if kind == "ratio" else ("num",)


def _measures(metric_id: str, actors: bool) -> list[str]:
    """The aggregates a metric's kind reads (engine.metric_value): each costs time on every item of the source."""
    prefix = f'"{metric_id}__'
    kind = METRICS[metric_id].kind
    measures = [f'count({prefix}used") AS {prefix}n"']
    if kind == "distribution":
        quantiles = ", ".join(str(q) for q in QUANTILES)
        measures += [
            f'quantile_cont({prefix}value", [{quantiles}]) AS {prefix}quantiles"',
            f'avg({prefix}value") AS {prefix}mean"',
        ]
    else:
        measures += [f'sum({prefix}{field}") AS {prefix}{field}"' for field in _read(metric_id)]
    if actors:
        # The distinct people of a list, not count(DISTINCT ...): DuckDB answers a DISTINCT aggregate beside others by
        # first storing every row of the grouping (about a quarter of an all-teams PR aggregation at a million PRs).
        people = f'list_distinct(list({prefix}actor") FILTER ({prefix}actor" IS NOT NULL))'
        measures.append(f'coalesce(len({people}), 0) AS {prefix}actors"')
    return measures
