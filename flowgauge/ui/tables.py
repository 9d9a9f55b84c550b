"""Display tables built from what the metrics, inventory and import modules return (no metric computed here)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc

from flowgauge.allocation import CATEGORY_NAMES, WEIGHTS, Allocation, shares
from flowgauge.inventory import SnapshotSummary
from flowgauge.loaders.store import utc_now
from flowgauge.metrics import tier_of
from flowgauge.metrics.benchmark_sets import BenchmarkSet
from flowgauge.metrics.catalogue import METRICS
from flowgauge.metrics.engine import MetricResult
from flowgauge.sync.freshness import SourceFreshness
from flowgauge.ui.charts import format_value

# Tables whose counts say what a snapshot can answer, in the order a manager reads them.
HEADLINE_TABLES = {
    "pull_requests": "PRs",
    "deployments": "deployments",
    "incidents": "incidents",
    "work_items": "work items",
    "sprints": "sprints",
    "survey_responses": "survey answers",
    "people": "people",
    "teams": "teams",
}


def age(moment: datetime | None, now: datetime | None = None) -> str:
    """How long ago a UTC moment was, in the largest sensible unit ('3 h ago', '2 days ago')."""
    if moment is None:
        return "never"
    seconds = ((now or utc_now()) - moment).total_seconds()
    if seconds < 3600:
        return f"{max(int(seconds // 60), 0)} min ago"
    if seconds < 86400 * 2:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} days ago"


def snapshots_table(summaries: Mapping[str, SnapshotSummary | str]) -> pa.Table:
    """One row per snapshot file: freshness, sources and headline row counts (or why it cannot be read)."""
    rows = []
    for name, summary in summaries.items():
        if isinstance(summary, str):
            rows.append({"snapshot": name, "problem": summary})
            continue
        counts = {table.table: table.rows for table in summary.tables}
        rows.append(
            {
                "snapshot": name,
                "updated (UTC)": summary.updated_at,
                "freshness": age(summary.updated_at),
                "sources": ", ".join(sorted({source.kind for source in summary.sources})) or "none recorded",
                **{label: counts.get(table, 0) for table, label in HEADLINE_TABLES.items()},
                "schema version": summary.schema_version,
                "problem": None,
            }
        )
    return pa.Table.from_pylist(rows)


def table_spans(summary: SnapshotSummary) -> pa.Table:
    """Every table of a snapshot with its row count and the UTC span of its main time column."""
    return pa.Table.from_pylist(
        [
            {
                "table": table.table,
                "rows": table.rows,
                "time column": table.time_column,
                "earliest (UTC)": table.earliest,
                "latest (UTC)": table.latest,
            }
            for table in summary.tables
        ]
    )


def sync_runs_table(sources: Sequence[SourceFreshness], now: datetime) -> pa.Table:
    """Each source `flowgauge sync` runs: its last success and last run (UTC), result, rows and one-line error."""
    return pa.Table.from_pylist(
        [
            {
                "source": s.name,
                "kind": s.kind,
                "last success (UTC)": s.last_success_at,
                "last run (UTC)": s.last_run_at,
                "result": s.status(now),
                "rows written (last run)": s.last_rows_written,
                "limit (hours)": s.freshness_hours,
                "error": s.last_error if s.last_run_failed else None,
            }
            for s in sources
        ],
        schema=pa.schema(
            [
                ("source", pa.string()),
                ("kind", pa.string()),
                ("last success (UTC)", pa.timestamp("us")),
                ("last run (UTC)", pa.timestamp("us")),
                ("result", pa.string()),
                ("rows written (last run)", pa.int64()),
                ("limit (hours)", pa.float64()),
                ("error", pa.string()),
            ]
        ),
    )


def sources_table(summary: SnapshotSummary) -> pa.Table:
    """The loads recorded in a snapshot, newest first."""
    return pa.Table.from_pylist(
        [
            {
                "source": source.source_id,
                "kind": source.kind,
                "location": source.location,
                "loaded (UTC)": source.loaded_at,
                "freshness": age(source.loaded_at),
                "rows written": source.rows_written,
                "load summary": source.summary,
            }
            for source in sorted(summary.sources, key=lambda s: s.loaded_at, reverse=True)
        ],
        schema=pa.schema(
            [
                ("source", pa.string()),
                ("kind", pa.string()),
                ("location", pa.string()),
                ("loaded (UTC)", pa.timestamp("us")),
                ("freshness", pa.string()),
                ("rows written", pa.int64()),
                ("load summary", pa.string()),
            ]
        ),
    )


def quality_table(results: Mapping[str, MetricResult]) -> pa.Table:
    """Per metric: items used, items left out and why, how it was measured, or why it has no value."""
    rows = []
    for result in results.values():
        base = {"metric": result.name, "items used": result.n_used}
        notes = [(count, reason, "left out") for count, reason in result.exclusions]
        notes += [(None, flag, "measured") for flag in result.flags]
        if result.empty_reason:
            notes.append((None, result.empty_reason, "no value"))
        for count, note, kind in notes or [(0, "", "complete")]:
            rows.append({**base, "kind": kind, "items": count, "note": note})
    return pa.Table.from_pylist(rows)


def definitions_table() -> pa.Table:
    """Every metric's definition, unit, better direction and default statistic."""
    return pa.Table.from_pylist(
        [
            {
                "metric": definition.name,
                "id": definition.id,
                "group": definition.family,
                "unit": definition.unit,
                "better": definition.direction,
                "statistic": definition.default_statistic if definition.takes_statistic else "rate",
                "definition": definition.definition,
            }
            for definition in METRICS.values()
        ]
    )


def rules_table(rules: Mapping[str, object]) -> pa.Table:
    """The linking rules in force, one per row."""
    return pa.Table.from_pylist([{"rule": key, "value": str(value)} for key, value in rules.items()])


def described_rules_table(lines: Iterable[tuple[str, str]]) -> pa.Table:
    """The rules in force in words, one per row."""
    return pa.Table.from_pylist(
        [{"rule": rule, "in force": value} for rule, value in lines],
        schema=pa.schema([("rule", pa.string()), ("in force", pa.string())]),
    )


def lines_table(lines: Iterable[str], column: str) -> pa.Table:
    """Lines of text as a one-column table (shown as text, never Markdown)."""
    return pa.Table.from_pylist([{column: line} for line in lines], schema=pa.schema([(column, pa.string())]))


def problems_table(problems: Iterable[object]) -> pa.Table:
    """Import problems as rows (file, row, column, message) so each can be found in the file."""
    return pa.Table.from_pylist(
        [
            {"file": p.file, "row": p.row, "column": p.column, "problem": p.message}  # type: ignore[attr-defined]
            for p in problems
        ],
        schema=pa.schema(
            [("file", pa.string()), ("row", pa.int64()), ("column", pa.string()), ("problem", pa.string())]
        ),
    )


def benchmark_table(benchmark_set: BenchmarkSet) -> pa.Table:
    """Every band of a benchmark set: tiers best first, boundaries, statistic, the edition it was published in, source
    and its confidence."""
    return pa.Table.from_pylist(
        [
            {
                "metric": METRICS[band.metric_id].name if band.metric_id in METRICS else band.metric_id,
                "statistic": band.statistic,
                "better": band.direction,
                "tiers (best first)": " / ".join(band.tier_names),
                "boundaries": " / ".join(f"{value:g}" for value in band.thresholds) + f" {band.unit}",
                "confidence": band.confidence,
                "published in": band.origin_name or benchmark_set.name,
                "source": band.source_url,
                "note": band.note,
            }
            for band in benchmark_set.bands.values()
        ]
    )


def values_where(table: pa.Table, column: str, flag: str | None = None) -> list[float]:
    """The non-empty values of column, only from rows whose flag column is true when flag is given."""
    values = table.column(column).to_pylist()
    keep = table.column(flag).to_pylist() if flag else [True] * len(values)
    return [value for value, wanted in zip(values, keep, strict=True) if wanted and value is not None]


def slowest(table: pa.Table, column: str, count: int = 20) -> pa.Table:
    """The count rows with the largest values of column (rows without a value left out)."""
    kept = table.filter(pc.is_valid(table.column(column)))
    return kept.take(pc.sort_indices(kept, sort_keys=[(column, "descending")])[:count])


def filter_rows(
    table: pa.Table,
    *,
    states: Iterable[str] = (),
    state_column: str = "state",
    text: str = "",
    text_columns: Iterable[str] = (),
    only: str | None = None,
) -> pa.Table:
    """Rows whose state_column is one of states (all when empty), whose text columns contain text
    (case-insensitive) and, when only names a boolean column, where it is true."""
    mask = pa.array([True] * table.num_rows)
    states = list(states)
    if states:
        mask = pc.and_(mask, pc.is_in(table.column(state_column), value_set=pa.array(states)))
    if text:
        found = pa.array([False] * table.num_rows)
        for column in text_columns:
            hit = pc.match_substring(table.column(column), text, ignore_case=True)
            found = pc.or_(found, pc.fill_null(hit, False))
        mask = pc.and_(mask, found)
    if only:
        mask = pc.and_(mask, pc.fill_null(table.column(only), False))
    return table.filter(mask)


def values_of(table: pa.Table, column: str) -> list[str]:
    """The distinct non-empty values of a text column, sorted (choices for a filter)."""
    return sorted(value for value in set(table.column(column).to_pylist()) if value)


def team_comparison(
    team: Mapping[str, MetricResult], organisation: Mapping[str, MetricResult], benchmark_set: BenchmarkSet
) -> pa.Table:
    """Per metric: the team's value and tier beside the organisation's."""
    rows = []
    for metric_id, mine in team.items():
        theirs = organisation[metric_id]
        if mine.value is None and theirs.value is None:
            continue
        mine_tier, their_tier = tier_of(mine, benchmark_set).tier, tier_of(theirs, benchmark_set).tier
        rows.append(
            {
                "metric": mine.name,
                "team": format_value(mine.value, mine.unit),
                "team tier": mine_tier.name if mine_tier else "",
                "organisation": format_value(theirs.value, theirs.unit),
                "organisation tier": their_tier.name if their_tier else "",
                "better is": mine.direction,
            }
        )
    return pa.Table.from_pylist(rows)


def sprint_accuracy(sprints: pa.Table, planning: pa.Table, capacity: pa.Table) -> pa.Table:
    """Sprints with their planning and capacity accuracy (breakdown rows keyed by sprint id), oldest first."""
    planned = dict(zip(planning.column("key").to_pylist(), planning.column("value").to_pylist(), strict=True))
    done = dict(zip(capacity.column("key").to_pylist(), capacity.column("value").to_pylist(), strict=True))
    return pa.Table.from_pylist(
        [
            {
                "sprint": row["sprint"],
                "team": row["team"],
                "ends (UTC)": row["ends_at"],
                "planning accuracy %": planned.get(row["sprint_id"]),
                "capacity accuracy %": done.get(row["sprint_id"]),
            }
            for row in sprints.to_pylist()
        ],
        schema=pa.schema(
            [
                ("sprint", pa.string()),
                ("team", pa.string()),
                ("ends (UTC)", pa.timestamp("us")),
                ("planning accuracy %", pa.float64()),
                ("capacity accuracy %", pa.float64()),
            ]
        ),
    )


def series_by(table: pa.Table, group: str, x: str, y: str) -> list[tuple[str, list, list]]:
    """Split a long table into (group, xs, ys) series, groups in order of first appearance."""
    series: dict[str, tuple[list, list]] = {}
    for row in table.select([group, x, y]).to_pylist():
        xs, ys = series.setdefault(str(row[group]), ([], []))
        xs.append(row[x])
        ys.append(row[y])
    return [(name, xs, ys) for name, (xs, ys) in series.items()]


def allocation_table(result: Allocation, weight: str) -> pa.Table:
    """One row per team, month and kind of work under weight: its amount and its percent of the team's month."""
    rows = [
        {
            "team": result.team_name(team_id),
            "month": month,
            "category": CATEGORY_NAMES[share.category],
            WEIGHTS[weight]: share.value,
            "percent": None if share.percent is None else round(share.percent, 1),
        }
        for (team_id, month), group in shares(result.by_team, weight, ["team_id", "month"]).items()
        for share in group
    ]
    return pa.Table.from_pylist(rows) if rows else pa.table({"team": pa.array([], pa.string())})
