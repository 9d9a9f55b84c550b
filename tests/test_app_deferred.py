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
from flowgauge.metrics.facts import cache_folder, remove_abandoned_builds
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


def stopped_by_sigterm(cwd: Path, *args: str, ready) -> tuple[float, str, str, int]:
    """Run tests/measuring_process.py ARGS until ready() holds, send it SIGTERM: the seconds it took to exit then,
    its output and its exit code."""
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "measuring_process.py"), *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not ready(process):
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.02)
        process.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        stdout, stderr = process.communicate(timeout=120)
        return time.monotonic() - sent, stdout, stderr, process.returncode
    finally:
        process.kill()


def test_sigterm_interrupts_the_statement_the_background_thread_runs_and_exits_at_once(tmp_path):
    def started(process: subprocess.Popen) -> bool:
        return process.stdout.readline() == "measuring\n"

    exited_after, stdout, stderr, returncode = stopped_by_sigterm(tmp_path, "endless", ready=started)
    assert exited_after < 3, f"exited {exited_after:.1f} s after SIGTERM"
    assert returncode == 0 and "Traceback" not in stderr, stderr
    assert stdout == "at exit: InterruptException\n"  # interrupted by Deferred's stop, before DuckDB's own handler


def test_sigterm_during_a_facts_build_for_a_goal_exits_at_once_and_leaves_no_build_to_keep(tmp_path):
    snapshot = scaled_snapshot(tmp_path)
    cache = cache_folder(snapshot)

    def building(process: subprocess.Popen) -> bool:
        return cache.is_dir() and any(cache.glob("*.building"))

    exited_after, stdout, stderr, returncode = stopped_by_sigterm(tmp_path, "goal", str(snapshot), ready=building)
    # 1.2 s measured; with a ThreadPoolExecutor the process waited for the build and the goal's status (2.4 s).
    assert exited_after < 3, f"exited {exited_after:.1f} s after SIGTERM"
    assert returncode == 0 and "Traceback" not in stderr, stderr
    assert stdout.startswith("measuring\n")
    # The build never finished, and what it left is an abandoned build, removed as such once its process is gone (the
    # child building it is terminated at exit; here PID 1 takes seconds to reap it).
    left = sorted(path.name for path in cache.iterdir())
    assert all(name.endswith((".building", ".building.wal")) for name in left), left
    removed, deadline = [], time.monotonic() + 60
    while len(removed) < len(left) and time.monotonic() < deadline:
        removed += [build.path.name for build in remove_abandoned_builds(cache)]
        time.sleep(0.2)
    assert sorted(removed) == left
    assert list(cache.iterdir()) == []
