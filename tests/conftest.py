"""Shared pytest fixtures."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from flowgauge.loaders.store import write_snapshot
from flowgauge.metrics import DEFAULT_RULES, Filters, compute_all
from flowgauge.metrics.facts import cache_folder, keep_facts, warm_facts
from flowgauge.snapshot import open_snapshot, snapshot_identity

APP_FIXTURE_SQL = Path(__file__).parent / "fixtures" / "app" / "snapshot.sql"
MARCH_2024_SQL = Path(__file__).parent / "fixtures" / "metrics" / "march_2024.sql"


@pytest.fixture(scope="session")
def app_data_dir(tmp_path_factory) -> Path:
    """A data folder holding demo.duckdb built from tests/fixtures/app/snapshot.sql (so no demo is generated)."""
    folder = tmp_path_factory.mktemp("app-data")
    with write_snapshot(folder / "demo.duckdb", fresh=True) as writer:
        writer.con.execute(APP_FIXTURE_SQL.read_text(encoding="utf-8"))
        writer.record_source("fixture:app", "demo", "tests/fixtures/app/snapshot.sql")
    return folder


@pytest.fixture(scope="module", params=["per_call", "kept", "cached"])
def con(request, tmp_path_factory):
    """Read-only connection to the hand-built March 2024 metrics snapshot (tests/fixtures/metrics/march_2024.sql).

    Every test using it runs three times: with facts built per call (the CLI), kept in memory on the connection, and
    kept in a cache file beside the snapshot (the app), so every path must give the hand-computed values.
    """
    path = tmp_path_factory.mktemp("metrics") / "march.duckdb"
    with write_snapshot(path, fresh=True) as writer:
        writer.con.execute(MARCH_2024_SQL.read_text(encoding="utf-8"))
    connection = open_snapshot(path)
    if request.param == "kept":
        assert keep_facts(connection) and warm_facts(connection, DEFAULT_RULES)
    if request.param == "cached":
        assert keep_facts(connection, snapshot_identity(path)) and warm_facts(connection, DEFAULT_RULES)
        assert any(cache_folder(path).glob("march.*.duckdb"))
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def march(con):
    """Every metric over March 2024 on that snapshot, with default rules and statistics."""
    return compute_all(con, Filters(date(2024, 3, 1), date(2024, 4, 1)))
