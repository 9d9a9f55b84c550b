"""The files a snapshot write keeps beside its target, and removing those a crash or a failed load left behind.

Beside NAME.duckdb a write uses, all hidden:

- `.NAME.duckdb.lock`: the advisory lock that serialises writers. Empty, and never removed: a process could open
  the old file while another creates a new one, and two writers would then hold two different locks.
- `.NAME.duckdb.tmp-PID-HEX` (and its `.wal`): the work copy of a one-shot write (git, import, demo, upgrade) made
  by process PID.
- `.NAME.duckdb.partial` (and its `.wal`) and `.NAME.duckdb.partial.base`: the work copy of a resumable API load and
  the identity of the snapshot version it started from.

Which are stale, and so removed by the next write of NAME (under its lock) and by `flowgauge info --clean`:

- A one-shot work file, whenever its target's lock can be taken: a write holds the lock for as long as its work file
  exists, so one found while the lock is free belongs to a process that died. Without advisory locks (Windows) the
  PID in its name decides instead: it is stale when no such process runs.
- A resumable work file (with its WAL and note) when it can no longer resume: its note is missing, or names another
  version of the snapshot than the one there now (a later load published meanwhile, and resuming would undo it).
  One that can still resume is kept: the next API load of NAME continues from it. A failed resumable load keeps its
  work file only when it holds progress (see `flowgauge.loaders.store.write_snapshot`).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flowgauge.errors import SnapshotBusy, SnapshotWriteFailed
from flowgauge.leftovers import Removed, pid_alive, remove_files
from flowgauge.snapshot import snapshot_identity

try:  # POSIX advisory locks keep two loads from racing on one snapshot.
    import fcntl
except ImportError:  # pragma: no cover - Windows has no fcntl; loads are then not serialised
    fcntl = None

_TEMP_WORK = re.compile(r"\.(?P<target>.+)\.tmp-(?P<pid>\d+)-[0-9a-f]+(?:\.wal)?")
_RESUMABLE_WORK = re.compile(r"\.(?P<target>.+)\.partial(?:\.wal|\.base)?")
# What the disk or the OS refused, in the words of the OS; the first found in an error's text names it.
_DISK_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG, errno.EIO)


def temp_work_path(target: Path) -> Path:
    """A new one-shot work file for target, named by this process's id."""
    return target.with_name(f".{target.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")


def resumable_work_paths(target: Path) -> tuple[Path, Path]:
    """The resumable work file and the note recording which target version it started from."""
    partial = target.with_name(f".{target.name}.partial")
    return partial, partial.with_name(partial.name + ".base")


def wal_of(work: Path) -> Path:
    """DuckDB's write-ahead log beside a database file."""
    return work.with_name(work.name + ".wal")


def version_note(target: Path) -> str:
    """The text a resumable work file's note holds: the identity of the snapshot it started from, or none."""
    return json.dumps(snapshot_identity(target).__dict__) if target.exists() else "none"


@contextlib.contextmanager
def exclusive_lock(target: Path) -> Iterator[None]:
    """Hold target's writer lock, or raise SnapshotBusy at once when another process holds it."""
    lock_path = target.with_name(f".{target.name}.lock")
    try:
        handle = open(lock_path, "a+b")  # noqa: SIM115 - closed below, after the caller's block
    except OSError as error:
        raise SnapshotWriteFailed(
            f"{target}: cannot write in {target.parent}: {disk_reason(error)}; nothing was changed"
        ) from None
    with handle:
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise SnapshotBusy(f"{target}: another load is writing this snapshot; try again when it ends") from None
        yield


def disk_reason(error: BaseException) -> str | None:
    """What the disk refused ("no space left on device", "permission denied"), from an OSError or from the text of
    a DuckDB error that quotes the OS; None when the error is not about the disk."""
    if isinstance(error, OSError) and error.errno is not None:
        return os.strerror(error.errno).lower()
    text = str(error).lower()
    for number in _DISK_ERRNOS:
        if os.strerror(number).lower() in text:
            return os.strerror(number).lower()
    return None


def remove_stale_work_files(target: Path) -> list[Removed]:
    """Remove target's leftover work files that no write can use (see the module docstring); hold its lock."""
    note = version_note(target)
    partial, base = resumable_work_paths(target)
    can_resume = partial.exists() and base.exists() and _read(base) == note
    stale = []
    for path in _entries(target.parent):
        temp = _TEMP_WORK.fullmatch(path.name)
        if temp is not None and temp["target"] == target.name:
            if fcntl is not None or not pid_alive(int(temp["pid"])):
                stale.append(path)
        elif path in (partial, wal_of(partial), base) and not can_resume:
            stale.append(path)
    return remove_files(stale)


@dataclass(frozen=True)
class Cleaning:
    """What cleaning a folder did: files removed, snapshots skipped as a load writes them now, and resumable work
    kept because an API load can still continue from it."""

    removed: list[Removed]
    busy: list[Path]
    resumable: list[Path]


def clean_folder(folder: Path) -> Cleaning:
    """Remove the stale work files of every snapshot in folder (see the module docstring)."""
    targets = set()
    for path in _entries(folder):
        found = _TEMP_WORK.fullmatch(path.name) or _RESUMABLE_WORK.fullmatch(path.name)
        if found is not None:
            targets.add(found["target"])
    done = Cleaning([], [], [])
    for name in sorted(targets):
        target = folder / name
        try:
            with exclusive_lock(target):
                done.removed.extend(remove_stale_work_files(target))
        except SnapshotBusy:
            done.busy.append(target)
            continue
        partial, _ = resumable_work_paths(target)
        if partial.exists():
            done.resumable.append(partial)
    return done


def _entries(folder: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except OSError:
        return []


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None
