"""The dashboard's background thread (flowgauge.ui.deferred) never holds up a stopping server: stop() cancels the work
that waits and interrupts the work that runs, and a process sent SIGTERM while a never-prepared snapshot's facts are
being built for a goal's status exits at once, leaving no unfinished cache file."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb

from flowgauge.loaders.store import write_snapshot
from flowgauge.metrics.facts import cache_folder
from flowgauge.ui.deferred import Deferred

ROOT = Path(__file__).resolve().parents[1]
APP_FIXTURE_SQL = ROOT / "tests" / "fixtures" / "app" / "snapshot.sql"
# Minutes of work on any machine: only an interrupt ends it within the tests' seconds.
ENDLESS = "SELECT count(*) FROM range(100000000000) t(i) WHERE i % 7 = 3"
# The app fixture's organisation with 300,000 PRs instead of 600 (one every 52 s instead of 26,000 s), so building
# its facts takes seconds: long enough to stop the process in the middle of it.
SCALED_PRS = 300_000


def test_stop_interrupts_the_running_work_and_cancels_the_waiting_work():
    deferred = Deferred(max_kept=8)
    con = duckdb.connect()
    started = threading.Event()

    def endless() -> list:
        with deferred.interruptible(con.cursor()) as cursor:
            query = cursor.cursor()  # the metrics query a cursor of the one they are given
            started.set()
            return query.execute(ENDLESS).fetchall()

    running = deferred.submit("endless", endless)
    waiting = deferred.submit("next", lambda: "measured")
    assert started.wait(30)
    time.sleep(0.3)  # the statement is under way
    begun = time.monotonic()
    deferred.stop()
    assert time.monotonic() - begun < 2
    assert isinstance(running.exception(timeout=0), duckdb.InterruptException)
    assert waiting.cancelled()
    assert deferred.submit("later", lambda: "measured").cancelled()  # a stopped server starts nothing new


def scaled_snapshot(folder: Path) -> Path:
    sql = APP_FIXTURE_SQL.read_text(encoding="utf-8")
    assert "FROM range(600) t(i)" in sql and "i * 26000" in sql  # the fixture's PR count and spacing, scaled here
    sql = sql.replace("FROM range(600) t(i)", f"FROM range({SCALED_PRS}) t(i)").replace("i * 26000", "i * 52")
    path = folder / "acme.duckdb"
    with write_snapshot(path, fresh=True) as writer:
        writer.con.execute(sql)
    return path


def test_sigterm_during_a_facts_build_on_the_background_thread_exits_at_once_and_leaves_no_build_file(tmp_path):
    snapshot = scaled_snapshot(tmp_path)
    cache = cache_folder(snapshot)
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "measuring_process.py"), str(snapshot)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not (cache.is_dir() and any(cache.glob("*.building"))):
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.02)
        process.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        stdout, stderr = process.communicate(timeout=120)
        exited_after = time.monotonic() - sent
    finally:
        process.kill()
    # Under 0.3 s measured; with a ThreadPoolExecutor the process waited for the build and the goal's status (5.4 s).
    assert exited_after < 3, f"exited {exited_after:.1f} s after SIGTERM"
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert stdout.splitlines() == ["measuring", "stopping; the goal's status still being measured"]
    assert sorted(path.name for path in cache.iterdir()) == []  # no unfinished file, and the build never finished
