"""The AI page's tables: metrics side by side by code origin, our ratios beside the published ones, and the agents'
PRs waiting longest for review. Plain functions of results and rows, so the page only draws."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

import pyarrow as pa
import pyarrow.compute as pc

from flowgauge.metrics.catalogue import METRICS
from flowgauge.metrics.engine import MetricResult
from flowgauge.metrics.origin_scope import NOT_NARROWED
from flowgauge.rules.code_origin import SELECTABLE_ORIGINS
from flowgauge.ui.charts import format_value

ORIGIN_LABELS = {"agentic": "Agentic", "ai_assisted": "AI-assisted", "unassisted": "Unassisted"}
# The metrics LinearB's 2026 edition compares by origin, then the rest of the PR flow, then those origins reach
# through links (a commit's PR or agent, a deployment's shipped PRs, a review's PR).
COMPARED = (
    "acceptance_rate",
    "pickup_time",
    "review_time",
    "cycle_time",
    "pr_size",
    "rework_rate",
    "refactor_rate",
    "change_failure_rate",
    "review_load",
)


class Reference(Protocol):
    """A published figure the page compares with (flowgauge.metrics.reference_figures.ReferenceFigure)."""

    label: str
    kind: str  # 'value' or 'ratio'
    value: float
    unit: str
    metric_id: str | None
    origins: tuple[str, ...]
    baseline_origins: tuple[str, ...]
    source_name: str
    confidence: str

    def ratio_text(self, ours: float | None) -> str: ...


def by_origin_table(
    results: Mapping[str, Mapping[str, MetricResult]], metric_ids: Sequence[str] = COMPARED
) -> pa.Table:
    """One row per metric: its name, unit and statistic, then value and items for each origin."""
    rows = []
    for metric_id in metric_ids:
        first = next(iter(results.values()))[metric_id]
        row = {"metric": first.name, "unit": first.unit, "statistic": first.statistic}
        for origin in SELECTABLE_ORIGINS:
            result = results[origin][metric_id]
            row[ORIGIN_LABELS[origin]] = result.value
            row[f"{ORIGIN_LABELS[origin]} (n)"] = result.n_used
        rows.append(row)
    return pa.Table.from_pylist(rows)


def not_narrowed_legend() -> str:
    """One line naming the metrics code origin does not narrow, grouped by why, so no page shows them by origin."""
    reasons: dict[str, list[str]] = {}
    for metric_id, why in NOT_NARROWED.items():
        reasons.setdefault(why, []).append(METRICS[metric_id].name)
    groups = "; ".join(f"{', '.join(names)} ({why})" for why, names in reasons.items())
    return f"Not shown by origin, as code origin does not narrow them: {groups}."


def reference_lines(
    figures: Iterable[Reference], value_of: Callable[[str, tuple[str, ...]], float | None]
) -> list[str]:
    """For each published figure about a metric, ours beside it: a ratio as 'N× here; M× in <source> (<confidence>)'
    (value_of(metric, origins) ÷ value_of(metric, baseline origins)), a value in its unit for the same origins."""
    lines = []
    for figure in figures:
        if figure.metric_id is None:
            continue
        ours = value_of(figure.metric_id, figure.origins)
        if figure.kind == "ratio":
            baseline = value_of(figure.metric_id, figure.baseline_origins)
            ours = ours / baseline if ours is not None and baseline else None
            lines.append(f"{figure.label}: {figure.ratio_text(ours)}")
            continue
        published = f"{format_value(figure.value, figure.unit)} in {figure.source_name} ({figure.confidence})"
        here = "no value here" if ours is None else f"{format_value(ours, figure.unit)} here"
        lines.append(f"{figure.label}: {here}; {published}")
    return lines


def waiting_longest(rows: pa.Table, now: datetime, count: int = 20) -> pa.Table:
    """The open, ready PRs no one has reviewed yet, longest waiting first, with the hours they have waited."""
    if rows.num_rows == 0:
        return rows.append_column("waiting_hours", pa.array([], pa.float64()))
    waiting = rows.filter(
        pc.and_(
            pc.and_(pc.equal(rows["state"], "open"), pc.invert(pc.fill_null(rows["is_draft"], False))),
            pc.is_null(rows["review_at"]),
        )
    )
    hours = [(now - ready).total_seconds() / 3600 for ready in waiting["ready_at"].to_pylist()]
    waiting = waiting.append_column("waiting_hours", pa.array(hours, pa.float64()))
    order = pc.sort_indices(waiting, [("waiting_hours", "descending"), ("pr_id", "ascending")])
    return waiting.take(order).slice(0, count)
