"""Crashes: each writer killed (SIGKILL) at random points leaves the previous snapshot intact (it opens, with the
same rows), and what the dead process left is removed by the next run, or by `flowgauge info --clean`.

Kills are few and seeded (random.Random(19)), so the suite runs in seconds and a failure replays.
"""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from git_repo_builder import RepoBuilder

from flowgauge.loaders.demo import save_demo
from flowgauge.loaders.store import write_snapshot
from flowgauge.metrics.facts import cache_facts
from flowgauge.snapshot import open_snapshot
from robustness.checks import digest, work_files

KILLS = 4
TEAM_MAP = Path(__file__).parents[1] / "fixtures" / "imports" / "team_map.csv"


def rows(path: Path, sql: str) -> list[tuple]:
    con = open_snapshot(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill_once(process: subprocess.Popen, ready: Callable[[], bool], delay_seconds: float) -> bool:
    """SIGKILL process delay_seconds after ready() first holds (polled every millisecond); False when it ended on
    its own first."""
    deadline = time.monotonic() + 120
    while not ready():
        if process.poll() is not None:
            return False
        assert time.monotonic() < deadline, "the writer never started writing"
        time.sleep(0.001)
    time.sleep(delay_seconds)
    finished = process.poll() is not None
    process.kill()
    process.wait()
    return not finished


def has_work_file(folder: Path) -> Callable[[], bool]:
    return lambda: any(".tmp-" in name or ".partial" in name for name in work_files(folder))


def test_store_writes_killed_at_random_points_never_damage_the_snapshot(tmp_path):
    path = tmp_path / "snap.duckdb"
    # Each cycle publishes one more person: any snapshot on disk must hold p0..pN, a whole number of writes.
    script = textwrap.dedent(
        f"""
        from flowgauge.loaders.store import write_snapshot
        i = 0
        while True:
            with write_snapshot({str(path)!r}) as writer:
                writer.upsert("people", [{{"person_id": f"p{{i:03d}}", "is_bot": False}}])
            i += 1
        """
    )
    with write_snapshot(path, fresh=True):
        pass
    rng = random.Random(19)
    for _ in range(KILLS):
        assert kill_once(start("-c", script), has_work_file(tmp_path), rng.uniform(0, 0.3))
        people = [row[0] for row in rows(path, "SELECT person_id FROM people ORDER BY person_id")]
        assert people == [f"p{i:03d}" for i in range(len(people))]
    with write_snapshot(path) as writer:  # the next write removes what the dead writers left
        writer.upsert("people", [{"person_id": "z", "is_bot": False}])
    assert work_files(tmp_path) == []


def test_a_writer_killed_inside_its_write_leaves_a_work_file_the_next_write_removes(tmp_path):
    path = tmp_path / "snap.duckdb"
    with write_snapshot(path, fresh=True) as writer:
        writer.upsert("people", [{"person_id": "ana", "is_bot": False}])
    before = digest(path)
    script = textwrap.dedent(
        f"""
        import os, signal
        from flowgauge.loaders.store import write_snapshot
        with write_snapshot({str(path)!r}) as writer:
            writer.upsert("people", [{{"person_id": "bo", "is_bot": False}}])
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    assert subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120).returncode == -9
    left = work_files(tmp_path)
    assert left and all(name.startswith(".snap.duckdb.tmp-") for name in left)
    assert digest(path) == before
    with write_snapshot(path) as writer:
        writer.upsert("people", [{"person_id": "cy", "is_bot": False}])
    assert work_files(tmp_path) == []
    assert rows(path, "SELECT person_id FROM people ORDER BY 1") == [("ana",), ("cy",)]


@pytest.fixture
def repo(tmp_path) -> Path:
    builder = RepoBuilder(tmp_path / "payments")
    for day in range(1, 13):
        builder.write("app.py", [f"print({day})"] * day)
        builder.commit(["app.py"], f"Change {day} (#{day})", "Ana <ana@acme.io>", f"2024-03-{day:02d} 10:00:00 +0000")
    return builder.path


@pytest.mark.parametrize("writer", ["git", "import"])
def test_loads_killed_at_random_points_keep_the_old_snapshot_and_the_next_run_cleans_up(tmp_path, repo, writer):
    data = tmp_path / "data"
    data.mkdir()
    path = data / "acme.duckdb"
    with write_snapshot(path, fresh=True) as seed:
        seed.upsert("people", [{"person_id": "old", "is_bot": False}])
    if writer == "git":
        args = ["-m", "flowgauge.cli.main", "snapshot", "git", str(repo), "--out", str(path)]
        table = "commits"
    else:
        args = ["-m", "flowgauge.cli.main", "import", str(TEAM_MAP), "--into", str(path)]
        table = "team_memberships"
    rng = random.Random(19)
    kills = 0
    for _ in range(KILLS):
        before = digest(path)
        killed = kill_once(start(*args), has_work_file(data), rng.uniform(0, 0.15))
        kills += killed
        # Killed before its rename: byte-identical; killed after: the whole new snapshot, never anything between.
        assert digest(path) == before or not killed or rows(path, f"SELECT count(*) > 0 FROM {table}") == [(True,)]
        assert ("old",) in rows(path, "SELECT person_id FROM people")
    assert kills > 0
    rerun = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert work_files(data) == []
    assert rows(path, f"SELECT count(*) > 0 FROM {table}") == [(True,)]


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    save_demo(folder / "demo.duckdb", scale=0.1, seed=3)
    return folder


def test_facts_cache_builds_killed_mid_build_are_removed_by_the_next_build(demo_folder):
    snapshot = demo_folder / "demo.duckdb"
    before = digest(snapshot)
    cache = demo_folder / ".flowgauge-cache"
    script = f"from flowgauge.metrics.facts import cache_facts; cache_facts({str(snapshot)!r})"
    rng = random.Random(19)
    killed = 0
    for _ in range(KILLS):
        for leftover in cache.glob("*.duckdb"):  # no finished cache, so every run builds
            leftover.unlink()
        building = lambda: cache.is_dir() and any(".building" in p.name for p in cache.iterdir())  # noqa: E731
        killed += kill_once(start("-c", script), building, rng.uniform(0, 0.05))
    assert killed and any(".building" in name for name in work_files(demo_folder))
    assert cache_facts(snapshot)  # the next build, in a live process, removes the dead builds' files
    assert work_files(demo_folder) == []
    assert len(list(cache.glob("demo.*.duckdb"))) == 1
    assert digest(snapshot) == before


def test_info_clean_removes_dead_writers_files_and_says_what_it_freed(tmp_path, flowgauge):
    path = tmp_path / "acme.duckdb"
    with write_snapshot(path, fresh=True):
        pass
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)  # a process that has ended: its work files are leftovers
    copy = tmp_path / f".acme.duckdb.tmp-{pid}-0badc0de"
    copy.write_bytes(path.read_bytes())
    (tmp_path / f"{copy.name}.wal").write_bytes(b"w" * 1000)
    cache = tmp_path / ".flowgauge-cache"
    cache.mkdir()
    (cache / f"acme.{'0' * 16}.{'1' * 16}.{'2' * 16}.{pid}-0badc0de.building").write_bytes(b"b" * 2048)
    freed = path.stat().st_size + 1000 + 2048

    cleaned = flowgauge("info", "--clean", str(path))

    assert cleaned.returncode == 0, cleaned.stderr
    lines = cleaned.stdout.splitlines()
    assert f"Removed {copy} ({path.stat().st_size / 1024:.1f} KB)" in lines
    assert f"Removed {copy}.wal (1,000 bytes)" in lines
    assert lines[-1] == f"Removed 3 leftover files from {tmp_path.resolve()}, freed {freed / 1024:.1f} KB"
    assert work_files(tmp_path) == []
    assert flowgauge("info", "--clean", str(tmp_path)).stdout == f"No leftovers in {tmp_path.resolve()}\n"


def test_info_clean_never_touches_a_running_writers_files(tmp_path, flowgauge):
    path = tmp_path / "acme.duckdb"
    with write_snapshot(path, fresh=True):
        pass
    with write_snapshot(path) as writer:  # a load in progress, in this live process
        writer.upsert("people", [{"person_id": "ana", "is_bot": False}])
        in_progress = work_files(tmp_path)
        cleaned = flowgauge("info", "--clean", str(tmp_path))
        assert cleaned.returncode == 0, cleaned.stderr
        assert f"Skipped {path.resolve()}: a load is writing it now" in cleaned.stdout
        assert work_files(tmp_path) == in_progress != []
    assert rows(path, "SELECT person_id FROM people") == [("ana",)]


def test_resumable_work_survives_clean_until_another_load_makes_it_useless(tmp_path, flowgauge):
    path = tmp_path / "acme.duckdb"
    with write_snapshot(path, fresh=True):
        pass
    with pytest.raises(ConnectionError), write_snapshot(path, resumable=True) as writer:
        writer.upsert("people", [{"person_id": "page1", "is_bot": False}])
        writer.save_cursor("github:acme", "acme/pay", "pull_requests", "after-page-1", complete=False)
        raise ConnectionError("network dropped")
    resumable = [".acme.duckdb.partial", ".acme.duckdb.partial.base"]
    assert work_files(tmp_path) == resumable

    partial = tmp_path.resolve() / ".acme.duckdb.partial"
    assert flowgauge("info", "--clean", str(path)).stdout.splitlines() == [
        f"Kept {partial} ({partial.stat().st_size / 1024 / 1024:.1f} MB): the interrupted API load it holds "
        "resumes from it on its next run",
        f"No leftovers in {tmp_path.resolve()}",
    ]
    assert work_files(tmp_path) == resumable  # the next API load resumes from it

    imported = flowgauge("import", str(TEAM_MAP), "--into", str(path))
    assert imported.returncode == 0, imported.stderr
    assert work_files(tmp_path) == []  # resuming now would undo the import: it can never be used


def test_a_resumable_load_that_saved_nothing_leaves_nothing(tmp_path):
    path = tmp_path / "never.duckdb"
    with pytest.raises(PermissionError), write_snapshot(path, resumable=True):
        raise PermissionError("the token was refused")  # before the first page: nothing to resume
    assert work_files(tmp_path) == [] and not path.exists()
