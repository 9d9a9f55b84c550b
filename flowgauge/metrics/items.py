"""A metric's items over a selection (the values its statistic or ratio is computed from), for analyses that
resample them: the same staged selection and values file the aggregates read, so an item here is an item there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np

from flowgauge.metrics.aggregation import column_of, item_fields, items_sql
from flowgauge.metrics.catalogue import SOURCE_NEEDS
from flowgauge.metrics.engine import definition_of, staged_tables
from flowgauge.metrics.filters import Filters, LinkingRules
from flowgauge.metrics.runner import query_text


@dataclass(frozen=True)
class MetricItems:
    """The used items of one metric in a selection, in event order: when each happened (UTC seconds), who it is
    about, and its value (distributions) or numerator and denominator (ratios and rates; den is 1 for rates)."""

    metric_id: str
    event_at: np.ndarray  # float64 unix seconds
    actor_id: np.ndarray  # object (str, or None for no one, as a coding agent's PR); per-person rates only, else empty
    value: np.ndarray  # float64: the value, or the numerator
    den: np.ndarray  # float64: the denominator (ratios), else ones

    def __len__(self) -> int:
        return len(self.value)


def metric_items(con: duckdb.DuckDBPyConnection, metric_id: str, filters: Filters, rules: LinkingRules) -> MetricItems:
    """Every used item of metric_id in the selection (point-in-time items as of the window's end)."""
    definition = definition_of(metric_id)
    source = definition.source
    params: dict[str, Any] = {**filters.params(), **rules.params(), "by": "none", "point_kinds": ["end"]}
    column = column_of(metric_id).strip('"')
    with staged_tables(con, SOURCE_NEEDS[source], filters, rules) as cur:
        fields = item_fields(cur, source, params)
        reads = "value" if definition.kind == "distribution" else "num"
        den = f'"{column}__den"' if definition.kind == "ratio" else "1.0"
        # Per-person rates: who the item counts under (NULL for no one: a coding agent's PR), as the aggregates count.
        actor = f'"{column}__actor"' if definition.kind == "per_person_rate" else "actor_id"
        text = f"""SELECT epoch(event_at) AS event_at, {actor} AS actor_id, "{column}__{reads}" AS value, {den} AS den
FROM (
{items_sql(source, {metric_id: fields[metric_id]})}
)
WHERE "{column}__used" = 1 AND "{column}__{reads}" IS NOT NULL AND coalesce(point_kind, 'end') = 'end'
ORDER BY event_at, actor_id, value"""
        table = query_text(cur, text, params)
    return MetricItems(
        metric_id=metric_id,
        event_at=table.column("event_at").to_numpy().astype(np.float64),
        # Only per-person rates read who an item is about; turning a million ids into Python strings is not free.
        actor_id=np.array(
            table.column("actor_id").to_pylist() if definition.kind == "per_person_rate" else [], dtype=object
        ),
        value=table.column("value").to_numpy().astype(np.float64),
        den=table.column("den").to_numpy().astype(np.float64),
    )
