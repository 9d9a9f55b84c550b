"""Files left by processes that died: whether their owner (its PID is in the file's name) still runs, and removing
them with the bytes freed. Which files are leftovers is for their writers to say (loaders.work_files, metrics.facts).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Removed:
    """One leftover file removed, with the bytes it freed."""

    path: Path
    size_bytes: int


def pid_alive(pid: int) -> bool:
    """True when a process with this id exists on this machine (a reused id counts: the safe side is to keep)."""
    if pid <= 0:
        return False
    if os.name == "nt":
        return True  # os.kill(pid, 0) would terminate the process on Windows: never probe there, keep its files
    try:
        os.kill(pid, 0)  # signal 0 delivers nothing: it only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, owned by another user (EPERM), or cannot tell: keep its files
    return True


def remove_files(paths: list[Path]) -> list[Removed]:
    """Delete paths, skipping any already gone or not removable; returns those removed with their sizes."""
    removed = []
    for path in paths:
        try:
            size = path.stat().st_size
            path.unlink()
        except OSError:
            continue  # gone meanwhile, or not ours to remove: the next clean tries again
        removed.append(Removed(path, size))
    return removed
