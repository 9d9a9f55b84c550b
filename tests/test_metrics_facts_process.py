"""The dashboard's whole-snapshot facts are built in a low-priority child process (flowgauge/metrics/facts_process.py)
into the same cache file loaders write, then attached; in this process when the child cannot build them."""

import contextlib
import os
import shutil
import subprocess
import threading
import time
from datetime import date

import pytest

from flowgauge.metrics import facts, facts_process
from flowgauge.metrics.engine import compute_all
from flowgauge.metrics.facts import cache_folder, keep_facts, prepare_facts, release_facts
from flowgauge.metrics.filters import DEFAULT_RULES, Filters
from flowgauge.snapshot import open_snapshot, snapshot_identity

VIEW = Filters(date(2026, 4, 1), date(2026, 6, 30))


@pytest.fixture
def snapshot(app_data_dir, tmp_path):
    path = tmp_path / "demo.duckdb"
    shutil.copy(app_data_dir / "demo.duckdb", path)
    return path


def _values(con) -> dict:
    return {metric_id: result.value for metric_id, result in compute_all(con, VIEW).items()}


def test_the_child_writes_the_cache_file_the_server_attaches(snapshot):
    per_call = open_snapshot(snapshot)
    expected = _values(per_call)
    per_call.close()

    assert facts_process.build_in_child(snapshot, DEFAULT_RULES)
    written = list(cache_folder(snapshot).iterdir())
    assert [path.suffix for path in written] == [".duckdb"]  # the finished file only: no .building file left

    con = open_snapshot(snapshot)
    try:
        assert keep_facts(con, snapshot_identity(snapshot))
        assert prepare_facts(con, DEFAULT_RULES)
        kept_in = con.execute(f"SELECT database FROM {facts.CACHE_DATABASE}.main.fg_fact_variants").fetchall()
        assert len(kept_in) == 1 and kept_in[0][0].startswith("fg_facts_")  # attached from the file, not rebuilt
        assert _values(con) == expected
    finally:
        release_facts(con)
        con.close()


def test_the_child_runs_at_a_low_priority(snapshot, monkeypatch):
    if not hasattr(os, "getpriority"):
        pytest.skip("no process priorities on this platform")
    priorities = []
    started = subprocess.Popen

    def watch(pid: int) -> None:
        # The child lowers its own priority first thing; read it until it has, or the child is gone.
        deadline = time.monotonic() + 10
        with contextlib.suppress(ProcessLookupError):
            while time.monotonic() < deadline:
                priorities.append(os.getpriority(os.PRIO_PROCESS, pid))
                if priorities[-1] == 10:
                    return
                time.sleep(0.005)

    def watched(*args, **kwargs):
        child = started(*args, **kwargs)
        threading.Thread(target=watch, args=(child.pid,)).start()
        return child

    monkeypatch.setattr(subprocess, "Popen", watched)
    assert facts_process.build_in_child(snapshot, DEFAULT_RULES)
    assert priorities and priorities[-1] == 10


def test_concurrent_callers_share_one_child(snapshot, monkeypatch):
    children = []
    started = subprocess.Popen

    def counted(*args, **kwargs):
        children.append(args)
        return started(*args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", counted)
    results = []
    callers = [
        threading.Thread(target=lambda: results.append(facts_process.build_in_child(snapshot, DEFAULT_RULES)))
        for _ in range(3)
    ]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    assert results == [True, True, True]
    assert 1 <= len(children) <= 3  # one per build that was not already running when asked
    assert len(list(cache_folder(snapshot).glob("demo.*.duckdb"))) == 1


def test_a_child_that_cannot_build_leaves_nothing_and_the_server_builds_them_itself(
    snapshot, tmp_path, caplog, monkeypatch
):
    missing = tmp_path / "gone.duckdb"
    assert not facts_process.build_in_child(missing, DEFAULT_RULES)
    assert "gone.duckdb" in caplog.text and "Traceback" not in caplog.text
    assert not cache_folder(missing).exists()

    con = open_snapshot(snapshot)
    try:
        assert keep_facts(con, snapshot_identity(snapshot))
        # The child fails (as when no process can be started): the facts are built here instead.
        monkeypatch.setattr(facts, "build_in_child", lambda *args: False)
        assert prepare_facts(con, DEFAULT_RULES)
        assert facts.facts_kept(con, DEFAULT_RULES)
    finally:
        release_facts(con)
        con.close()
