"""Kept facts (the app's path) give exactly the values of facts built per call (the CLI's), whatever the selection."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from flowgauge.loaders.demo import save_demo
from flowgauge.loaders.store import write_snapshot
from flowgauge.metrics import DEFAULT_RULES, Filters, LinkingRules, breakdown, compute_all, trend
from flowgauge.metrics.facts import CACHE_DATABASE, keep_facts, release_facts, start_warming, warm_facts
from flowgauge.snapshot import open_snapshot

END = date(2026, 6, 30)


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("facts") / "demo.duckdb"
    save_demo(path, scale=0.1, seed=11, end_on=END)
    return path


@pytest.fixture(scope="module")
def per_call(demo_path):
    connection = open_snapshot(demo_path)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def kept(demo_path):
    connection = open_snapshot(demo_path)
    assert keep_facts(connection)
    assert warm_facts(connection, DEFAULT_RULES)
    yield connection
    release_facts(connection)
    connection.close()


def _selections(con) -> list[Filters]:
    team, other = (row[0] for row in con.execute("SELECT team_id FROM teams ORDER BY team_id LIMIT 2").fetchall())
    repo = con.execute("SELECT repo_id FROM pull_requests GROUP BY ALL ORDER BY count(*) DESC LIMIT 1").fetchall()[0][0]
    return [
        Filters(date(2026, 4, 1), END),
        Filters(date(2026, 1, 1), date(2026, 3, 1), teams=(team,)),
        Filters(date(2026, 5, 1), END, teams=(team, other), include_bots=True),
        Filters(date(2026, 2, 1), date(2026, 5, 1), repos=(repo,)),
    ]


def _plain(results):
    return {metric_id: result.as_dict() for metric_id, result in results.items()}


def _expected(results):
    # Values within float rounding: DuckDB sums in parallel, in an order that may differ run to run.
    return {
        metric_id: {
            **result.as_dict(),
            "value": None if result.value is None else pytest.approx(result.value, rel=1e-12),
        }
        for metric_id, result in results.items()
    }


def test_kept_facts_give_the_per_call_values_for_every_metric(kept, per_call):
    for filters in _selections(per_call):
        expected = _expected(compute_all(per_call, filters))
        assert any(result["value"] is not None for result in expected.values())
        assert _plain(compute_all(kept, filters)) == expected, filters


def test_kept_facts_give_the_per_call_trends_and_team_breakdowns(kept, per_call):
    filters = Filters(date(2026, 3, 1), END)
    for metric_id in ("cycle_time", "rework_rate", "review_load", "pm_in_progress_with_estimate"):
        assert breakdown(kept, metric_id, filters, by="team") == breakdown(per_call, metric_id, filters, by="team")
        assert trend(kept, metric_id, filters) == trend(per_call, metric_id, filters)


def test_other_rules_are_kept_once_warmed(kept, per_call):
    rules = LinkingRules(production_env_regex="^production$", incident_window_hours=24)
    filters = Filters(date(2026, 4, 1), END)
    first = compute_all(kept, filters, rules)  # not kept yet: staged per call
    assert _plain(first) == _expected(compute_all(per_call, filters, rules))
    assert warm_facts(kept, rules)
    variants = kept.execute(f"SELECT count(*) FROM {CACHE_DATABASE}.main.fg_fact_variants").fetchall()[0][0]
    assert variants == 2
    assert _plain(compute_all(kept, filters, rules)) == _expected(first)
    # No room for a third variant: it is staged per call, with the same values.
    third = LinkingRules(incident_window_hours=12)
    assert not warm_facts(kept, third)
    assert _plain(compute_all(kept, filters, third)) == _expected(compute_all(per_call, filters, third))


def test_calls_from_many_threads_while_facts_build(demo_path):
    connection = open_snapshot(demo_path)
    assert keep_facts(connection)
    start_warming(connection, DEFAULT_RULES)
    errors = []

    def call() -> None:
        cursor = connection.cursor()
        try:
            cursor.execute("USE snapshot")
            for _ in range(3):
                compute_all(cursor, Filters(date(2026, 4, 1), END), metric_ids=["cycle_time", "rework_rate"])
        except Exception as error:  # noqa: BLE001 - the test reports any failure from a thread
            errors.append(error)
        finally:
            cursor.close()

    threads = [threading.Thread(target=call) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert warm_facts(connection, DEFAULT_RULES)
    release_facts(connection)
    connection.close()


def test_a_writable_snapshot_keeps_no_facts(tmp_path):
    with write_snapshot(tmp_path / "w.duckdb", fresh=True) as writer:
        assert not keep_facts(writer.con)
