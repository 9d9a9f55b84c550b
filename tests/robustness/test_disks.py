"""Disks that refuse a write: full before or during the work copy, or read-only. Every case exits 1 with one line
naming the snapshot and the reason, leaves no work file, and the snapshot byte-identical (or still absent)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from git_repo_builder import RepoBuilder

from flowgauge.loaders.store import write_snapshot
from flowgauge.snapshot import open_snapshot
from robustness.checks import digest, one_error_line, work_files
from robustness.mounts import read_only, small_disk

TEAM_MAP = Path(__file__).parents[1] / "fixtures" / "imports" / "team_map.csv"
# An empty snapshot takes about 0.5 MB: on a 1 MB disk it fits once, and its work copy does not fit beside it.
DISK_BYTES = 1024 * 1024


def empty_snapshot(path: Path) -> None:
    with write_snapshot(path, fresh=True):
        pass


@pytest.fixture
def repo(tmp_path) -> Path:
    """A git clone with two commits, outside the disk under test."""
    builder = RepoBuilder(tmp_path / "payments")
    builder.write("app.py", ["print('hi')"])
    builder.commit(["app.py"], "Start", "Ana <ana@acme.io>", "2024-03-01 10:00:00 +0000")
    builder.write("app.py", ["print('hello')"])
    builder.commit(["app.py"], "Greet (#2)", "Bo <bo@acme.io>", "2024-03-02 10:00:00 +0000")
    return builder.path


def load_args(writer: str, target: Path, repo: Path) -> list[str]:
    if writer == "import":
        return ["import", str(TEAM_MAP), "--into", str(target)]
    return ["snapshot", "git", str(repo), "--out", str(target)]


@pytest.mark.parametrize("writer", ["import", "git"])
def test_a_disk_too_full_for_the_work_copy(tmp_path, repo, flowgauge, writer):
    with small_disk(tmp_path / "disk", DISK_BYTES) as disk:
        target = disk.resolve() / "acme.duckdb"
        empty_snapshot(target)
        before = digest(target)

        result = flowgauge(*load_args(writer, target, repo))

        assert result.returncode == 1
        assert one_error_line(result.stderr) == (
            f"{target}: not written, no space left on device in {target.parent} "
            "(while copying the current snapshot); the snapshot there is unchanged"
        )
        assert digest(target) == before
        assert work_files(disk) == []


@pytest.mark.parametrize("writer", ["import", "git"])
def test_a_disk_that_fills_while_the_snapshot_is_written(tmp_path, repo, flowgauge, writer):
    with small_disk(tmp_path / "disk", 16 * DISK_BYTES) as disk:
        target = disk.resolve() / "acme.duckdb"
        ballast = disk / "ballast.bin"
        ballast.write_bytes(b"\0" * (16 * DISK_BYTES - 300 * 1024))  # leaves room to start a snapshot, not to finish it

        result = flowgauge(*load_args(writer, target, repo))

        assert result.returncode == 1
        message = one_error_line(result.stderr)
        assert re.fullmatch(
            rf"{re.escape(str(target))}: not written, no space left on device in {re.escape(str(disk.resolve()))} "
            r"\(while (opening the work copy|writing|saving|publishing)\); the snapshot there is unchanged",
            message,
        ), message
        assert not target.exists()
        assert work_files(disk) == []
        ballast.unlink()  # room again: the same load now succeeds
        assert flowgauge(*load_args(writer, target, repo)).returncode == 0
        assert target.exists() and work_files(disk) == []


@pytest.mark.parametrize("writer", ["import", "git"])
def test_a_read_only_folder(tmp_path, repo, flowgauge, writer):
    folder = tmp_path / "shared"
    folder.mkdir()
    target = folder.resolve() / "acme.duckdb"
    empty_snapshot(target)
    before = digest(target)
    with read_only(folder):
        result = flowgauge(*load_args(writer, target, repo))

        assert result.returncode == 1
        assert re.fullmatch(
            rf"{re.escape(str(target))}: cannot write in {re.escape(str(target.parent))}: "
            r"(read-only file system|permission denied); nothing was changed",
            one_error_line(result.stderr),
        )
        assert digest(target) == before
        assert work_files(folder) == []


def test_a_disk_without_room_for_the_copy_in_time_order_keeps_the_load(tmp_path, flowgauge):
    """Writing large tables again in time order (flowgauge/loaders/time_order.py) needs room for one more copy of the
    snapshot. Without it the import is not lost: it is published as written, exit 0, with one warning line."""
    csv = tmp_path / "pull_requests.csv"
    with csv.open("w", encoding="utf-8") as out:
        out.write("pr_id,repo_id,number,state,is_draft,created_at\n")
        for n in range(300_000):  # three of DuckDB's row groups, every one spanning the whole year
            day = (n * 7919) % 336
            out.write(f"acme/r{n % 40}#{n},acme/r{n % 40},{n},open,false,2024-{1 + day // 28:02d}-{1 + day % 28:02d}\n")
    with small_disk(tmp_path / "disk", 24 * DISK_BYTES) as disk:  # the load takes about 18 MB
        target = disk.resolve() / "acme.duckdb"

        result = flowgauge("import", str(csv), "--into", str(target))

        assert result.returncode == 0, result.stderr
        assert result.stderr == (
            f"{target}: saved with its tables in the order they were written: time order failed "
            "(no space left on device)\n"
        )
        con = open_snapshot(target)
        try:
            assert con.execute("SELECT count(*), count(DISTINCT pr_id) FROM pull_requests").fetchall() == [
                (300_000, 300_000)
            ]
        finally:
            con.close()
        assert work_files(disk) == []
