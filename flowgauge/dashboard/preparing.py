"""`flowgauge serve` prepares the data folder's snapshots' facts as it starts, at a low CPU priority.

A snapshot whose facts were never cached beside it (copied in by hand, or after an upgrade changed the facts' code
key) costs its first view several seconds at a million PRs (bench/README.md). After an upgrade the server restarts,
and usually nobody opens the dashboard in the next minute: building the caches then, in a child process that takes
only idle CPU (flowgauge/metrics/facts_process.py), lets the first visitor find them ready. The organisation's own
snapshot goes first. A snapshot whose cache is there costs only the child's start; one that cannot be read is
logged in one line and skipped (the dashboard says why when it is opened).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from flowgauge.metrics.facts_process import build_in_child
from flowgauge.rules.linking import LinkingRules
from flowgauge.ui.connection import list_snapshots

_log = logging.getLogger(__name__)


def snapshots_to_prepare(data_dir: Path, first: str | None) -> list[Path]:
    """The data folder's snapshot files, the named one first."""
    names = list_snapshots(data_dir)
    ordered = ([first] if first in names else []) + [name for name in names if name != first]
    return [data_dir / f"{name}.duckdb" for name in ordered]


def prepare_snapshots(data_dir: Path, first: str | None, rules: LinkingRules) -> list[Path]:
    """Build each snapshot's cached facts for rules, one child process at a time; the snapshots left unprepared."""
    unprepared = []
    for snapshot in snapshots_to_prepare(data_dir, first):
        if not build_in_child(snapshot, rules):
            _log.warning("%s: facts not prepared at start; its first view builds them", snapshot)
            unprepared.append(snapshot)
    return unprepared


def start_preparing(data_dir: Path, first: str | None, rules: LinkingRules) -> threading.Thread:
    """prepare_snapshots on a daemon thread: the server starts at once, and stopping it never waits for the builds
    (facts_process stops its children at exit)."""
    thread = threading.Thread(
        target=prepare_snapshots, args=(data_dir, first, rules), name="flowgauge-prepare-snapshots", daemon=True
    )
    thread.start()
    return thread
