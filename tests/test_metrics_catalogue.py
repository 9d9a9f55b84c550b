"""Meta-tests keeping the metric catalogue, its SQL files, its tests and the benchmark sets in step."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from flowgauge.metrics import METRICS, STATISTICS
from flowgauge.metrics.benchmark_sets import load_benchmark_sets
from flowgauge.metrics.catalogue import SOURCE_NEEDS

SQL_DIR = resources.files("flowgauge.metrics").joinpath("sql")
TESTS = Path(__file__).parent


@pytest.mark.parametrize("metric_id", sorted(METRICS))
def test_every_metric_has_definition_unit_direction_and_a_test(metric_id):
    definition = METRICS[metric_id]
    assert definition.id == metric_id
    assert len(definition.definition) > 40 and definition.definition.endswith(".")
    assert definition.unit
    assert definition.direction in ("lower", "higher")
    assert definition.family in ("flow", "dora", "code", "planning", "hygiene", "devex")
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


def test_sql_files_produce_exactly_the_catalogued_ids():
    produced = set()
    for source in SOURCE_NEEDS:
        text = SQL_DIR.joinpath(f"{source}.sql").read_text()
        produced |= set(re.findall(r"(?:SELECT |metric_id: )'([a-z_]+)'", text))
    derived = {metric_id for metric_id, definition in METRICS.items() if definition.kind == "per_developer_rate"}
    assert produced | derived == set(METRICS)


def test_benchmark_bands_use_the_engines_units_and_directions():
    for benchmark_set in load_benchmark_sets().values():
        for metric_id, band in benchmark_set.bands.items():
            if metric_id not in METRICS:
                continue
            definition = METRICS[metric_id]
            assert band.unit == definition.unit, (benchmark_set.set_id, metric_id)
            if metric_id != "capacity_accuracy":
                assert band.direction == definition.direction, (benchmark_set.set_id, metric_id)
