"""Which metrics the code-origin filter narrows is one list (origin_scope.NOT_NARROWED), held here to the SQL: a
metric whose values file never reads $origins must be listed, so its results say they were not narrowed."""

from __future__ import annotations

from flowgauge.metrics.catalogue import METRICS
from flowgauge.metrics.origin_scope import NOT_NARROWED, narrowed_by_origin, not_narrowed_note
from flowgauge.metrics.source_filters import parameters_read
from flowgauge.ui.origin_comparison import COMPARED, not_narrowed_legend


def test_every_metric_of_a_source_that_ignores_origins_is_listed_as_not_narrowed():
    for metric_id, definition in METRICS.items():
        if "origins" not in parameters_read(definition.source):
            assert not narrowed_by_origin(metric_id), f"{metric_id}: {definition.source} never reads $origins"


def test_the_listed_metrics_are_catalogue_ids_and_deployments_narrow_change_failure_rate_only():
    assert set(NOT_NARROWED) <= set(METRICS)
    deployments = {metric_id for metric_id, d in METRICS.items() if d.source == "deploy_values"}
    assert {metric_id for metric_id in deployments if narrowed_by_origin(metric_id)} == {"change_failure_rate"}
    assert not_narrowed_note("mttr") == "not narrowed by code origin: incidents of every origin count"
    assert not_narrowed_note("pickup_time") is None


def test_the_ai_page_compares_only_narrowed_metrics_and_names_the_others_once():
    assert all(narrowed_by_origin(metric_id) for metric_id in COMPARED)
    legend = not_narrowed_legend()
    assert legend.startswith("Not shown by origin, as code origin does not narrow them: ")
    for metric_id in NOT_NARROWED:
        assert legend.count(METRICS[metric_id].name) >= 1
    assert "Planning accuracy, Capacity accuracy (sprints have no code origin)" in legend
