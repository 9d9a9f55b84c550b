"""Entry point of the `flowgauge` command: registers every command and turns errors into one line."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from flowgauge import __version__
from flowgauge.cli import (
    allocation_commands,
    api_commands,
    export_commands,
    git_commands,
    impact_commands,
    import_commands,
    jira_commands,
    report_commands,
    serve_commands,
    snapshot_commands,
    sync_commands,
)
from flowgauge.cli.options import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE
from flowgauge.errors import BadOption, FlowgaugeError
from flowgauge.printable import printable

PROG_NAME = "flowgauge"

app = typer.Typer(
    name=PROG_NAME,
    help="Delivery analytics from a local DuckDB snapshot: load history, inspect it, report on it.",
    no_args_is_help=True,
    # --install-completion and --show-completion (bash, zsh, fish, PowerShell).
    add_completion=True,
    pretty_exceptions_enable=False,
)


def _show_version(value: bool) -> None:
    if value:
        print(f"{PROG_NAME} {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version and exit."),
    ] = None,
) -> None:
    """Options taken before any command: --version, and the shell completion ones Typer adds."""


snapshot_commands.register(app)
import_commands.register(app)
report_commands.register(app)
allocation_commands.register(app)
export_commands.register(app)
sync_commands.register(app)
impact_commands.register(app)
serve_commands.register(app)

# `flowgauge snapshot <source> ...`: one subcommand per loader, each registered by its own module.
snapshot_app = typer.Typer(
    help="Load history from a source (git, github, gitlab, jira) into a snapshot.", no_args_is_help=True
)
app.add_typer(snapshot_app, name="snapshot")
git_commands.register(snapshot_app)
api_commands.register(snapshot_app)
jira_commands.register(snapshot_app)


def run() -> None:
    """Console-script entry: user errors print one line on stderr, never a traceback; exit codes as in the README."""
    try:
        # The program name is fixed so usage lines and completion scripts say `flowgauge`, however it was started.
        app(prog_name=PROG_NAME)
    except BadOption as error:
        _fail(error, EXIT_USAGE)
    except FlowgaugeError as error:
        _fail(error, EXIT_FAILED)
    except KeyboardInterrupt:
        print("flowgauge: interrupted; the snapshot on disk is unchanged", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)


def _fail(error: FlowgaugeError, code: int) -> None:
    # Messages can quote file names and cells: control characters are shown escaped, so the message stays one line.
    print(f"flowgauge: error: {printable(str(error))}", file=sys.stderr)
    sys.exit(code)


if __name__ == "__main__":
    run()
