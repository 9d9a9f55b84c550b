"""`flowgauge sync`: every source in the organisation config, loaded into its snapshot, with a summary table."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from flowgauge.cli.dashboard_facts import prepare_for_dashboard
from flowgauge.cli.options import EXIT_FAILED, EXIT_PARTIAL
from flowgauge.cli.rules_option import print_rule_effects
from flowgauge.loaders.http.client import build_client
from flowgauge.loaders.jira.client import JiraAuth, build_jira_client
from flowgauge.org_config import load_org_config
from flowgauge.org_config.config import DEFAULT_CONFIG
from flowgauge.rules import DEFAULTS, load_rules
from flowgauge.sync import run_sync

console = Console()
# Tests replace these to serve fake APIs through httpx.MockTransport.
client_factory: Callable[[str, str | None], httpx.Client] = build_client
jira_client_factory: Callable[[str, JiraAuth], httpx.Client] = build_jira_client


def sync(
    config: Annotated[Path, typer.Option(help="The organisation config (see docs/deploy.md).")] = DEFAULT_CONFIG,
) -> None:
    """Load every source in flowgauge.toml into the organisation's snapshot; exit non-zero if any failed."""
    org = load_org_config(config)
    # The [rules] table is read by the rules file's own reader: the same keys, checks and messages as --rules.
    rules = load_rules(config) if org.rules else DEFAULTS
    runs = run_sync(
        org,
        env=os.environ,
        client_factory=client_factory,
        jira_client_factory=jira_client_factory,
        on_start=lambda source: console.print(Text(f"Syncing {source.name} ({source.kind})")),
        rules=rules,
    )
    summary = Table("source", "kind", "result", "rows written", "seconds", "error")
    for run in runs:
        summary.add_row(
            Text(run.name),
            run.kind,
            "ok" if run.succeeded else "[red]failed[/red]",
            f"{run.rows_written:,}",
            f"{run.seconds:.1f}",
            Text(run.error or ""),
        )
    console.print(summary)
    for run in runs:
        for note in run.notes[:20]:
            console.print(Text(f"{run.name}: {note}"))
        if run.error:
            # Whole, on one line (the table's cell wraps it), for logs and for grep.
            console.print(Text(f"{run.name}: failed: {run.error}"), soft_wrap=True)
    failed = [run for run in runs if not run.succeeded]
    console.print(f"Synced {len(runs) - len(failed)} of {len(runs)} sources into {org.snapshot}")
    if org.snapshot.exists():
        print_rule_effects(console, org.snapshot, rules)
    prepare_for_dashboard(org.snapshot, console, rules.linking)
    if failed:
        console.print(Text(f"Failed: {', '.join(run.name for run in failed)}; their last good data is kept"))
        raise typer.Exit(EXIT_FAILED if len(failed) == len(runs) else EXIT_PARTIAL)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the CLI."""
    app.command()(sync)
