"""Sprint facts on a hand-built snapshot (tests/fixtures/metrics/sprint_scope.sql): a sprint with scope events is
read from them alone, one without from its sprint items, in the same window; the same whether facts are built per
call (the CLI), for the first view's window, or for the whole snapshot (the app)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from facts_paths import FACTS_PATHS, connection_with_facts, fixture_snapshot

from flowgauge.metrics import Filters, compute_all

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "metrics" / "sprint_scope.sql"
JUNE = Filters(date(2024, 6, 1), date(2024, 7, 1))


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory) -> Path:
    return fixture_snapshot(tmp_path_factory.mktemp("sprint_scope"), FIXTURE)


@pytest.fixture(scope="module", params=FACTS_PATHS)
def con(request, snapshot):
    connection = connection_with_facts(snapshot, request.param, (datetime(2024, 6, 1), datetime(2024, 7, 1)))
    yield connection
    connection.close()


def test_a_sprint_with_scope_events_reads_them_and_one_without_reads_its_items(con):
    results = compute_all(con, JUNE, metric_ids=["planning_accuracy", "capacity_accuracy"])
    planned, capacity = results["planning_accuracy"], results["capacity_accuracy"]
    # Planned points: S1's PAY-1 (3, done) and PAY-2 (2); S2's PAY-5 (4, done) and PAY-6 (6): 7 of 15 done. S1's
    # PAY-4 (8) is in no changelog of S1, so it is not counted.
    assert planned.value == pytest.approx(100 * 7 / 15)
    # Capacity also counts S1's PAY-3 (5), added after the start and done: 12 of the 15 planned.
    assert capacity.value == pytest.approx(100 * 12 / 15)
    # S2 has no changelog: its two items of the four are approximate, and the figure says so.
    assert planned.flags[0].startswith("2 of 4: approximate: no changelog, so work added after the sprint started")
