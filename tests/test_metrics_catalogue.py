"""Meta-tests keeping the metric catalogue, its SQL files, its tests and the benchmark sets in step."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from flowgauge.metrics import METRICS, STATISTICS
from flowgauge.metrics.aggregation import DIMENSIONS
from flowgauge.metrics.benchmark_sets import load_benchmark_sets
from flowgauge.metrics.catalogue import SOURCE_NEEDS
from flowgauge.metrics.engine import staged_tables
from flowgauge.metrics.filters import DEFAULT_RULES, Filters
from flowgauge.metrics.runner import query_text

SQL_DIR = resources.files("flowgauge.metrics").joinpath("sql")
TESTS = Path(__file__).parent


@pytest.mark.parametrize("metric_id", sorted(METRICS))
def test_every_metric_has_definition_unit_direction_and_a_test(metric_id):
    definition = METRICS[metric_id]
    assert definition.id == metric_id
    assert len(definition.definition) > 40 and definition.definition.endswith(".")
    assert definition.unit
    assert definition.direction in ("lower", "higher")
    assert definition.family in ("flow", "dora", "code", "planning", "hygiene", "devex", "ai")
    assert definition.default_statistic in STATISTICS
    assert definition.source in SOURCE_NEEDS
    tests_text = "".join(
        path.read_text() for path in TESTS.glob("test_metrics_*.py") if path.name != Path(__file__).name
    )
    assert f'"{metric_id}"' in tests_text, f"{metric_id} is named in no metrics test"


def test_every_sql_file_opens_with_a_two_line_comment():
    files = [item for item in SQL_DIR.iterdir() if item.name.endswith(".sql")]
    assert len(files) >= 10
    for item in files:
        first, second = item.read_text().splitlines()[:2]
        assert first.startswith("-- ") and second.startswith("-- "), item.name


@pytest.mark.parametrize("source", sorted(SOURCE_NEEDS))
def test_each_values_file_yields_the_dimensions_and_a_column_per_catalogued_metric(con, source):
    filters = Filters(date(2024, 3, 1), date(2024, 4, 1))
    with staged_tables(con, SOURCE_NEEDS[source], filters, DEFAULT_RULES) as cur:
        text = SQL_DIR.joinpath(f"{source}.sql").read_text()
        params = {**filters.params(), **DEFAULT_RULES.params(), "by": "none", "point_kinds": ["end", "week", "month"]}
        described = query_text(cur, f"DESCRIBE (\n{text}\n)", params).to_pylist()
    columns = {row["column_name"]: row["column_type"] for row in described}
    measured = {
        metric_id
        for metric_id, definition in METRICS.items()
        if definition.source == source and definition.kind != "per_developer_rate"  # deploy_frequency's rows
    }
    assert set(columns) == set(DIMENSIONS) | measured
    for metric_id in measured:
        assert columns[metric_id].startswith("STRUCT("), metric_id


def test_benchmark_bands_use_the_engines_units_and_directions():
    for benchmark_set in load_benchmark_sets().values():
        for metric_id, band in benchmark_set.bands.items():
            if metric_id not in METRICS:
                continue
            definition = METRICS[metric_id]
            assert band.unit == definition.unit, (benchmark_set.set_id, metric_id)
            if metric_id != "capacity_accuracy":
                assert band.direction == definition.direction, (benchmark_set.set_id, metric_id)
