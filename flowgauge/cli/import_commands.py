"""`flowgauge import FILE... --into SNAPSHOT`: exported files into a snapshot, all-or-nothing."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from flowgauge.cli.dashboard_facts import prepare_for_dashboard
from flowgauge.cli.rules_option import RulesOption, print_rule_effects, print_rules_source, rules_in_force
from flowgauge.loaders.imports import (
    DATE_ORDERS,
    DEFAULT_MAX_BYTES,
    KINDS,
    import_files,
    table_specs,
    template_csv,
)

console = Console()


# Choices known when the command is built, so --help lists them and a wrong one is a usage error.
KIND_CHOICES = ("auto", *KINDS)
TEMPLATE_TABLES = tuple(sorted(table_specs()))


def import_command(
    files: Annotated[list[Path] | None, typer.Argument(help="Exported files (CSV, JSON, JSON Lines, Parquet).")] = None,
    into: Annotated[Path | None, typer.Option(help="Snapshot file to import into (created if missing).")] = None,
    kind: Annotated[
        Literal[KIND_CHOICES], typer.Option(help="What the files are: auto (detect from each file) or one kind.")
    ] = "auto",
    max_mb: Annotated[
        float, typer.Option(min=0.001, help="Refuse files larger than this many megabytes.")
    ] = DEFAULT_MAX_BYTES / (1024 * 1024),
    date_order: Annotated[
        Literal[DATE_ORDERS] | None,
        typer.Option(
            help="How to read dates that fit both day-first and month-first (default: detect).", show_default=False
        ),
    ] = None,
    template: Annotated[
        Literal[TEMPLATE_TABLES] | None,
        typer.Option(
            help="Print a header-only CSV template for this table and exit (sprints: a sprint calendar to date the "
            "sprints of a Jira CSV export).",
            show_default=False,
        ),
    ] = None,
    rules_file: RulesOption = None,
) -> None:
    """Import exported files (Jira, PagerDuty, Opsgenie, GitHub, GitLab, deployments, teams, surveys, tables)."""
    if template is not None:
        sys.stdout.write(template_csv(template))
        return
    if not files or into is None:
        raise typer.BadParameter("give one or more files and --into SNAPSHOT (or --template TABLE)")
    rules = rules_in_force(rules_file, into.parent)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console, transient=True
    ) as bar:
        task = bar.add_task("Importing", total=1.0)
        report = import_files(
            files,
            into,
            kind,
            max_bytes=int(max_mb * 1024 * 1024),
            date_order=date_order,
            code_origin=rules.code_origin,
            progress=lambda message, fraction: bar.update(task, description=message, completed=fraction),
        )
    summary = Table("file", "kind", "rows written", "duplicates dropped", "notes")
    for item in report.files:
        summary.add_row(
            item.file,
            item.kind,
            ", ".join(f"{rows:,} {table}" for table, rows in item.rows.items()),
            ", ".join(f"{n:,} {table}" for table, n in item.duplicates_dropped.items()),
            "; ".join(item.notes),
        )
    console.print(summary)
    console.print(f"Imported {len(report.files)} file(s) into {report.snapshot}: {report.total_rows:,} rows")
    print_rules_source(console, rules)
    print_rule_effects(console, Path(report.snapshot), rules)
    prepare_for_dashboard(Path(report.snapshot), console, rules.linking)


def register(app: typer.Typer) -> None:
    """Add `flowgauge import` to the CLI (`import` is a Python keyword, so the function has another name)."""
    app.command(name="import")(import_command)
