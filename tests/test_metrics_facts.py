"""Kept facts (the app's path) give exactly the values of facts built per call (the CLI's), whatever the selection."""

from __future__ import annotations

import os
import shutil
import threading
from datetime import date

import pytest

from flowgauge.loaders.demo import save_demo
from flowgauge.loaders.store import write_snapshot
from flowgauge.metrics import DEFAULT_RULES, Filters, LinkingRules, breakdown, compute_all, trend
from flowgauge.metrics.facts import (
    CACHE_DATABASE,
    _cache_prefix,
    _code_key,
    cache_facts,
    cache_folder,
    keep_facts,
    release_facts,
    start_warming,
    variant_of,
    warm_facts,
)
from flowgauge.snapshot import open_snapshot, snapshot_identity

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
    for metric_id in ("cycle_time", "rework_rate", "review_load", "pm_in_progress_with_estimate", "planning_accuracy"):
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


def _cached_connection(path):
    connection = open_snapshot(path)
    assert keep_facts(connection, snapshot_identity(path))
    return connection


def _kept_in(connection) -> list[str]:
    return [
        row[0] for row in connection.execute(f"SELECT database FROM {CACHE_DATABASE}.main.fg_fact_variants").fetchall()
    ]


def test_facts_are_cached_beside_the_snapshot_and_the_next_reader_attaches_them(demo_path, per_call, tmp_path):
    path = tmp_path / "org.duckdb"
    shutil.copy(demo_path, path)
    first = _cached_connection(path)
    assert not warm_facts(first, DEFAULT_RULES, build=False)  # nothing cached yet, and build=False never builds
    assert warm_facts(first, DEFAULT_RULES)
    cached = list(cache_folder(path).iterdir())
    assert [file.name.split(".")[0] for file in cached] == ["org"] and cached[0].suffix == ".duckdb"
    first.close()

    # A second reader (a restarted server) attaches the file instead of building, and gets the per-call values.
    second = _cached_connection(path)
    assert warm_facts(second, DEFAULT_RULES, build=False)
    assert _kept_in(second) != [CACHE_DATABASE]
    filters = Filters(date(2026, 4, 1), END)
    assert _plain(compute_all(second, filters)) == _expected(compute_all(per_call, filters))
    assert list(cache_folder(path).iterdir()) == cached
    second.close()


def test_a_rewritten_snapshot_gets_new_facts_and_its_old_cache_is_removed(demo_path, tmp_path):
    path = tmp_path / "org.duckdb"
    shutil.copy(demo_path, path)
    old = _cached_connection(path)
    assert warm_facts(old, DEFAULT_RULES)
    [old_cache] = cache_folder(path).iterdir()
    old.close()

    # The loaders write a new file and rename it over the old one: a new identity, so new facts.
    replacement = tmp_path / "org.new.duckdb"
    save_demo(replacement, scale=0.05, seed=3, end_on=END)
    os.replace(replacement, path)
    new = _cached_connection(path)
    assert not warm_facts(new, DEFAULT_RULES, build=False)
    assert warm_facts(new, DEFAULT_RULES)
    [new_cache] = cache_folder(path).iterdir()
    assert new_cache != old_cache
    filters = Filters(date(2026, 4, 1), END)
    fresh = open_snapshot(path)
    assert _plain(compute_all(new, filters)) == _expected(compute_all(fresh, filters))
    fresh.close()
    new.close()


def test_facts_are_kept_in_memory_when_no_cache_can_be_written(demo_path, per_call, tmp_path):
    path = tmp_path / "org.duckdb"
    shutil.copy(demo_path, path)
    cache_folder(path).write_text("a file where the cache folder would be")  # so the folder cannot be made
    connection = _cached_connection(path)
    assert warm_facts(connection, DEFAULT_RULES)
    assert _kept_in(connection) == [CACHE_DATABASE]
    filters = Filters(date(2026, 4, 1), END)
    assert _plain(compute_all(connection, filters)) == _expected(compute_all(per_call, filters))
    connection.close()


def test_a_damaged_cache_file_is_rebuilt(demo_path, per_call, tmp_path):
    path = tmp_path / "org.duckdb"
    shutil.copy(demo_path, path)
    builder = _cached_connection(path)
    assert warm_facts(builder, DEFAULT_RULES)
    builder.close()
    [cache] = cache_folder(path).iterdir()
    cache.write_bytes(b"not a database")
    connection = _cached_connection(path)
    assert warm_facts(connection, DEFAULT_RULES)
    assert _kept_in(connection) != [CACHE_DATABASE]
    filters = Filters(date(2026, 4, 1), END)
    assert _plain(compute_all(connection, filters)) == _expected(compute_all(per_call, filters))
    connection.close()


def test_a_snapshot_replaced_before_its_facts_are_kept_caches_nothing(demo_path, tmp_path):
    path = tmp_path / "org.duckdb"
    shutil.copy(demo_path, path)
    opened = snapshot_identity(path)
    connection = open_snapshot(path)
    shutil.copy(demo_path, tmp_path / "other.duckdb")
    os.replace(tmp_path / "other.duckdb", path)  # the file at path is no longer the one opened
    assert keep_facts(connection, opened) and warm_facts(connection, DEFAULT_RULES)
    assert _kept_in(connection) == [CACHE_DATABASE]
    assert not cache_folder(path).exists()
    connection.close()


def test_a_loader_caches_the_facts_or_says_it_could_not(demo_path, tmp_path):
    path = tmp_path / "org.duckdb"
    shutil.copy(demo_path, path)
    assert cache_facts(path)
    reader = _cached_connection(path)
    assert warm_facts(reader, DEFAULT_RULES, build=False)  # attached, nothing built
    reader.close()

    blocked = tmp_path / "blocked" / "org.duckdb"
    blocked.parent.mkdir()
    shutil.copy(demo_path, blocked)
    cache_folder(blocked).write_text("a file where the cache folder would be")
    assert not cache_facts(blocked)  # and no facts are built in memory for nobody


def test_writing_a_cache_removes_the_files_no_reader_will_use_again(demo_path, tmp_path):
    path = tmp_path / "org.duckdb"
    shutil.copy(demo_path, path)
    folder = cache_folder(path)
    folder.mkdir()
    snapshot_key = _cache_prefix(snapshot_identity(path)).name.split(".")[1]
    variant, other_variant, other_code = variant_of(DEFAULT_RULES, ()), "0123456789abcdef", "fedcba9876543210"
    leftovers = {
        # An earlier release named its files <snapshot key>.<facts key>: nothing reads them any more.
        f"org.{snapshot_key}.{other_code}.duckdb": "removed",
        # Written by other code (before an upgrade), for these rules or others: no reader opens them again.
        f"org.{snapshot_key}.{variant}.{other_code}.duckdb": "removed",
        f"org.{snapshot_key}.{other_variant}.{other_code}.duckdb": "removed",
        # Another snapshot version's: replaced.
        f"org.{other_code}.{variant}.{_code_key()}.duckdb": "removed",
        # Other rules' facts of this snapshot and this code: still in use.
        f"org.{snapshot_key}.{other_variant}.{_code_key()}.duckdb": "kept",
        # Another snapshot's, whose name starts the same: not this snapshot's to remove.
        f"org.v2.{snapshot_key}.{variant}.{other_code}.duckdb": "kept",
    }
    for name in leftovers:
        (folder / name).write_bytes(b"an old cache")
    connection = _cached_connection(path)
    assert warm_facts(connection, DEFAULT_RULES)
    connection.close()
    written = f"org.{snapshot_key}.{variant}.{_code_key()}.duckdb"
    kept = sorted(name for name, fate in leftovers.items() if fate == "kept")
    assert sorted(file.name for file in folder.iterdir()) == sorted([*kept, written])
