"""The --rules option every loader and `report` share, and finding the rules file in force (the CLI edge reads the
environment; the rules package never does)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from flowgauge.rules import Rules, find_rules_file, load_rules
from flowgauge.rules.defaults import RULES_ENV
from flowgauge.rules.effects import rule_effects
from flowgauge.snapshot import open_snapshot

RulesOption = Annotated[
    Path | None,
    typer.Option(
        "--rules",
        "--config",
        help="Rules file (TOML: deployment detection, production environments, bots, incident window, change "
        "failure mode); default: $FLOWGAUGE_RULES, else flowgauge.rules.toml in the working directory or the "
        "snapshot's folder. --config is the older name.",
        show_default=False,
    ),
]


def rules_in_force(explicit: Path | None, data_folder: Path) -> Rules:
    """The rules the command runs with: the file named, else the one found, else the built-in rules."""
    return load_rules(find_rules_file(explicit, os.environ.get(RULES_ENV), [Path.cwd(), data_folder]))


def print_rules_source(console: Console, rules: Rules) -> None:
    """One line naming the rules file in force, so a surprising number can be traced to its rule."""
    console.print(
        f"Rules: {rules.source}" if rules.source else "Rules: built-in (no rules file found)",
        markup=False,
        soft_wrap=True,
    )


def print_rule_effects(console: Console, snapshot: Path, rules: Rules) -> None:
    """What the rules leave out of the metrics of the snapshot just written, one line each, after a load."""
    con = open_snapshot(snapshot)
    try:
        lines = rule_effects(con, rules.linking)
    finally:
        con.close()
    for line in lines:
        console.print(f"Left out by the rules: {line}", markup=False, highlight=False, soft_wrap=True)
