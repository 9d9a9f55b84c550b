"""Computing metrics over a snapshot: each value with its statistic, sample size, exclusions, flags and rules.

The public API (re-exported by flowgauge.metrics) that pages and the report call:
  compute_all(con, filters, rules, statistic) -> {metric_id: MetricResult}; compute(...) for one metric;
  breakdowns.trend / breakdown / period_change for one metric split by period, group or previous window;
  scoring.score(...) for tiers against a benchmark set; runner.query(con, name, **params) for any .sql file.
Filters and LinkingRules are frozen dataclasses of plain values, so Streamlit can cache on them.

Every call stages the per-item rows it needs once, in temp tables on a private cursor (fg_deploys and
fg_incidents with their links), then aggregates each values file (one row per thing measured, one column per
metric: see aggregation.py) in one DuckDB statement for every grouping asked for. The per-item facts under it come
from facts.py: kept (cached beside the snapshot) by a long-lived reader, else built per call for the selection
only. PR values read their facts directly, so a selection's PRs are never copied (fg_prs, the same PRs with every
phase, is staged only for the app's PR list).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import duckdb

from flowgauge.errors import FlowgaugeError
from flowgauge.metrics.aggregation import NOTE_KINDS, NOTES, QUANTILES, aggregation_sql, item_fields
from flowgauge.metrics.catalogue import METRICS, SOURCE_NEEDS, MetricDefinition
from flowgauge.metrics.facts import FACT_FILES, provide_facts
from flowgauge.metrics.filters import DEFAULT_RULES, STATISTICS, Filters, LinkingRules
from flowgauge.metrics.origin_scope import not_narrowed_note
from flowgauge.metrics.runner import STAGED_MACROS, define_macro, private_cursor, query_rows, sql_text, stage
from flowgauge.metrics.sprint_gaps import NO_SPRINTS
from flowgauge.metrics.sprint_gaps import empty_reason as sprint_dates_reason

BY_CHOICES = ("none", "week", "month", "team", "repo", "service", "author", "question")
# Staged after fg_bots and the facts (facts.py), in this order: each may read the ones before it.
_STAGE_FILES = {
    "fg_prs": "stage_prs",
    "fg_deploys": "stage_deploys",
    "fg_incidents": "stage_incidents",
    "fg_deploy_outcomes": "stage_deploy_outcomes",
}
# Which availability column must be non-zero for a source to have any data, and what to tell the user if not.
_NO_PULL_REQUESTS = ("pull_requests", "no pull requests in this snapshot: load them with `flowgauge snapshot github`")
_MISSING_DATA = {
    "pr_values": _NO_PULL_REQUESTS,
    "pr_open_values": _NO_PULL_REQUESTS,
    "deploy_values": (
        "production_deployments",
        "no production deployments in this snapshot match the environment "
        "rule /{regex}/: load deployments or change the rule",
    ),
    "code_values": (
        "commit_line_ages",
        "no line-age data in this snapshot: load a git clone with `flowgauge snapshot git`",
    ),
    "planning_values": ("sprints", NO_SPRINTS),
    "work_item_values": ("work_items", "no work items in this snapshot: import issues from your issue tracker"),
    "survey_values": ("survey_responses", "no survey responses in this snapshot: import a developer survey"),
    "review_values": ("pr_reviews", "no PR reviews in this snapshot"),
}
_MISSING_DATA_BY_METRIC = {"mttr": ("incidents", "no incidents in this snapshot: import incidents")}
_NOTHING_SELECTED_BY_METRIC = {
    "failed_deployment_recovery_time": "no failed production deployments in the selection",
    "mttr": "no incidents opened in the selection",
    "stale_open_prs": "no open PRs in the selection",
    "waiting_for_review_rate": "no PRs became ready for review in the selection",
}
_NOTHING_SELECTED = {
    "pr_values": "no PRs merged in the selection",
    "pr_open_values": "no PRs ready for review or open in the selection",
    "deploy_values": "no production deployments in the selection",
    "code_values": "no commits with line-age data in the selection",
    "planning_values": "no sprints ended in the selection",
    "work_item_values": "no work items with active work in the selection",
    "survey_values": "no survey answers in the selection",
    "review_values": "no reviews in the selection",
}


# Filters a source's items cannot be narrowed by, because they carry no such column: every result from that source
# says so when the filter is set, rather than silently answering for more than was selected.
_UNFILTERED_BY = {
    "code_values": {"services": "service filter not applied: commits belong to repositories, not services"},
    "planning_values": {
        "repos": "repository filter not applied: sprints belong to teams, not repositories",
        "services": "service filter not applied: sprints belong to teams, not services",
    },
    "work_item_values": {
        "repos": "repository filter not applied: work items belong to teams, not repositories",
        "services": "service filter not applied: work items belong to teams, not services",
    },
    "survey_values": {
        "repos": "repository filter not applied: survey answers belong to teams, not repositories",
        "services": "service filter not applied: survey answers belong to teams, not services",
    },
}


def _unapplied_filters(definition: MetricDefinition, filters: Filters) -> list[str]:
    chosen = {"repos": filters.repos, "services": filters.services}
    notes = [note for name, note in _UNFILTERED_BY.get(definition.source, {}).items() if chosen[name]]
    origin_note = not_narrowed_note(definition.id) if filters.origins else None
    return [*notes, origin_note] if origin_note else notes


# The flag of an item measured on inferred deployments (is_approximate: merges to the default branch standing in for
# them), word for word as deploy_values.sql and pr_values.sql write it; cards and the DORA cluster show it.
APPROXIMATE_DEPLOYMENTS = "approximate: deployments inferred from merges"


class UnknownMetric(FlowgaugeError):
    """A metric id that is not in the catalogue."""


@dataclass(frozen=True)
class MetricResult:
    """One metric's value over a selection, and everything needed to trust or question it."""

    metric_id: str
    name: str
    unit: str
    direction: str
    statistic: str  # median|p75|p90|mean for distributions; 'rate' for ratios and rates; 'count' for counts
    value: float | None
    n_used: int
    exclusions: tuple[tuple[int, str], ...] = ()  # (items left out, why), largest first
    flags: tuple[str, ...] = ()  # how the value was measured when that differs from the definition's main rule
    empty_reason: str | None = None  # why value is None
    definition: str = ""
    rules: Mapping[str, Any] = field(default_factory=dict, hash=False)
    details: Mapping[str, Any] = field(default_factory=dict, hash=False)  # link rule counts, DORA bucket, ...

    def as_dict(self) -> dict[str, Any]:
        """The result as JSON-ready plain values."""
        return {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "direction": self.direction,
            "statistic": self.statistic,
            "n_used": self.n_used,
            "exclusions": [{"count": count, "reason": reason} for count, reason in self.exclusions],
            "flags": list(self.flags),
            "empty_reason": self.empty_reason,
            "details": dict(self.details),
            "rules": dict(self.rules),
        }


def definition_of(metric_id: str) -> MetricDefinition:
    """The catalogue entry for metric_id, or UnknownMetric naming the valid ids."""
    try:
        return METRICS[metric_id]
    except KeyError:
        raise UnknownMetric(f"unknown metric {metric_id!r}; known: {', '.join(METRICS)}") from None


def resolve_statistics(metric_ids: Iterable[str], statistic: str | Mapping[str, str] | None) -> dict[str, str]:
    """The statistic per metric: the given one (or mapping entry, or default) for distributions, else rate or count."""
    chosen = {}
    for metric_id in metric_ids:
        definition = definition_of(metric_id)
        if not definition.takes_statistic:
            chosen[metric_id] = "count" if definition.kind == "count" else "rate"
            continue
        pick = statistic.get(metric_id) if isinstance(statistic, Mapping) else statistic
        pick = pick or definition.default_statistic
        if pick not in STATISTICS:
            raise ValueError(f"statistic must be one of {', '.join(STATISTICS)}, not {pick!r}")
        chosen[metric_id] = pick
    return chosen


def sources_of(metric_ids: Iterable[str]) -> tuple[str, ...]:
    """The values files (sources) the metrics are aggregated from, in the order first needed."""
    sources: list[str] = []
    for metric_id in metric_ids:
        definition = definition_of(metric_id)
        wanted = [definition.source] + (["pr_values"] if definition.kind == "per_developer_rate" else [])
        sources += [source for source in wanted if source not in sources]
    return tuple(sources)


def staged_aggregate(
    con: duckdb.DuckDBPyConnection,
    metric_ids: Iterable[str],
    filters: Filters,
    rules: LinkingRules,
    by: str = "none",
    with_notes: bool = False,
) -> tuple[dict[tuple[str, str | None], dict[str, Any]], list[dict[str, Any]], dict[str, int]]:
    """Aggregate rows per (metric_id, key), plus notes (exclusions, flags, links) and data availability."""
    parts = aggregate_sources(con, sources_of(metric_ids), filters, rules, (by,), with_notes)
    rows: dict[tuple[str, str | None], dict[str, Any]] = {}
    for part in parts.values():
        rows.update(part.grouped[by])
    return rows, _sorted_notes(parts.values()), data_available(con, rules)


@dataclass(frozen=True)
class SourceAggregates:
    """One values source's part of a selection's aggregates: every metric of the source per grouping ('none',
    'week', 'team', ...), keyed by (metric_id, period start or group key), and its notes (exclusions, flags, links;
    none unless asked for). The part depends only on the filters the source reads (source_filters.py), so a
    long-lived reader can reuse it for every selection that differs elsewhere."""

    source: str
    grouped: Mapping[str, Mapping[tuple[str, str | None], Mapping[str, Any]]]
    notes: tuple[Mapping[str, Any], ...]


def aggregate_sources(
    con: duckdb.DuckDBPyConnection,
    sources: Iterable[str],
    filters: Filters,
    rules: LinkingRules,
    groupings: Iterable[str],
    with_notes: bool,
) -> dict[str, SourceAggregates]:
    """Stage the selection once for all the sources, then aggregate each in one pass for every grouping."""
    sources, groupings = tuple(sources), tuple(groupings)
    for by in groupings:
        if by not in BY_CHOICES:
            raise ValueError(f"by must be one of {', '.join(BY_CHOICES)}, not {by!r}")
    # Staging reads $by only to know whether team lists are needed.
    staging_by = "team" if "team" in groupings else _grouping_key(groupings[0])
    # Point-in-time items (stale PRs) are counted at $end, and at period ends only for a period grouping.
    point_kinds = ["end", *(by for by in groupings if by in ("week", "month"))]
    params = {**filters.params(), **rules.params(), "by": staging_by, "point_kinds": point_kinds}
    needed = {table for source in sources for table in SOURCE_NEEDS[source]}
    with staged_tables(con, needed, filters, rules, staging_by) as cur:
        return _aggregate_staged(cur, sources, params, groupings, with_notes)


def data_available(con: duckdb.DuckDBPyConnection, rules: LinkingRules) -> dict[str, int]:
    """Whether the snapshot holds each kind of data at all (not windowed), so an empty metric says what to load."""
    return query_rows(con, sql_text("availability"), rules.params())[0]


def _grouping_key(by: str) -> str:
    # Survey questions are the subject of an answer.
    return "subject" if by == "question" else by


def _aggregate_staged(
    cur: duckdb.DuckDBPyConnection,
    sources: tuple[str, ...],
    params: dict[str, Any],
    groupings: tuple[str, ...],
    with_notes: bool,
) -> dict[str, SourceAggregates]:
    by_key = {_grouping_key(by): by for by in groupings}
    parts = {}
    for source in sources:
        # Every metric of the source: results also read their neighbours (merge_frequency's people are the
        # developers of every rate; change failure rate reports mttr's incident links). Per-developer rates are
        # deploy_frequency's rows, with no column of their own.
        ids = [
            metric_id
            for metric_id, definition in METRICS.items()
            if definition.source == source and definition.kind != "per_developer_rate"
        ]
        fields = item_fields(cur, source, params)
        text = aggregation_sql(source, ids, tuple(by_key), _ACTOR_METRICS, fields, with_notes)
        grouped: dict[str, dict[tuple[str, str | None], dict[str, Any]]] = {by: {} for by in groupings}
        rows = query_rows(cur, text, params)
        for row in rows:
            if row["grouping"] == NOTES:
                continue
            key = row["period"].isoformat() if row["period"] is not None else row["key"]
            for metric_id in ids:
                if row[f"{metric_id}__n"]:
                    grouped[by_key[row["grouping"]]][(metric_id, key)] = _aggregate_row(row, metric_id, key)
        notes = _notes_of([row for row in rows if row["grouping"] == NOTES], ids)
        parts[source] = SourceAggregates(source, grouped, tuple(sorted(notes, key=_note_order)))
    return parts


def aggregated_with(metric_id: str) -> tuple[str, ...]:
    """Every metric one aggregation of metric_id computes anyway (those of the same values files): asking for these
    together costs no more than asking for metric_id alone, and lets one cached aggregation serve them all."""
    sources = set(sources_of([metric_id]))
    return tuple(other for other, definition in METRICS.items() if definition.source in sources)


def _aggregate_row(row: Mapping[str, Any], metric_id: str, key: str | None) -> dict[str, Any]:
    """One metric's aggregates in one group, as results read them."""
    quantiles = row.get(f"{metric_id}__quantiles") or (None,) * len(QUANTILES)
    return {
        "metric_id": metric_id,
        "key": key,
        "n": row[f"{metric_id}__n"],
        "median": quantiles[0],
        "p75": quantiles[1],
        "p90": quantiles[2],
        "mean": row.get(f"{metric_id}__mean"),
        "num": row.get(f"{metric_id}__num"),
        "den": row.get(f"{metric_id}__den"),
        "actors": row.get(f"{metric_id}__actors") or 0,
    }


def _notes_of(combinations: list[dict[str, Any]], metric_ids: list[str]) -> list[dict[str, Any]]:
    """Exclusions, flags and link rules per metric over the selection, one note per distinct text, from the counts
    of each combination of notes (aggregation_sql's note rows)."""
    counts: dict[tuple[str, str, str], int] = {}
    for combination in combinations:
        for metric_id in metric_ids:
            for kind in NOTE_KINDS:
                note = combination[f"{metric_id}__{kind}"]
                if note is not None:
                    counts[(metric_id, kind, note)] = counts.get((metric_id, kind, note), 0) + combination["n"]
    return [{"metric_id": m, "kind": kind, "note": note, "n": n} for (m, kind, note), n in counts.items()]


# Metrics whose value divides by distinct people (per-person rates; merge_frequency's people are also the
# developers of per-developer rates): the only ones whose people are counted.
_ACTOR_METRICS = tuple(metric_id for metric_id, definition in METRICS.items() if definition.kind == "per_person_rate")


@dataclass(frozen=True)
class SelectionAggregates:
    """Everything one selection's results are made of, for any statistic: aggregate rows (overall and per period),
    notes on exclusions, flags and links, and which kinds of data the snapshot holds. Plain values, so the app
    caches it once and a change of statistic costs no query.
    """

    filters: Filters
    rules: LinkingRules
    metric_ids: tuple[str, ...]
    rows: Mapping[tuple[str, str | None], Mapping[str, Any]]
    notes: tuple[Mapping[str, Any], ...]
    available: Mapping[str, int]
    # Grouping ('week', 'month', 'team', ...) -> rows keyed by (metric_id, period start or group key).
    by_group: Mapping[str, Mapping[tuple[str, str | None], Mapping[str, Any]]] = field(default_factory=dict)


def aggregate_selection(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    rules: LinkingRules = DEFAULT_RULES,
    metric_ids: Iterable[str] | None = None,
    groupings: Iterable[str] = (),
    with_notes: bool = True,
) -> SelectionAggregates:
    """Stage the selection once; aggregate every metric (or the given ids) overall and per each of groupings
    (week, month, team, repo, service, author, question): one staging serves a scorecard, its trends and a heatmap.

    with_notes=False skips counting exclusions, flags and link rules (a fifth of the work at a million PRs): for
    values only, such as the previous window a change is measured against. Its results then list none.
    """
    ids = tuple(metric_ids) if metric_ids is not None else tuple(METRICS)
    groupings = selection_groupings(groupings)
    parts = aggregate_sources(con, sources_of(ids), filters, rules, groupings, with_notes)
    return combine_sources(filters, rules, ids, groupings, parts.values(), data_available(con, rules))


def selection_groupings(groupings: Iterable[str]) -> tuple[str, ...]:
    """The groupings a selection's aggregates hold: overall ('none') first, then each one asked for, once."""
    return ("none", *(by for by in dict.fromkeys(groupings) if by != "none"))


def combine_sources(
    filters: Filters,
    rules: LinkingRules,
    metric_ids: Iterable[str],
    groupings: tuple[str, ...],
    parts: Iterable[SourceAggregates],
    available: Mapping[str, int],
) -> SelectionAggregates:
    """A selection's aggregates from the parts of the sources its metrics need (aggregated for groupings, as
    selection_groupings gives them) and the data availability."""
    parts = list(parts)
    grouped: dict[str, dict[tuple[str, str | None], Mapping[str, Any]]] = {by: {} for by in groupings}
    for part in parts:
        for by in groupings:
            grouped[by].update(part.grouped[by])
    return SelectionAggregates(
        filters=filters,
        rules=rules,
        metric_ids=tuple(metric_ids),
        rows=grouped["none"],
        notes=tuple(_sorted_notes(parts)),
        available=available,
        by_group={by: grouped[by] for by in groupings[1:]},
    )


def _sorted_notes(parts: Iterable[SourceAggregates]) -> list[Mapping[str, Any]]:
    return sorted((note for part in parts for note in part.notes), key=_note_order)


def _note_order(note: Mapping[str, Any]) -> tuple[str, str, int, str]:
    # By metric and kind, the most frequent first: the order results list exclusions in. The rows a statement
    # returns come in any order, so this also makes two parts of the same selection equal.
    return (note["metric_id"], note["kind"], -note["n"], note["note"])


@contextlib.contextmanager
def staged_tables(
    con: duckdb.DuckDBPyConnection, tables: Iterable[str], filters: Filters, rules: LinkingRules, by: str = "none"
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A private cursor on which the named staged tables (fg_bots, fg_prs, fg_deploys, ...) hold the selection.

    Asking for fg_prs brings its facts too. The tables are the ones the metrics read, so a list built from them
    (the app's PR and deployment tables) shows exactly what the metrics used.
    """
    needed = with_dependencies(tables)
    params = {**filters.params(), **rules.params(), "by": by}
    with private_cursor(con) as cur:
        if "fg_bots" in needed:
            stage(cur, "fg_bots", "stage_bots", **params)
        provide_facts(cur, needed, filters, rules, by)
        if "fg_selected_prs" in needed:
            define_macro(cur, "fg_selected_prs")
        for table, file_name in _STAGE_FILES.items():
            if table in needed:
                stage(cur, table, file_name, **params)
        yield cur


def with_dependencies(tables: Iterable[str]) -> set[str]:
    """The staged tables and macros (fg_...) named, with every one they read."""
    needed = set(tables)
    if "fg_selected_prs" in needed:
        needed.add("fg_pr_facts")
    if "fg_prs" in needed:
        needed |= {"fg_bots", "fg_pr_facts"}
    if needed & {"fg_pr_facts", "fg_commit_facts", "fg_review_facts"}:
        needed.add("fg_bots")
    if "fg_deploy_outcomes" in needed:
        needed.add("fg_incidents")
    if "fg_incidents" in needed:
        needed.add("fg_deploys")
    if "fg_deploys" in needed:
        needed.add("fg_deploy_facts")
    return needed


def facts_read(source: str) -> set[str]:
    """The fact tables (facts.FACT_FILES) a values source reads, directly or through what it stages."""
    return with_dependencies(SOURCE_NEEDS[source]) & set(FACT_FILES)


def staging_files(tables: Iterable[str]) -> tuple[str, ...]:
    """The SQL files (names under sql/) that stage the tables and macros, and those they read, in staging order."""
    needed = with_dependencies(tables)
    files = ["stage_bots"] if "fg_bots" in needed else []
    files += [file_name for table, file_name in FACT_FILES.items() if table in needed]
    files += [file_name for macro, file_name in STAGED_MACROS.items() if macro in needed]
    files += [file_name for table, file_name in _STAGE_FILES.items() if table in needed]
    return tuple(files)


def metric_value(
    definition: MetricDefinition,
    row: Mapping[str, Any] | None,
    statistic: str,
    weeks: float,
    developers: int | None = None,
) -> float | None:
    """One metric's value from its aggregate row (None when nothing was measured)."""
    if definition.kind == "count":
        return float(row["num"]) if row else 0.0
    if row is None:
        return None
    if definition.kind == "distribution":
        return row[statistic]
    if definition.kind == "ratio":
        return definition.scale * row["num"] / row["den"] if row["den"] else None
    if definition.kind == "rate":
        return row["num"] / weeks
    if definition.kind == "per_person_rate":
        return row["num"] / row["actors"] / weeks if row["actors"] else None
    if definition.kind == "per_developer_rate":
        return row["num"] / developers / weeks if developers else None
    raise ValueError(f"unknown metric kind {definition.kind!r}")


def dora_bucket(deployments_per_week: float | None) -> str | None:
    """DORA deployment-frequency bucket of a weekly rate: on-demand, daily, weekly, monthly or less."""
    if deployments_per_week is None:
        return None
    per_day = deployments_per_week / 7
    if per_day >= 1:
        return "on-demand"
    if deployments_per_week >= 1:
        return "daily"
    if per_day * 30.4375 >= 1:
        return "weekly"
    if per_day * 182.625 >= 1:
        return "monthly"
    return "less"


def compute_all(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    rules: LinkingRules = DEFAULT_RULES,
    statistic: str | Mapping[str, str] | None = None,
    metric_ids: Iterable[str] | None = None,
) -> dict[str, MetricResult]:
    """Every metric (or the given ids) over the selection; statistic: one for all, a per-metric mapping, or defaults."""
    return results_for(aggregate_selection(con, filters, rules, metric_ids), statistic)


def results_for(
    aggregates: SelectionAggregates,
    statistic: str | Mapping[str, str] | None = None,
    metric_ids: Iterable[str] | None = None,
) -> dict[str, MetricResult]:
    """Each metric's (or the given ids') result from a selection's aggregates, at the given statistic; no query runs."""
    ids = list(metric_ids) if metric_ids is not None else list(aggregates.metric_ids)
    missing = [metric_id for metric_id in ids if metric_id not in aggregates.metric_ids]
    if missing:
        raise ValueError(f"not aggregated for this selection: {', '.join(missing)}")
    statistics = resolve_statistics(ids, statistic)
    rows, notes, available, rules = aggregates.rows, list(aggregates.notes), aggregates.available, aggregates.rules
    weeks = aggregates.filters.days / 7
    merge_row = rows.get(("merge_frequency", None))
    developers = merge_row["actors"] if merge_row else 0
    results = {}
    for metric_id in ids:
        definition = METRICS[metric_id]
        source_row = rows.get(("deploy_frequency" if definition.kind == "per_developer_rate" else metric_id, None))
        if definition.kind == "rate" and source_row is None and available.get("production_deployments"):
            source_row = {"num": 0.0, "n": 0}
        value = metric_value(definition, source_row, statistics[metric_id], weeks, developers)
        if not available.get(_data_column(definition)):
            value = None
        result = _result(definition, value, statistics[metric_id], source_row, notes, available, rules, developers)
        if definition.kind == "per_developer_rate" and aggregates.filters.origins:
            # Every origin's deployments over the chosen origins' developers would be a ratio of two selections.
            why = f"{not_narrowed_note(metric_id)}, over only the chosen origins' developers: no value"
            result = replace(result, value=None, empty_reason=why)
        unapplied = _unapplied_filters(definition, aggregates.filters)
        results[metric_id] = replace(result, flags=(*result.flags, *unapplied)) if unapplied else result
    return results


def compute(
    con: duckdb.DuckDBPyConnection,
    metric_id: str,
    filters: Filters,
    rules: LinkingRules = DEFAULT_RULES,
    statistic: str | None = None,
) -> MetricResult:
    """One metric over the selection, at the given statistic (default: the metric's own)."""
    return compute_all(con, filters, rules, statistic, metric_ids=[metric_id])[metric_id]


def _result(
    definition: MetricDefinition,
    value: float | None,
    statistic: str,
    row: Mapping[str, Any] | None,
    notes: list[dict[str, Any]],
    available: Mapping[str, int],
    rules: LinkingRules,
    developers: int,
) -> MetricResult:
    note_id = "deploy_frequency" if definition.kind == "per_developer_rate" else definition.id
    mine = [note for note in notes if note["metric_id"] == note_id]
    n_used = int(row["n"]) if row else 0
    exclusions = tuple((int(note["n"]), note["note"]) for note in mine if note["kind"] == "exclusion")
    flags = [
        note["note"] if note["n"] == n_used else f"{note['n']} of {n_used}: {note['note']}"
        for note in mine
        if note["kind"] == "flag"
    ]
    if definition.kind == "per_developer_rate":
        # Its developers are merge frequency's: how that counted them (agents, unknown authors) holds here too.
        flags += [
            _developers_note(note)
            for note in notes
            if note["metric_id"] == "merge_frequency" and note["kind"] == "flag"
        ]
    link_source = "mttr" if definition.id == "change_failure_rate" else note_id
    links = {
        note["note"]: int(note["n"]) for note in notes if note["metric_id"] == link_source and note["kind"] == "link"
    }
    details: dict[str, Any] = {"link_rules": links} if links else {}
    if definition.id == "deploy_frequency":
        details["dora_bucket"] = dora_bucket(value)
    if definition.kind in ("per_developer_rate", "rate") or definition.id == "merge_frequency":
        details["developers"] = developers
    if definition.id == "change_failure_rate" and rules.cfr_mode == "incidents" and value is not None and value > 100:
        flags.append("incidents outnumber deployments: above 100% under the incidents rule")
    return MetricResult(
        metric_id=definition.id,
        name=definition.name,
        unit=definition.unit,
        direction=definition.direction,
        statistic=statistic,
        value=value,
        n_used=n_used,
        exclusions=exclusions,
        flags=tuple(flags),
        empty_reason=None if value is not None else _empty_reason(definition, exclusions, available, rules, row),
        definition=definition.definition,
        rules=rules.as_dict(),
        details=details,
    )


def _data_column(definition: MetricDefinition) -> str:
    return _MISSING_DATA_BY_METRIC.get(definition.id, _MISSING_DATA[definition.source])[0]


def _developers_note(note: Mapping[str, Any]) -> str:
    """A merge frequency flag about who counted as a developer, as a per-developer rate's flag."""
    return f"developers: {int(note['n'])} merged {note['note']}"


def _empty_reason(
    definition: MetricDefinition,
    exclusions: tuple[tuple[int, str], ...],
    available: Mapping[str, int],
    rules: LinkingRules,
    row: Mapping[str, Any] | None = None,
) -> str:
    column, message = _MISSING_DATA_BY_METRIC.get(definition.id, _MISSING_DATA[definition.source])
    if definition.kind == "per_developer_rate" and not available.get(column):
        return message.format(regex=rules.production_env_regex)
    if definition.kind == "per_developer_rate":
        return "no developers merged a PR in the selection (a coding agent is never a developer)"
    if definition.kind == "per_person_rate" and row and row["n"]:
        # merge_frequency's only items under no one are coding agents' PRs (pr_values.sql).
        return (
            f"the {int(row['n'])} PRs merged in the selection are coding agents': they count, but an agent is never "
            "a developer"
        )
    if not available.get(column):
        return message.format(regex=rules.production_env_regex)
    if exclusions:
        total = sum(count for count, _ in exclusions)
        return f"all {total} items were left out: {exclusions[0][1]}"
    nothing = _NOTHING_SELECTED_BY_METRIC.get(definition.id, _NOTHING_SELECTED[definition.source])
    # Sprints without dates never end in a window: say so, and how to date them, rather than "none ended".
    return (definition.source == "planning_values" and sprint_dates_reason(available, nothing)) or nothing
