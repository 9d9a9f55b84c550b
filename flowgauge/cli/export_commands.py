"""`flowgauge export`: take a snapshot's tables to another engine as Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from flowgauge.export.parquet import DEFAULT_PARTITION_MIN_ROWS, save_parquet_export

console = Console()


def export(
    snapshot: Annotated[Path, typer.Argument(help="Snapshot file to export.")],
    parquet: Annotated[Path, typer.Option("--parquet", help="Folder to write (empty or new).")],
    overwrite: Annotated[bool, typer.Option(help="Replace an earlier export in that folder.")] = False,
    partition_min_rows: Annotated[
        int,
        typer.Option(min=1, help="Tables with an event time and at least this many rows are split by month."),
    ] = DEFAULT_PARTITION_MIN_ROWS,
) -> None:
    """Write every table as Parquet (large event tables by month, Hive-style) with a manifest of counts."""
    with console.status(f"Exporting {snapshot} to {parquet}"):
        tables = save_parquet_export(snapshot, parquet, overwrite=overwrite, partition_min_rows=partition_min_rows)
    summary = Table("table", "rows", "files", "partitioned by")
    for name, entry in tables.items():
        partition = f"month of {entry.partitioned_by}" if entry.partitioned_by else ""
        summary.add_row(name, f"{entry.rows:,}", f"{entry.files:,}", partition)
    console.print(summary)
    total = sum(entry.rows for entry in tables.values())
    console.print(f"Wrote {len(tables)} tables ({total:,} rows) to {parquet}, with manifest.json")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the CLI."""
    app.command()(export)
