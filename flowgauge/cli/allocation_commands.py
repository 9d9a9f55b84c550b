"""`flowgauge allocation`: where the effort went (new features, improvements, tech debt, bugs, unplanned) by team
and month, as a table, JSON or CSV."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import pyarrow as pa
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from flowgauge.allocation import CATEGORY_NAMES, WEIGHTS, Allocation, allocation, shares
from flowgauge.cli.options import day_option
from flowgauge.cli.report_commands import _filters as selection_filters
from flowgauge.cli.rules_option import RulesOption, print_rules_source, rules_in_force
from flowgauge.csv_safety import to_csv_bytes
from flowgauge.metrics.filters import Filters
from flowgauge.metrics.runner import private_cursor
from flowgauge.printable import printable
from flowgauge.rules import Rules
from flowgauge.snapshot import open_snapshot

FORMATS = ("table", "json", "csv")
GROUPINGS = {"team": ("team_id",), "month": ("month",), "team-month": ("team_id", "month")}
ALL_TEAMS = "All teams"


@dataclass(frozen=True)
class AllocationRow:
    """One group's shares under the chosen weight: a team, a month or a team's month (team None: all teams)."""

    team: str
    team_id: str | None
    month: date | None
    total: float
    shares: dict[str, tuple[float, float | None]]  # category -> (value, percent of the total)


def allocation_command(
    snapshot: Annotated[Path, typer.Argument(help="Snapshot file to read.")],
    start: Annotated[
        date | None, day_option("--from", help="First day (YYYY-MM-DD, UTC); default 90 days before --to.")
    ] = None,
    end: Annotated[
        date | None,
        day_option("--to", help="Day after the last one (YYYY-MM-DD, UTC, exclusive); default: after the latest data."),
    ] = None,
    team: Annotated[list[str] | None, typer.Option("--team", help="Team id or name; repeat for several.")] = None,
    repo: Annotated[list[str] | None, typer.Option("--repo", help="Repository id (owner/name); repeatable.")] = None,
    weight: Annotated[
        Literal[tuple(WEIGHTS)],
        typer.Option("--weight", help="What a share counts: PRs merged, work items or points resolved, author-weeks."),
    ] = "engineer_weeks",
    by: Annotated[
        Literal[tuple(GROUPINGS)], typer.Option("--by", help="Shares per team, per month, or per team and month.")
    ] = "team",
    include_bots: Annotated[
        bool, typer.Option("--include-bots", help="Count the PRs of bots and of unknown authors (left out else).")
    ] = False,
    output_format: Annotated[Literal[FORMATS], typer.Option("--format", help="table, json or csv.")] = "table",
    rules_file: RulesOption = None,
) -> None:
    """Print the share of each kind of work (new features, improvements, tech debt, bugs, unplanned) by team/month."""
    rules = rules_in_force(rules_file, snapshot.parent)
    con = open_snapshot(snapshot)
    try:
        with private_cursor(con) as cursor:
            filters = selection_filters(cursor, start, end, tuple(team or ()), tuple(repo or ()), include_bots)
        result = allocation(con, filters, rules)
    finally:
        con.close()
    chosen = [result.team_name(team) if team in result.team_names else team for team in filters.teams]
    rows = allocation_rows(result, weight, by, ", ".join(chosen) if chosen else ALL_TEAMS)
    if output_format == "json":
        data = allocation_json(result, rows, filters, weight, rules)
        sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
    elif output_format == "csv":
        sys.stdout.write(to_csv_bytes(allocation_table(rows)).decode("utf-8"))
    else:
        _print_table(result, rows, filters, weight, rules)


def allocation_rows(result: Allocation, weight: str, by: str, everyone: str = ALL_TEAMS) -> list[AllocationRow]:
    """The groups' shares: each team (or month, or team's month), then the selection's teams together (everyone
    names them) where grouped by team."""
    keys = GROUPINGS[by]
    rows = []
    for group, group_shares in shares(result.by_team if "team_id" in keys else result.all_teams, weight, keys).items():
        values = dict(zip(keys, group, strict=True))
        team_id = values.get("team_id")
        rows.append(_row(result.team_name(team_id) if "team_id" in keys else everyone, team_id, values, group_shares))
    if "team_id" in keys:
        rest = [key for key in keys if key != "team_id"]
        for group, group_shares in shares(result.all_teams, weight, rest).items():
            rows.append(_row(everyone, None, dict(zip(rest, group, strict=True)), group_shares))
    return rows


def _row(team: str, team_id: str | None, values: dict[str, Any], group_shares) -> AllocationRow:
    return AllocationRow(
        team=team,
        team_id=team_id,
        month=values.get("month"),
        total=sum(share.value for share in group_shares),
        shares={share.category: (share.value, share.percent) for share in group_shares},
    )


def allocation_json(
    result: Allocation, rows: list[AllocationRow], filters: Filters, weight: str, rules: Rules
) -> dict[str, Any]:
    """The allocation as JSON-ready values: the groups' shares with what was left out and unclassified, and why."""
    return {
        "from": filters.start.isoformat(),
        "to": filters.end.isoformat(),
        "weight": weight,
        "unit": WEIGHTS[weight],
        "rows": [
            {
                "team": row.team,
                "team_id": row.team_id,
                "month": row.month.isoformat() if row.month else None,
                "total": row.total,
                "shares": {
                    category: {"value": value, "percent": percent} for category, (value, percent) in row.shares.items()
                },
            }
            for row in rows
        ],
        "unclassified": [{"items": n, "reason": reason} for n, reason in result.unclassified],
        "left_out": [{"items": n, "reason": reason} for n, reason in result.left_out],
        "work_items_without_points": result.unestimated,
        "notes": list(result.notes),
        "rules": [rule.describe() for rule in rules.allocation.rules],
    }


def allocation_table(rows: list[AllocationRow]) -> pa.Table:
    """One row per group with each category's share in percent, the shape of the CSV output."""
    return pa.Table.from_pylist(
        [
            {
                "team": row.team,
                "month": row.month,
                "total": row.total,
                **{f"{category}_percent": row.shares[category][1] for category in CATEGORY_NAMES},
            }
            for row in rows
        ]
    )


def _print_table(result: Allocation, rows: list[AllocationRow], filters: Filters, weight: str, rules: Rules) -> None:
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)
    table = Table(
        "team",
        "month",
        WEIGHTS[weight],
        *CATEGORY_NAMES.values(),
        title=f"Effort allocation {filters.start} to {filters.end - timedelta(days=1)} (UTC), "
        f"share of {WEIGHTS[weight]}",
    )
    for row in rows:
        table.add_row(
            Text(printable(row.team)),  # a name from the snapshot: neither Rich markup nor control characters
            row.month.strftime("%Y-%m") if row.month else "",
            _number(row.total),
            *(_percent(row.shares[category][1]) for category in CATEGORY_NAMES),
        )
    console.print(table)
    print_rules_source(console, rules)
    for n, reason in result.unclassified:
        console.print(Text(f"Unclassified: {n:,} {reason}"))
    for n, reason in result.left_out:
        console.print(f"Left out: {n:,} {reason}", highlight=False)
    if weight == "points" and result.unestimated:
        console.print(f"Left out of the points: {result.unestimated:,} work items without an estimate", highlight=False)
    for note in result.notes:
        console.print(note, highlight=False)
    if not rows:
        console.print("No merged PR or resolved work item in this selection.", highlight=False)


def _number(value: float) -> str:
    return f"{value:,.1f}".removesuffix(".0")


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}%"


def register(app: typer.Typer) -> None:
    """Add `flowgauge allocation` to the app."""
    app.command("allocation")(allocation_command)
