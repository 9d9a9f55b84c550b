"""Entry point of the `flowgauge` command: registers every command and turns errors into one line."""

from __future__ import annotations

import sys

import typer

from flowgauge.cli import (
    api_commands,
    git_commands,
    import_commands,
    jira_commands,
    report_commands,
    snapshot_commands,
)
from flowgauge.errors import FlowgaugeError

app = typer.Typer(
    name="flowgauge",
    help="Delivery analytics from a local DuckDB snapshot: load history, inspect it, report on it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
snapshot_commands.register(app)
import_commands.register(app)
report_commands.register(app)

# `flowgauge snapshot <source> ...`: one subcommand per loader, each registered by its own module.
snapshot_app = typer.Typer(
    help="Load history from a source (git, github, gitlab, jira) into a snapshot.", no_args_is_help=True
)
app.add_typer(snapshot_app, name="snapshot")
git_commands.register(snapshot_app)
api_commands.register(snapshot_app)
jira_commands.register(snapshot_app)


def run() -> None:
    """Console-script entry: user errors print one line on stderr and exit 1, never a traceback."""
    try:
        app()
    except FlowgaugeError as error:
        print(f"flowgauge: error: {error}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("flowgauge: interrupted; the snapshot on disk is unchanged", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    run()
