"""Shared pytest fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowgauge.loaders.store import write_snapshot

APP_FIXTURE_SQL = Path(__file__).parent / "fixtures" / "app" / "snapshot.sql"


@pytest.fixture(scope="session")
def app_data_dir(tmp_path_factory) -> Path:
    """A data folder holding demo.duckdb built from tests/fixtures/app/snapshot.sql (so no demo is generated)."""
    folder = tmp_path_factory.mktemp("app-data")
    with write_snapshot(folder / "demo.duckdb", fresh=True) as writer:
        writer.con.execute(APP_FIXTURE_SQL.read_text(encoding="utf-8"))
        writer.record_source("fixture:app", "demo", "tests/fixtures/app/snapshot.sql")
    return folder
