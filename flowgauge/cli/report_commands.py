"""`flowgauge report`: every metric for a selection, tiered against a benchmark set, as a table, JSON or CSV."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal

import pyarrow as pa
import typer
from rich.console import Console
from rich.table import Table

from flowgauge import time_bounds
from flowgauge.cli.options import day_option, default_snapshot
from flowgauge.cli.rules_option import RulesOption, print_rules_source, rules_in_force
from flowgauge.csv_safety import to_csv_bytes
from flowgauge.errors import BadOption, FlowgaugeError
from flowgauge.metrics import (
    METRICS,
    STATISTICS,
    Filters,
    PeriodChange,
    Scored,
    compare,
    compute_all,
    score,
)
from flowgauge.metrics.benchmark_sets import (
    DEFAULT_SET_ID,
    BenchmarkFileError,
    BenchmarkSet,
    load_benchmark_sets,
    user_sets_folder,
)
from flowgauge.metrics.facts import keep_facts, warm_facts
from flowgauge.metrics.origin_scope import narrowed_by_origin
from flowgauge.metrics.runner import private_cursor, query
from flowgauge.metrics.scoring import band_statistics
from flowgauge.org_config.defaults import default_benchmark_set, find_organisation_config
from flowgauge.organisation_data import load_organisation
from flowgauge.report import build_content, reopen_link, report_html, scope_text
from flowgauge.report.pdf import NO_CHROMIUM, NoChromium, find_chromium, save_pdf
from flowgauge.rules import DEFAULT_RULES, LinkingRules, Rules
from flowgauge.rules.code_origin import SELECTABLE_ORIGINS
from flowgauge.rules.defaults import RULES_ENV
from flowgauge.snapshot import open_snapshot, snapshot_identity
from flowgauge.ui.filters import DEFAULT_STATISTIC, View

DEFAULT_DAYS = 90
FORMATS = ("table", "json", "csv", "html", "pdf")
# Where the report's reopen link points when --dashboard-url is not given: `streamlit run app.py` on this machine.
DEFAULT_DASHBOARD_URL = "http://localhost:8501/"
# The shipped sets, listed in --help; the user's own in the snapshot folder's benchmarks/ are accepted too.
BENCHMARK_SETS = tuple(sorted(load_benchmark_sets()))
# Shares of the origins themselves: by origin they would read 100 % or 0 %.
_ORIGIN_SHARES = ("agentic_pr_share", "ai_assisted_pr_share")
# --origin's choices; Typer lists an Enum's values in --help and refuses others as a usage error.
OriginChoice = Enum("OriginChoice", {origin: origin for origin in SELECTABLE_ORIGINS}, type=str)


class BadReportOption(BadOption):
    """A report option names something the snapshot or Flowgauge does not know."""


class ReportNotWritten(FlowgaugeError):
    """The report file could not be written."""


@dataclass(frozen=True)
class ReportLine:
    """One metric of a report: its scored result now and its change vs the previous window."""

    scored: Scored
    change: PeriodChange


def report(
    snapshot: Annotated[Path, typer.Argument(help="Snapshot file to report on.")],
    start: Annotated[
        date | None, day_option("--from", help="First day (YYYY-MM-DD, UTC); default 90 days before --to.")
    ] = None,
    end: Annotated[
        date | None,
        day_option(
            "--to",
            help="Day after the last one (YYYY-MM-DD, UTC, exclusive); default the day after "
            "the snapshot's latest activity.",
        ),
    ] = None,
    team: Annotated[list[str] | None, typer.Option("--team", help="Team id or name; repeat for several.")] = None,
    repo: Annotated[list[str] | None, typer.Option("--repo", help="Repository id (owner/name); repeatable.")] = None,
    benchmarks: Annotated[
        str | None,
        typer.Option(
            "--benchmarks",
            # The ids in the help text: as a metavar, their list (ten sets) squeezed every other option's choices.
            metavar="<set id>",
            help=f"Benchmark set to tier against ({', '.join(BENCHMARK_SETS)}, or one of your own in benchmarks/ "
            f"beside the snapshot); default: the organisation config's, else {DEFAULT_SET_ID}.",
            show_default=False,
        ),
    ] = None,
    stat: Annotated[
        Literal[STATISTICS] | None,
        typer.Option("--stat", help="One statistic for every time metric; default: each band's statistic."),
    ] = None,
    include_bots: Annotated[
        bool,
        typer.Option(
            "--include-bots", help="Count the PRs and commits of bots and of unknown authors (no login), left out else."
        ),
    ] = False,
    origin: Annotated[
        list[OriginChoice] | None,
        typer.Option(
            "--origin",
            metavar=f"<{'|'.join(SELECTABLE_ORIGINS)}>",
            help="Only PRs of this code origin (PR metrics); repeat for several.",
        ),
    ] = None,
    output_format: Annotated[
        Literal[FORMATS],
        typer.Option(
            "--format",
            help="table, json (keys are metric ids), csv, or the planning-meeting report as html or pdf (--out).",
        ),
    ] = "table",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="File for --format html or pdf; default flowgauge-report-<from>-<to>.<format> in "
            "$FLOWGAUGE_DATA_DIR, or in ./data when that is not set.",
        ),
    ] = None,
    dashboard_url: Annotated[
        str, typer.Option("--dashboard-url", help="The dashboard the html or pdf report's reopen link points at.")
    ] = DEFAULT_DASHBOARD_URL,
    rules_file: RulesOption = None,
) -> None:
    """Print every metric for a selection: value, unit, statistic, n, tier and change vs the previous period."""
    rules = rules_in_force(rules_file, snapshot.parent)
    # flowgauge.toml given as --config (or $FLOWGAUGE_RULES), or found where its rules would be, names the default set.
    named = rules_file or os.environ.get(RULES_ENV)
    organisation = find_organisation_config(named, [Path.cwd(), snapshot.parent])
    benchmarks = benchmarks or default_benchmark_set(organisation) or DEFAULT_SET_ID
    sets = report_benchmark_sets(benchmarks, snapshot.parent)
    identity = snapshot_identity(snapshot)
    if origin and output_format in ("html", "pdf"):
        # The meeting report (its scorecard, allocation, impact and reopen link) covers every origin; narrowing only
        # some of it, or none while saying nothing, would misreport.
        raise BadReportOption(f"--origin applies to --format table, json and csv, not {output_format}")
    if output_format == "pdf" and find_chromium() is None:
        raise NoChromium(NO_CHROMIUM)  # before the report is computed, not after
    con = open_snapshot(snapshot)
    try:
        # Facts the dashboard cached for this very file are reused; a report never builds them for the whole
        # history itself (a single report costs less staging only its own selection).
        if keep_facts(con, identity):
            warm_facts(con, rules.linking, build=False)
        with private_cursor(con) as cursor:
            filters = _filters(cursor, start, end, tuple(team or ()), tuple(repo or ()), include_bots)
            if output_format in ("html", "pdf"):
                page = meeting_report(
                    cursor, snapshot, filters, sets[benchmarks], benchmarks, stat, rules, dashboard_url
                )
            else:
                filters = replace(filters, origins=tuple(choice.value for choice in origin or ()))
                lines = build_report(cursor, filters, sets[benchmarks], stat, rules.linking)
                by_origin = origin_values(cursor, filters, lines, rules.linking) if output_format == "json" else {}
    finally:
        con.close()
    if output_format in ("html", "pdf"):
        last_day = filters.end - timedelta(days=1)
        target = default_snapshot(out, f"flowgauge-report-{filters.start}-{last_day}.{output_format}")
        if output_format == "pdf":
            save_pdf(page, target)
        else:
            save_text(page, target)
        print(f"Wrote the report to {target}", file=sys.stderr)
        return
    if output_format == "json":
        sys.stdout.write(json.dumps(report_json(lines, by_origin), indent=2, default=str) + "\n")
    elif output_format == "csv":
        sys.stdout.write(to_csv_bytes(report_table(lines)).decode("utf-8"))
    else:
        _print_table(lines, filters, sets[benchmarks], rules)


def report_benchmark_sets(chosen: str, data_folder: Path) -> dict[str, BenchmarkSet]:
    """The shipped sets and the user's own beside the snapshot; refuses a chosen id that is neither.

    A broken file of the user's stops the report only when the chosen set is not a shipped one: like the
    dashboard, a report against a shipped set goes on, and says on stderr which file was skipped.
    """
    shipped = load_benchmark_sets()
    folder = user_sets_folder(data_folder)
    try:
        sets = load_benchmark_sets(folder)
    except BenchmarkFileError as error:
        if chosen not in shipped:
            raise
        print(f"Your benchmark files were not loaded: {error}", file=sys.stderr)
        sets = shipped
    if chosen not in sets:
        raise BadReportOption(
            f"--benchmarks {chosen!r} is not a benchmark set; choose one of {', '.join(sorted(sets))} "
            f"(your own sets are read from {folder})"
        )
    return sets


def meeting_report(
    con,
    snapshot: Path,
    filters: Filters,
    benchmark_set: BenchmarkSet,
    benchmark_set_id: str,
    stat: str | None,
    rules: Rules,
    dashboard_url: str,
) -> str:
    """The planning-meeting report of the selection as one HTML document, its link reopening the same view."""
    names = {row["id"]: row["name"] for row in query(con, "known_scopes").to_pylist() if row["kind"] == "team"}
    by_name = {name: team_id for team_id, name in names.items()}
    team_ids = tuple(team if team in names else by_name.get(team, team) for team in filters.teams)
    statistic = stat or DEFAULT_STATISTIC
    # A broken initiatives file costs the report its impact and goals, said in the report, not the report itself.
    try:
        organisation, problem = load_organisation(snapshot), None
    except FlowgaugeError as error:
        organisation, problem = None, str(error)
    view = View(
        snapshot=snapshot.stem,
        start=filters.start,
        end=filters.end - timedelta(days=1),
        teams=team_ids,
        repos=filters.repos,
        benchmark_set=benchmark_set_id,
        statistic=statistic,
        include_bots=filters.include_bots,
    )
    content = build_content(
        con,
        filters,
        snapshot=snapshot.stem,
        statistic=statistic,
        benchmark_set=benchmark_set,
        rules=rules,
        link=reopen_link(dashboard_url, view),
        scope=scope_text([names.get(team, team) for team in team_ids], filters.repos),
        organisation=organisation,
        team_names=names,
        organisation_problem=problem,
    )
    return report_html(content)


def save_text(text: str, target: Path) -> None:
    """Write text to target through a temporary file renamed over it, so a failed write leaves nothing half-done."""
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise ReportNotWritten(f"{target}: not written ({error.strerror or error})") from None


def build_report(
    con, filters: Filters, benchmark_set: BenchmarkSet, stat: str | None, rules: LinkingRules = DEFAULT_RULES
) -> list[ReportLine]:
    """Every metric scored against the set, with the same metric over the previous window of equal length."""
    scored = score(con, filters, rules, benchmark_set, statistic=stat)
    statistics = stat or {key: value for key, value in band_statistics(benchmark_set, METRICS).items() if value}
    previous = compute_all(con, filters.previous(), rules, statistics)
    return [ReportLine(item, compare(item.result, previous[item.result.metric_id], filters.days)) for item in scored]


def origin_values(
    con, filters: Filters, lines: list[ReportLine], rules: LinkingRules = DEFAULT_RULES
) -> dict[str, dict[str, dict[str, Any]]]:
    """Per metric that code origins narrow (origin_scope.py: PR metrics, review load, rework, refactor and change
    failure rate): its value and items for each code origin (within any --origin chosen)."""
    ids = [
        line.scored.result.metric_id
        for line in lines
        if narrowed_by_origin(line.scored.result.metric_id) and line.scored.result.metric_id not in _ORIGIN_SHARES
    ]
    statistics = {line.scored.result.metric_id: line.scored.result.statistic for line in lines}
    values: dict[str, dict[str, dict[str, Any]]] = {metric_id: {} for metric_id in ids}
    for origin in filters.origins or SELECTABLE_ORIGINS:
        results = compute_all(con, replace(filters, origins=(origin,)), rules, _statistics(statistics, ids), ids)
        for metric_id in ids:
            values[metric_id][origin] = {"value": results[metric_id].value, "n_used": results[metric_id].n_used}
    return values


def _statistics(statistics: dict[str, str], ids: list[str]) -> dict[str, str]:
    # Each metric by origin uses the statistic of its value for the whole selection, so the two compare.
    return {metric_id: statistics[metric_id] for metric_id in ids if statistics[metric_id] in STATISTICS}


def report_json(
    lines: list[ReportLine], by_origin: dict[str, dict[str, dict[str, Any]]] | None = None
) -> dict[str, Any]:
    """The report as JSON-ready values keyed by metric id; PR metrics also by code origin when given, and every
    metric says whether --origin narrows it (narrowed_by_origin; when not, a flag under --origin says why)."""
    by_origin = by_origin or {}
    return {
        line.scored.result.metric_id: {
            **line.scored.result.as_dict(),
            "narrowed_by_origin": narrowed_by_origin(line.scored.result.metric_id),
            "tier": line.scored.tier.name if line.scored.tier else None,
            "benchmark_note": line.scored.note,
            # The edition the band was published in (Latest published mixes several).
            "benchmark_source": line.scored.band.origin_name if line.scored.band else None,
            "benchmark_year": line.scored.band.year if line.scored.band else None,
            "previous_value": line.change.previous.value,
            "change_percent": line.change.percent_change,
            "change_better": line.change.better,
            **(
                {"by_origin": by_origin[line.scored.result.metric_id]}
                if line.scored.result.metric_id in by_origin
                else {}
            ),
        }
        for line in lines
    }


def report_table(lines: list[ReportLine]) -> pa.Table:
    """The report as one row per metric, the shape of the CSV output."""
    rows = [
        {
            "metric_id": line.scored.result.metric_id,
            "metric": line.scored.result.name,
            "value": line.scored.result.value,
            "unit": line.scored.result.unit,
            "statistic": line.scored.result.statistic,
            "n": line.scored.result.n_used,
            "tier": line.scored.tier.name if line.scored.tier else None,
            "change_percent": line.change.percent_change,
            "change": _change_word(line.change),
            "note": line.scored.result.empty_reason or line.scored.note,
            "flags": "; ".join(line.scored.result.flags) or None,
        }
        for line in lines
    ]
    return pa.Table.from_pylist(rows)


def _print_table(lines: list[ReportLine], filters: Filters, benchmark_set: BenchmarkSet, rules: Rules) -> None:
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)  # piped into a file or doc: do not wrap at 80 columns
    scope = ", ".join(filter(None, [" ".join(filters.teams), " ".join(filters.repos)])) or "all teams"
    if filters.origins:
        scope += f"; {' and '.join(filters.origins)} PRs only"
    table = Table(
        "metric",
        "value",
        "unit",
        "statistic",
        "n",
        f"tier ({benchmark_set.name})",
        f"vs previous {filters.days} d",
        title=f"Flowgauge report {filters.start} to {filters.end - timedelta(days=1)} (UTC), {scope}",
    )
    for line in lines:
        result = line.scored.result
        table.add_row(
            result.name,
            _number(result.value),
            result.unit,
            result.statistic,
            f"{result.n_used:,}",
            # Never a guessed tier: say why there is none (e.g. "no benchmark in this set").
            _tier_text(line.scored, benchmark_set),
            _change_text(line.change),
        )
    console.print(table)
    print_rules_source(console, rules)
    bots = "included" if filters.include_bots else "left out (--include-bots counts them)"
    console.print(f"PRs and commits of bots and of unknown authors (no login): {bots}", highlight=False)
    for line in lines:
        if line.scored.result.empty_reason:
            console.print(f"{line.scored.result.name}: {line.scored.result.empty_reason}", highlight=False)
    # How values were measured when that differs from the main rule (a filter a source cannot apply, cycle
    # time measured to merge, points or items): a pasted table must not hide it.
    for line in lines:
        if line.scored.result.flags:
            console.print(f"{line.scored.result.name}: {'; '.join(line.scored.result.flags)}", highlight=False)


def _tier_text(scored: Scored, benchmark_set: BenchmarkSet) -> str:
    """The tier, with the edition its band comes from when the set mixes editions; or why there is none."""
    if scored.tier is None or scored.band is None:
        return scored.note
    if scored.band.origin_set_id and scored.band.origin_set_id != benchmark_set.set_id:
        return f"{scored.tier.name} ({scored.band.origin_name})"
    return scored.tier.name


def _filters(
    con, start: date | None, end: date | None, teams: tuple[str, ...], repos: tuple[str, ...], include_bots: bool
) -> Filters:
    known = query(con, "known_scopes").to_pylist()
    team_names = {row["id"] for row in known if row["kind"] == "team"} | {
        row["name"] for row in known if row["kind"] == "team"
    }
    for name in teams:
        if name not in team_names:
            listed = ", ".join(sorted(row["id"] for row in known if row["kind"] == "team")) or "none"
            raise BadReportOption(f"unknown team {name!r}; teams in this snapshot: {listed}")
    repo_ids = {row["id"] for row in known if row["kind"] == "repo"}
    for repo_id in repos:
        if repo_id not in repo_ids:
            raise BadReportOption(
                f"unknown repository {repo_id!r}; use an id such as 'owner/name' from `flowgauge info`"
            )
    end_day = end or _default_end(con)
    start_day = start or end_day - timedelta(days=DEFAULT_DAYS)
    if end_day <= start_day:
        raise BadReportOption(f"--to {end_day} must be after --from {start_day}")
    return Filters(start_day, end_day, teams=teams, repos=repos, include_bots=include_bots)


def _default_end(con) -> date:
    latest = query(con, "latest_activity", earliest=time_bounds.EARLIEST, end=time_bounds.END)
    latest = latest.column("latest_at")[0].as_py()
    return (latest.date() if latest else datetime.now().date()) + timedelta(days=1)


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"


def _change_word(change: PeriodChange) -> str:
    return {True: "better", False: "worse", None: ""}[change.better]


def _change_text(change: PeriodChange) -> str:
    if change.percent_change is None:
        return ""
    return f"{change.percent_change:+.0f}% {_change_word(change)}".strip()


def register(app: typer.Typer) -> None:
    """Add `flowgauge report` to the app."""
    app.command("report")(report)
