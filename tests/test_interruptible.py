"""flowgauge.interruptible: one call from another thread interrupts the statements of a connection handed to work and
of every cursor the work made from it, and the stand-in gives the metrics the numbers the connection gives."""

from __future__ import annotations

import threading
import time
from datetime import date

import duckdb
import pytest

from flowgauge.impact import goal_status
from flowgauge.interruptible import Interrupter
from flowgauge.metrics import DEFAULT_RULES
from flowgauge.metrics.facts import keep_facts, warm_facts
from flowgauge.organisation_data import Goal
from flowgauge.snapshot import open_snapshot

# Minutes of work on any machine: only an interrupt ends it within the tests' seconds.
ENDLESS = "SELECT count(*) FROM range(100000000000) t(i) WHERE i % 7 = 3"


def run_in_thread(cursor: duckdb.DuckDBPyConnection, sql: str) -> tuple[threading.Thread, list]:
    outcome: list = []

    def run() -> None:
        try:
            outcome.append(cursor.execute(sql).fetchall())
        except duckdb.Error as error:
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_a_statement_on_a_cursor_of_a_cursor_is_interrupted_and_no_new_cursor_is_made_after():
    interrupter = Interrupter()
    given = interrupter.wrap(duckdb.connect())
    grandchild = given.cursor().cursor()  # as the metrics run their queries: runner.private_cursor of a private cursor
    thread, outcome = run_in_thread(grandchild, ENDLESS)
    time.sleep(0.5)
    started = time.monotonic()
    interrupter.interrupt()
    thread.join(10)
    assert not thread.is_alive() and time.monotonic() - started < 5
    assert isinstance(outcome[0], duckdb.InterruptException)
    assert interrupter.interrupted
    with pytest.raises(duckdb.InterruptException, match="interrupted: no new statements"):
        given.cursor()
    assert given.execute("SELECT 42").fetchall() == [(42,)]  # a clean-up's statement on a connection it has still runs


def test_the_given_connection_itself_is_interrupted_and_a_closed_cursor_is_left_alone():
    interrupter = Interrupter()
    given = interrupter.wrap(duckdb.connect())
    closed = given.cursor()
    closed.close()
    thread, outcome = run_in_thread(given, ENDLESS)
    time.sleep(0.5)
    interrupter.interrupt()
    thread.join(10)
    assert isinstance(outcome[0], duckdb.InterruptException)
    with pytest.raises(duckdb.ConnectionException):
        closed.execute("SELECT 1")  # closed through the stand-in: closed for real


def test_the_stand_in_gives_a_goals_status_as_the_connection_does(app_data_dir):
    goal = Goal("platform", "pr_size", 50.0, "median", date(2026, 12, 31), date(2026, 3, 1))
    con = open_snapshot(app_data_dir / "demo.duckdb")
    try:
        expected = goal_status(con, goal)
        assert keep_facts(con)  # kept in memory, as a never-prepared snapshot's are built by the background thread
        cursor = con.cursor()
        cursor.execute("USE snapshot")
        given = Interrupter().wrap(cursor)
        assert warm_facts(given, DEFAULT_RULES)
        assert goal_status(given, goal) == expected
        assert expected.sentence.startswith("Platform, PR size median:")
    finally:
        con.close()
