"""`flowgauge demo`, `info` and `upgrade`: create, inspect and migrate snapshot files."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from flowgauge.cli.clean_leftovers import clean_leftovers
from flowgauge.cli.dashboard_facts import prepare_for_dashboard
from flowgauge.cli.options import data_dir, day_option, default_snapshot, out_help
from flowgauge.inventory import summarize_snapshot
from flowgauge.loaders.store import utc_now
from flowgauge.snapshot import open_snapshot
from flowgauge.sync.freshness import SourceFreshness, read_freshness

console = Console()


def demo(
    out: Annotated[Path | None, typer.Option(help=out_help("write", "demo.duckdb"), show_default=False)] = None,
    scale: Annotated[
        float,
        typer.Option(min=0.01, help="Volume multiplier: 1 is ~10,000 PRs; 100 is ~1,000,000."),
    ] = 1.0,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed and end date give the same snapshot.")] = 7,
    end: Annotated[date | None, day_option(help="Last day of history (YYYY-MM-DD, UTC); default yesterday.")] = None,
) -> None:
    """Write a realistic demo organisation (18 months of history) to a snapshot."""
    from flowgauge.loaders.demo import save_demo  # deferred: numpy generation code is only needed here

    out = default_snapshot(out, "demo.duckdb")
    with console.status(f"Generating demo organisation (scale {scale:g}, seed {seed})"):
        counts = save_demo(out, scale=scale, seed=seed, end_on=end)
    summary = ", ".join(f"{rows:,} {table}" for table, rows in counts.items())
    console.print(f"Wrote {out}: {summary}")
    prepare_for_dashboard(out, console)


def info(
    snapshot: Annotated[
        Path | None,
        typer.Argument(help="Snapshot file to describe (with --clean: a snapshot or its folder).", show_default=False),
    ] = None,
    clean: Annotated[
        bool,
        typer.Option(
            "--clean",
            help="Instead, remove what crashed or failed loads left in the snapshot's folder (default: "
            "$FLOWGAUGE_DATA_DIR, else data/), "
            "and print what was removed and the bytes freed.",
        ),
    ] = False,
) -> None:
    """Show a snapshot's tables, row counts, time spans, sources and freshness."""
    if clean:
        # A snapshot's folder, even when the snapshot is gone (a first load that failed leaves work files too).
        folder = snapshot if snapshot is None or snapshot.is_dir() else snapshot.parent
        clean_leftovers(folder or data_dir(), console)
        return
    if snapshot is None:
        raise typer.BadParameter("name the snapshot file to describe", param_hint="SNAPSHOT")
    con = open_snapshot(snapshot)
    try:
        summary = summarize_snapshot(con)
        synced = read_freshness(con)
    finally:
        con.close()
    # Names and locations come from the file, which may come from anyone: shown as text, never as rich markup.
    console.print(
        Text.assemble(
            (str(snapshot), "bold"),
            f"  schema v{summary.schema_version}, written by flowgauge {summary.tool_version}, "
            f"created {summary.created_at:%Y-%m-%d %H:%M} UTC, last updated {summary.updated_at:%Y-%m-%d %H:%M} UTC",
        )
    )
    tables = Table("table", "rows", "from (UTC)", "to (UTC)", "time column")
    for t in summary.tables:
        tables.add_row(
            Text(t.table),
            f"{t.rows:,}",
            f"{t.earliest:%Y-%m-%d}" if t.earliest else "",
            f"{t.latest:%Y-%m-%d}" if t.latest else "",
            Text(t.time_column or ""),
        )
    console.print(tables)
    sources = Table("source", "kind", "location", "loaded (UTC)", "rows written")
    for s in summary.sources:
        sources.add_row(
            Text(s.source_id), Text(s.kind), Text(s.location), f"{s.loaded_at:%Y-%m-%d %H:%M}", f"{s.rows_written:,}"
        )
    console.print(sources)
    for s in summary.sources:
        if s.summary:
            console.print(Text(f"{s.source_id}: {s.summary}"))
    if summary.empty_tables:
        console.print(Text(f"Empty tables: {', '.join(summary.empty_tables)}"))
    if synced:
        _print_syncs(synced)


def _print_syncs(synced: list[SourceFreshness]) -> None:
    """Each source `flowgauge sync` runs: last success, last run, result and rows; a failed run's error whole."""
    now = utc_now()
    syncs = Table("synced source", "kind", "last success (UTC)", "last run (UTC)", "result", "rows written", "limit")
    for s in synced:
        syncs.add_row(
            Text(s.name),
            Text(s.kind),
            f"{s.last_success_at:%Y-%m-%d %H:%M}" if s.last_success_at else "never",
            f"{s.last_run_at:%Y-%m-%d %H:%M}",
            s.status(now),
            f"{s.last_rows_written:,}",
            f"{s.freshness_hours:g} h",
        )
    console.print(syncs)
    for s in synced:
        warning = s.warning(now)
        if warning:
            # Whole, on one line (a table cell would wrap it), for logs and for grep; the error is the file's text.
            console.print(Text(warning), soft_wrap=True)


def upgrade(
    snapshot: Annotated[Path, typer.Argument(help="Snapshot file to migrate in place.")],
) -> None:
    """Migrate a snapshot written by an older Flowgauge to the current schema, its large tables in time order
    (atomically)."""
    from flowgauge.errors import SnapshotNotFound
    from flowgauge.loaders.store import write_snapshot

    if not snapshot.exists():
        raise SnapshotNotFound(f"{snapshot}: no such snapshot file")
    with write_snapshot(snapshot, check_time_order=True) as writer:
        pass
    console.print(Text(f"{snapshot} follows the current schema"))
    if writer.tables_put_in_time_order:
        tables = ", ".join(writer.tables_put_in_time_order)
        line = f"Wrote {tables} again in time order, so a window's views read only the rows near it"
        console.print(Text(line), soft_wrap=True)
    prepare_for_dashboard(snapshot, console)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the CLI."""
    app.command()(demo)
    app.command()(info)
    app.command()(upgrade)
