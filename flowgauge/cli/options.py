"""What every command shares: the one parser of day options, default snapshot paths, and the exit codes."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import typer

from flowgauge import time_bounds

# Exit codes, the same for every command (README "Exit codes").
EXIT_OK = 0
EXIT_FAILED = 1  # nothing was written: a bad file, an unreachable source, a refused token
EXIT_USAGE = 2  # a bad option or argument (Click's own code for usage errors)
EXIT_PARTIAL = 3  # the snapshot was written, but some repositories or projects could not be loaded
EXIT_INTERRUPTED = 130  # Ctrl-C; the snapshot on disk is unchanged

DAY_METAVAR = "YYYY-MM-DD"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_day(text: str) -> date:
    """A UTC day written YYYY-MM-DD, between 1970-01-01 and 2099-12-31: the one form every day option takes."""
    if isinstance(text, date):  # Typer passes defaults through the parser too
        return text
    value = text.strip()
    try:
        if not _DAY.match(value):
            raise ValueError
        day = date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a date in the form YYYY-MM-DD (a UTC day)") from None
    if not time_bounds.within(day):
        raise typer.BadParameter(time_bounds.out_of_range(value))
    return day


def day_option(*names: str, help: str) -> typer.models.OptionInfo:  # noqa: A002 -- Typer's own keyword
    """A day option parsed by parse_day, shown as YYYY-MM-DD in --help."""
    return typer.Option(*names, parser=parse_day, metavar=DAY_METAVAR, help=help, show_default=False)


def out_help(action: str, name: str) -> str:
    """The --help text of an --out option whose default lies in the data folder."""
    return f"Snapshot file to {action}; default {name} in $FLOWGAUGE_DATA_DIR, or in ./data when that is not set."


def data_dir() -> Path:
    """Where snapshots go by default: $FLOWGAUGE_DATA_DIR (as the dashboard reads it), else ./data."""
    return Path(os.environ.get("FLOWGAUGE_DATA_DIR") or "data")


def default_snapshot(out: Path | None, name: str) -> Path:
    """The --out a command writes to: as given, else NAME in the data folder (created when missing)."""
    if out is not None:
        return out
    path = data_dir() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
