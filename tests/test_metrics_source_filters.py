"""Which filters each values source reads: a source's aggregates are the same for any two selections that differ
only in filters it does not read, which is what lets the app reuse them (a bots toggle recomputes only PR, commit
and review sources)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from close_values import same_values

from flowgauge.metrics import DEFAULT_RULES, Filters
from flowgauge.metrics.aggregation import AGGREGATION_PARAMETERS, aggregation_sql, item_fields
from flowgauge.metrics.catalogue import METRICS, SOURCE_NEEDS
from flowgauge.metrics.engine import _ACTOR_METRICS, aggregate_sources, selection_groupings, staged_tables
from flowgauge.metrics.runner import parameters_of, sql_text
from flowgauge.metrics.source_filters import filters_read, parameters_read

MARCH = Filters(date(2024, 3, 1), date(2024, 4, 1))
# One change of each filter, each of which narrows or widens the March fixture's items for some source.
CHANGES = {
    "include_bots": {"include_bots": True},
    "teams": {"teams": ("web",)},
    "repos": {"repos": ("acme/pay",)},
    "services": {"services": ("acme/web",)},
    "environments": {"environments": ("production",)},
}
GROUPINGS = selection_groupings(("week", "team"))


def _parts(con, filters):
    return aggregate_sources(con, tuple(SOURCE_NEEDS), filters, DEFAULT_RULES, GROUPINGS, True)


def test_what_each_source_reads_is_what_its_sql_names():
    # Bots change PR, commit and review items only through the PR and commit sources; reviews by bots never count.
    reads_bots = {source for source in SOURCE_NEEDS if "include_bots" in parameters_read(source)}
    assert reads_bots == {"pr_values", "pr_open_values", "code_values"}
    # Sprints, work items and survey answers belong to teams, not repositories or services.
    for source in ("planning_values", "work_item_values", "survey_values"):
        assert parameters_read(source) & {"repos", "services", "environments", "include_bots"} == set(), source
    # Deployments read the environments chosen (through their facts and stages), and so do PRs (their deploy phase).
    assert {"environments", "repos", "services", "teams"} <= parameters_read("deploy_values")
    assert "environments" in parameters_read("pr_values")
    bots_on = replace(MARCH, include_bots=True)
    assert filters_read("deploy_values", bots_on) == filters_read("deploy_values", MARCH)
    assert filters_read("pr_values", bots_on) != filters_read("pr_values", MARCH)


@pytest.mark.parametrize("change", CHANGES)
def test_a_source_aggregates_the_same_for_filters_it_does_not_read(con, change):
    changed = replace(MARCH, **CHANGES[change])
    before, after = _parts(con, MARCH), _parts(con, changed)
    same_key = [source for source in SOURCE_NEEDS if filters_read(source, changed) == filters_read(source, MARCH)]
    for source in same_key:
        assert same_values(after[source].grouped, before[source].grouped), (change, source)
        assert after[source].notes == before[source].notes, (change, source)
    # Every change moves some source that reads it, so the comparison above is between two different selections.
    moved = [source for source in SOURCE_NEEDS if not same_values(after[source].grouped, before[source].grouped)]
    assert set(moved) - set(same_key) and not set(moved) & set(same_key), change


def test_the_aggregation_around_a_values_file_reads_only_the_declared_parameters(con):
    params = {**MARCH.params(), **DEFAULT_RULES.params(), "by": "team", "point_kinds": ["end", "week"]}
    for source, needs in SOURCE_NEEDS.items():
        with staged_tables(con, needs, MARCH, DEFAULT_RULES, "team") as cursor:
            fields = item_fields(cursor, source, params)
        ids = [metric_id for metric_id in fields if METRICS[metric_id].source == source]
        for with_notes in (False, True):
            text = aggregation_sql(source, ids, ("none", "week", "team"), _ACTOR_METRICS, fields, with_notes)
            assert parameters_of(text) <= parameters_of(sql_text(source)) | AGGREGATION_PARAMETERS, source
