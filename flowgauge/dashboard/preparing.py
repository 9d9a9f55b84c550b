"""`flowgauge serve` prepares the data folder's snapshots' facts as it starts, and each snapshot copied in while it
runs, at a low CPU priority.

A snapshot whose facts were never cached beside it (copied in by hand, or after an upgrade changed the facts' code
key) costs its first view several seconds at a million PRs (bench/README.md). After an upgrade the server restarts,
and usually nobody opens the dashboard in the next minute: building the caches then, in a child process that takes
only idle CPU (flowgauge/metrics/facts_process.py), lets the first visitor find them ready. The organisation's own
snapshot goes first. A snapshot whose cache is there costs only the child's start; one that cannot be read is
logged in one line and skipped (the dashboard says why when it is opened).

While the server runs, the folder is looked at every WATCH_SECONDS: a snapshot that appeared or was replaced there
(copied in by hand; a load's own write prepares its snapshot itself, and the child then finds the cache) is prepared
once it has stayed the same file, size and modification time for one look, so a copy still being written is not
read half way. Each version of a file is tried once: one that cannot be read is logged once, not every look.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from flowgauge.errors import SnapshotNotFound
from flowgauge.metrics.facts_process import build_in_child
from flowgauge.rules.linking import LinkingRules
from flowgauge.snapshot import SnapshotIdentity, snapshot_identity
from flowgauge.ui.connection import list_snapshots

WATCH_SECONDS = 10.0

_log = logging.getLogger(__name__)


def snapshots_to_prepare(data_dir: Path, first: str | None) -> list[Path]:
    """The data folder's snapshot files, the named one first."""
    names = list_snapshots(data_dir)
    ordered = ([first] if first in names else []) + [name for name in names if name != first]
    return [data_dir / f"{name}.duckdb" for name in ordered]


class SnapshotWatch:
    """The served folder's snapshots, prepared at start and then as each appears or is replaced (module docstring)."""

    def __init__(self, data_dir: Path, first: str | None, rules: LinkingRules) -> None:
        self.data_dir, self.first, self.rules = data_dir, first, rules
        self._tried: dict[Path, SnapshotIdentity | None] = {}  # the version of each file last prepared, or tried
        self._looked: dict[Path, SnapshotIdentity | None] = {}  # each file as the last look saw it

    def prepare_all(self) -> list[Path]:
        """Prepare every snapshot there now (at start); returns those left unprepared."""
        unprepared = []
        for snapshot in snapshots_to_prepare(self.data_dir, self.first):
            self._tried[snapshot] = self._looked[snapshot] = _identity(snapshot)
            if not _prepare(snapshot, self.rules):
                unprepared.append(snapshot)
        return unprepared

    def look(self) -> list[Path]:
        """Prepare each snapshot that is new or replaced since it was last tried and unchanged since the last look;
        returns those it prepared or tried."""
        now = {snapshot: _identity(snapshot) for snapshot in snapshots_to_prepare(self.data_dir, self.first)}
        done = []
        for snapshot, identity in now.items():
            settled = identity is not None and self._looked.get(snapshot) == identity
            if settled and self._tried.get(snapshot) != identity:
                self._tried[snapshot] = identity
                _log.info("%s: copied in while serving; preparing its facts", snapshot)
                _prepare(snapshot, self.rules)
                done.append(snapshot)
        self._looked = now
        return done


def watch_snapshots(
    data_dir: Path, first: str | None, rules: LinkingRules, stop: threading.Event, every_seconds: float = WATCH_SECONDS
) -> None:
    """Prepare every snapshot now, then look every every_seconds until stop is set (SnapshotWatch)."""
    watch = SnapshotWatch(data_dir, first, rules)
    watch.prepare_all()
    while not stop.wait(every_seconds):
        watch.look()


@dataclass
class Preparing:
    """The thread preparing a served folder's snapshots, and how to stop it (tests do; the server never waits)."""

    thread: threading.Thread
    stopping: threading.Event

    def stop(self, timeout: float | None = None) -> None:
        self.stopping.set()
        self.thread.join(timeout)


def start_preparing(
    data_dir: Path, first: str | None, rules: LinkingRules, every_seconds: float = WATCH_SECONDS
) -> Preparing:
    """watch_snapshots on a daemon thread: the server starts at once, and stopping it never waits for the builds
    (facts_process stops its children at exit)."""
    stopping = threading.Event()
    thread = threading.Thread(
        target=watch_snapshots,
        args=(data_dir, first, rules, stopping, every_seconds),
        name="flowgauge-prepare-snapshots",
        daemon=True,
    )
    thread.start()
    return Preparing(thread, stopping)


def _prepare(snapshot: Path, rules: LinkingRules) -> bool:
    if build_in_child(snapshot, rules):
        return True
    _log.warning("%s: facts not prepared; its first view builds them", snapshot)
    return False


def _identity(snapshot: Path) -> SnapshotIdentity | None:
    """The file's identity now, or None when it is gone (removed between the listing and the look)."""
    try:
        return snapshot_identity(snapshot)
    except SnapshotNotFound:
        return None
