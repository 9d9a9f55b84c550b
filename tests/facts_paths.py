"""A hand-built snapshot read three ways, so a test holds the numbers of every facts path equal: facts built per
call (the CLI), kept for one window (a never-prepared first view), or kept for the whole snapshot (the app)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from flowgauge.loaders.store import write_snapshot
from flowgauge.metrics import DEFAULT_RULES
from flowgauge.metrics.facts import keep_facts, warm_facts, warm_window
from flowgauge.snapshot import open_snapshot

FACTS_PATHS = ("per_call", "window", "whole")


def fixture_snapshot(folder: Path, sql: Path) -> Path:
    """A snapshot written from a hand-built SQL fixture, in folder."""
    path = folder / f"{sql.stem}.duckdb"
    with write_snapshot(path, fresh=True) as writer:
        writer.con.execute(sql.read_text(encoding="utf-8"))
    return path


def connection_with_facts(path: Path, how: str, window: tuple[datetime, datetime]) -> duckdb.DuckDBPyConnection:
    """A read-only connection whose facts are built per call (how='per_call', the CLI), kept for the window only
    ('window', a never-prepared first view) or kept for the whole snapshot ('whole', the app)."""
    connection = open_snapshot(path)
    if how == "window":
        assert keep_facts(connection) and warm_window(connection, DEFAULT_RULES, (), *window)
    if how == "whole":
        assert keep_facts(connection) and warm_facts(connection, DEFAULT_RULES)
    return connection
