"""The last step of every command that writes a snapshot: cache the metrics' facts for the dashboard."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
from rich.console import Console

from flowgauge.errors import FlowgaugeError
from flowgauge.metrics.facts import cache_facts
from flowgauge.rules import DEFAULT_RULES, LinkingRules


def prepare_for_dashboard(snapshot: Path, console: Console, rules: LinkingRules = DEFAULT_RULES) -> None:
    """Cache the per-item facts of the snapshot just written under the rules in force, so the dashboard's first view
    of it only filters them (seconds saved at a million PRs). The snapshot is written already: a failure here only
    warns."""
    started = time.perf_counter()
    try:
        with console.status("Preparing the dashboard (per-item facts)"):
            cached = cache_facts(snapshot, rules)
    except (FlowgaugeError, duckdb.Error, OSError) as error:
        console.print(f"[yellow]warning[/yellow]: dashboard facts not prepared ({error}); it builds them on first view")
        return
    if cached:
        console.print(f"Prepared the dashboard's facts in {time.perf_counter() - started:.1f} s")
    else:
        console.print(
            "[yellow]warning[/yellow]: dashboard facts not cached (the folder is not writable); "
            "it builds them on first view"
        )
