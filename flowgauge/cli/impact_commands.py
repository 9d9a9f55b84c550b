"""`flowgauge impact` (what each initiative changed, with its interval and verdict) and `flowgauge initiatives`
(import, list and the change log of the initiatives and goals kept beside a snapshot)."""

from __future__ import annotations

import getpass
import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from flowgauge.cli.rules_option import RulesOption, print_rules_source, rules_in_force
from flowgauge.errors import BadOption
from flowgauge.impact import SETTLE_DAYS, ImpactResult, impact_of_all
from flowgauge.impact.verdict import metric_label
from flowgauge.metrics import METRICS, STATISTICS
from flowgauge.metrics.facts import keep_facts, release_facts, warm_facts
from flowgauge.organisation_data import (
    import_organisation_file,
    load_organisation,
    organisation_path,
)
from flowgauge.printable import printable
from flowgauge.snapshot import open_snapshot, snapshot_identity

FORMATS = ("table", "json")
DAY = timedelta(days=1)
METRIC_IDS = tuple(METRICS)


class BadImpactOption(BadOption):
    """An impact option names an initiative the organisation data does not hold."""


def impact(
    snapshot: Annotated[Path, typer.Argument(help="Snapshot file; its initiatives are kept beside it.")],
    initiative: Annotated[
        str | None, typer.Option("--initiative", help="Only this initiative (by name); default every one.")
    ] = None,
    metric: Annotated[
        Literal[METRIC_IDS] | None,
        typer.Option("--metric", help="Only this metric; default each metric the initiative meant to move."),
    ] = None,
    window_days: Annotated[
        int | None,
        typer.Option(
            "--window-days",
            min=7,
            max=365,
            help="Days compared before and after the start; default the initiative's own, else 90.",
            show_default=False,
        ),
    ] = None,
    settle_days: Annotated[
        int, typer.Option("--settle-days", min=0, max=365, help="Days after the start left out while work settles.")
    ] = SETTLE_DAYS,
    stat: Annotated[
        Literal[STATISTICS] | None,
        typer.Option("--stat", help="Statistic of time metrics; default each metric's own.", show_default=False),
    ] = None,
    output_format: Annotated[Literal[FORMATS], typer.Option("--format", help="table or json (a list).")] = "table",
    rules_file: RulesOption = None,
) -> None:
    """What each initiative changed: before vs after with a 95% interval, a comparison group and a verdict."""
    rules = rules_in_force(rules_file, snapshot.parent)
    organisation = load_organisation(snapshot)
    if initiative is not None and organisation.initiative(initiative) is None:
        names = ", ".join(repr(item.name) for item in organisation.initiatives) or "none yet"
        raise BadImpactOption(f"no initiative called {initiative!r} beside {snapshot}; initiatives: {names}")
    identity = snapshot_identity(snapshot)
    con = open_snapshot(snapshot)
    try:
        # Facts the dashboard or a load cached for this very file are reused, never built for the whole history here.
        if keep_facts(con, identity):
            warm_facts(con, rules.linking, build=False)
        results = impact_of_all(
            con,
            organisation,
            rules.linking,
            initiative=initiative,
            metric_id=metric,
            window_days=window_days,
            settle_days=settle_days,
            statistic=stat,
        )
    finally:
        release_facts(con)
        con.close()
    if output_format == "json":
        sys.stdout.write(json.dumps([result.as_dict() for result in results], indent=2, ensure_ascii=False) + "\n")
        return
    console = _console()
    if not results:
        console.print(
            f"No initiatives beside {snapshot} (kept in {organisation_path(snapshot)}): add them with "
            "`flowgauge initiatives import FILE --into SNAPSHOT` or on the Impact page.",
            markup=False,
            soft_wrap=True,
        )
        return
    _print_results(console, results)
    print_rules_source(console, rules)


def _print_results(console: Console, results: list[ImpactResult]) -> None:
    table = Table(
        "initiative",
        "metric",
        "before",
        "after",
        "change",
        "95% CI",
        "comparison",
        "n before/after",
        "verdict",
        title="Initiative impact (changes in percent; windows in UTC days)",
    )
    for result in results:
        row = result.as_dict()
        table.add_row(
            _text(result.initiative),
            metric_label(result),
            _number(result.before),
            _number(result.after),
            _percent(row["change_percent"]),
            f"{_percent(row['ci_low'])} to {_percent(row['ci_high'])}" if row["ci_low"] is not None else "",
            _percent(row["comparison_change_percent"]),
            f"{result.n_before}/{result.n_after}",
            result.verdict,
        )
    console.print(table)
    for result in results:
        windows = result.windows
        span = (
            f" (before {windows.before_start} to {windows.start - DAY}, after {windows.after_start} to "
            f"{windows.after_end - DAY}, {windows.days} days each, UTC)"
            if windows
            else ""
        )
        line = f"{result.initiative}: {result.sentence}{span}"
        console.print(printable(line), markup=False, highlight=False, soft_wrap=True)


def import_initiatives(
    file: Annotated[Path, typer.Argument(help="TOML file of [[initiative]] and [[goal]] tables.")],
    into: Annotated[Path, typer.Option("--into", help="Snapshot whose initiatives and goals these are.")],
    by: Annotated[
        str | None, typer.Option("--by", help="Who is making the change, for the log; default your login name.")
    ] = None,
) -> None:
    """Create or update initiatives and goals from a TOML file; every change is logged with who and when (UTC)."""
    editor = by or getpass.getuser()
    changes = import_organisation_file(into, file, editor)
    console = _console()
    if not changes:
        console.print(f"Nothing changed: {organisation_path(into)} already holds what {file} says.", markup=False)
        return
    for change in changes:
        console.print(printable(f"{change.action}d {change.kind} {change.subject!r}"), markup=False, highlight=False)
    console.print(f"{len(changes)} changes by {editor} written to {organisation_path(into)}", markup=False)


def list_initiatives(
    snapshot: Annotated[Path, typer.Argument(help="Snapshot whose initiatives and goals to list.")],
    changes: Annotated[
        bool, typer.Option("--changes", help="List the change log instead (who, what, when UTC).")
    ] = False,
) -> None:
    """List the initiatives and goals kept beside a snapshot, or with --changes every change made to them."""
    organisation = load_organisation(snapshot)
    console = _console()
    if changes:
        log = Table("when (UTC)", "by", "action", "kind", "subject", title=f"Changes in {organisation_path(snapshot)}")
        for change in organisation.changes:
            log.add_row(change.at, _text(change.by), change.action, change.kind, _text(change.subject))
        console.print(log)
        return
    initiatives = Table("name", "start", "end", "touched", "metrics", "window (days)", title="Initiatives")
    for item in organisation.initiatives:
        touched = ", ".join((*item.teams, *item.repos, *item.services))
        initiatives.add_row(
            _text(item.name),
            item.start.isoformat(),
            item.end.isoformat() if item.end else "",
            _text(touched),
            ", ".join(item.metrics),
            str(item.window_days or ""),
        )
    goals = Table("team", "metric", "statistic", "target", "due", "set on", title="Goals")
    for goal in organisation.goals:
        goals.add_row(
            _text(goal.team),
            goal.metric,
            goal.statistic,
            _number(goal.target),
            goal.due.isoformat(),
            goal.set_on.isoformat(),
        )
    console.print(initiatives)
    console.print(goals)


def _text(value: str) -> Text:
    """Text from a file as itself in a table cell: never Rich markup, control characters escaped."""
    return Text(printable(value))


def _console() -> Console:
    console = Console()
    return console if console.is_terminal else Console(width=160)  # piped: do not wrap at 80 columns


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:+.0f}%"


def register(app: typer.Typer) -> None:
    """Add `flowgauge impact` and the `flowgauge initiatives` group to the app."""
    app.command("impact")(impact)
    initiatives = typer.Typer(
        help="Initiatives and team goals kept beside a snapshot (they survive every rebuild).", no_args_is_help=True
    )
    initiatives.command("import")(import_initiatives)
    initiatives.command("list")(list_initiatives)
    app.add_typer(initiatives, name="initiatives")
