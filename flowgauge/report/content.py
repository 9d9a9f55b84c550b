"""What the planning-meeting report says, gathered from a snapshot for one view: the scorecard as the Overview shows
it, weekly trends, the effort allocation, what was left out, and the link that reopens the view."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import duckdb

from flowgauge.allocation import Allocation, allocation
from flowgauge.metrics import METRICS, MetricResult, aggregate_selection, compute_all, resolve_statistics, tier_of
from flowgauge.metrics.benchmark_sets import BenchmarkSet
from flowgauge.metrics.breakdowns import period_values
from flowgauge.metrics.engine import results_for
from flowgauge.metrics.filters import Filters
from flowgauge.organisation_data import Organisation
from flowgauge.report.marks import TrendMarker
from flowgauge.report.organisation import organisation_sections
from flowgauge.rules import Rules
from flowgauge.rules.effects import recorded_drops, rule_effects
from flowgauge.ui.charts import format_value
from flowgauge.ui.filters import View, query_string
from flowgauge.ui.scorecard import FAMILY_TITLES, signed

# The trends every report draws (more when an initiative or a goal names another metric).
KEY_TRENDS = ("cycle_time", "pickup_time", "review_time", "deploy_frequency", "change_failure_rate", "merge_frequency")


@dataclass(frozen=True)
class ScoreLine:
    """One metric of the scorecard as the Overview's card shows it: value, change, tier."""

    metric_id: str
    family: str
    name: str
    value: str  # format_value, as on the card
    change: str  # signed change vs the previous window, as the card's delta ('' when there is none)
    tier: str  # tier name, or why there is none
    n: int
    statistic: str


@dataclass(frozen=True)
class Trend:
    """One metric per ISO week of the window, with what is marked on it."""

    metric_id: str
    title: str
    unit: str
    points: tuple[tuple[date, float | None], ...]
    markers: tuple[TrendMarker, ...] = ()


@dataclass(frozen=True)
class ReportContent:
    """Everything the report shows, as plain values (the HTML writer escapes every text)."""

    snapshot: str
    start: date
    end: date  # inclusive, as people read a range
    scope: str
    statistic: str
    benchmark_set: str
    rules_source: str
    link: str
    generated_at: datetime
    scorecard: tuple[ScoreLine, ...]
    trends: tuple[Trend, ...]
    allocation: Allocation
    quality_notes: tuple[str, ...]
    impacts: tuple[dict, ...] = ()  # flowgauge.impact results as JSON-ready rows, when initiatives exist
    goals: tuple[dict, ...] = ()  # goal statuses as JSON-ready rows
    sections_missing: tuple[str, ...] = field(default=())  # sections this report cannot hold, and why


def score_lines(
    now: dict[str, MetricResult], before: dict[str, MetricResult], benchmark_set: BenchmarkSet
) -> tuple[ScoreLine, ...]:
    """The scorecard's metrics with a value, family by family as the Overview orders them."""
    lines = []
    for family in FAMILY_TITLES:
        for metric_id, result in now.items():
            if METRICS[metric_id].family != family or result.value is None:
                continue
            previous = before.get(metric_id)
            change = ""
            if previous is not None and previous.value is not None:
                change = signed(result.value - previous.value, result.unit)
            scored = tier_of(result, benchmark_set)
            lines.append(
                ScoreLine(
                    metric_id=metric_id,
                    family=FAMILY_TITLES[family],
                    name=result.name,
                    value=format_value(result.value, result.unit),
                    change=change,
                    tier=scored.tier.name if scored.tier else f"no tier: {scored.note}",
                    n=result.n_used,
                    statistic=result.statistic,
                )
            )
    return tuple(lines)


def quality_notes(con: duckdb.DuckDBPyConnection, now: dict[str, MetricResult], rules: Rules) -> tuple[str, ...]:
    """What the numbers leave out and how they were measured: the rules' effects, then each metric's exclusions, flags
    and reason for having no value."""
    notes = [*recorded_drops(con), *rule_effects(con, rules.linking)]
    for result in now.values():
        if result.value is None:
            notes.append(f"{result.name}: no value: {result.empty_reason or 'nothing measured'}")
            continue
        notes += [f"{result.name}: {count:,} left out: {reason}" for count, reason in result.exclusions]
        notes += [f"{result.name}: measured {flag}" for flag in result.flags]
    return tuple(notes)


def weekly_trend(selection, metric_id: str, filters: Filters, statistic: str, markers=()) -> Trend:
    """One metric's weekly values from a selection aggregated by week."""
    chosen = resolve_statistics([metric_id], statistic)[metric_id]
    table = period_values(selection.by_group["week"], metric_id, filters, chosen, "week")
    definition = METRICS[metric_id]
    points = tuple(zip(table.column("period_start").to_pylist(), table.column("value").to_pylist(), strict=True))
    return Trend(metric_id, f"{definition.name} ({chosen}, per week)", definition.unit, points, tuple(markers))


def build_content(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    snapshot: str,
    statistic: str,
    benchmark_set: BenchmarkSet,
    rules: Rules,
    link: str,
    scope: str,
    organisation: Organisation | None = None,
    team_names: Mapping[str, str] | None = None,
    organisation_problem: str | None = None,
) -> ReportContent:
    """The report of one selection: computed with the same functions, statistic and rules as the dashboard, with
    the initiatives and goals kept beside the snapshot (organisation; organisation_problem says why there are none
    when their file could not be read)."""
    selection = aggregate_selection(con, filters, rules.linking, groupings=("week",))
    now = results_for(selection, statistic)
    before = compute_all(con, filters.previous(), rules.linking, statistic)
    kept = organisation_sections(
        con, organisation or Organisation(), filters, team_names or {}, statistic, rules.linking, KEY_TRENDS
    )
    marked = dict(kept.markers)
    trend_ids = list(dict.fromkeys([*KEY_TRENDS, *marked]))
    trends = tuple(
        weekly_trend(selection, metric_id, filters, statistic, marked.get(metric_id, ()))
        for metric_id in trend_ids
        if metric_id in METRICS
    )
    return ReportContent(
        snapshot=snapshot,
        start=filters.start,
        end=filters.end - timedelta(days=1),
        scope=scope,
        statistic=statistic,
        benchmark_set=benchmark_set.name,
        rules_source=rules.source or "built-in rules",
        link=link,
        generated_at=datetime.now(UTC).replace(microsecond=0, tzinfo=None),
        scorecard=score_lines(now, before, benchmark_set),
        trends=trends,
        allocation=allocation(con, filters, rules),
        quality_notes=quality_notes(con, now, rules),
        impacts=kept.impacts,
        goals=kept.goals,
        sections_missing=(f"Initiatives and goals not read: {organisation_problem}",) if organisation_problem else (),
    )


def scope_text(teams: Sequence[str] = (), repos: Sequence[str] = (), services: Sequence[str] = ()) -> str:
    """The selection in words for the report's title: 'all teams', 'Checkout, Payments', 'Checkout; acme/web'."""
    parts = [", ".join(teams) if teams else "all teams"]
    if repos:
        parts.append("repositories " + ", ".join(repos))
    if services:
        parts.append("services " + ", ".join(services))
    return "; ".join(parts)


def reopen_link(base_url: str, view: View) -> str:
    """The dashboard link that reopens view (the same parameters as the app's Copy link), on base_url's page."""
    return f"{base_url.split('?', 1)[0]}?{query_string(view)}"
