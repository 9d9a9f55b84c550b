"""What an initiative changed in a metric: before and after windows of equal length around its start (a settling
period after the start left out), the change with its bootstrap interval, the same over a comparison group the
initiative did not touch, and the difference in differences between the two.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import duckdb
import numpy as np

from flowgauge import time_bounds
from flowgauge.errors import FlowgaugeError
from flowgauge.impact.bootstrap import NotResampled, Sample, ensure_resampled, sample_of
from flowgauge.impact.verdict import MIN_ITEMS, Interval, judge
from flowgauge.metrics.catalogue import MetricDefinition
from flowgauge.metrics.engine import definition_of, resolve_statistics
from flowgauge.metrics.filters import DEFAULT_RULES, Filters, LinkingRules
from flowgauge.metrics.items import metric_items
from flowgauge.metrics.runner import query, query_rows
from flowgauge.organisation_data.model import Initiative
from flowgauge.organisation_data.store import Organisation

WINDOW_DAYS = 90
SETTLE_DAYS = 14
SEED = 20_211  # fixed: the same snapshot and initiative always give the same interval


class UnknownScope(FlowgaugeError):
    """An initiative names a team, repository or service the snapshot does not hold."""


@dataclass(frozen=True)
class Windows:
    """Before [before_start, start) and after [after_start, after_end), UTC days, of equal length (days)."""

    before_start: date
    start: date
    after_start: date
    after_end: date

    @property
    def days(self) -> int:
        """Length of each window in days."""
        return (self.after_end - self.after_start).days

    def as_dict(self) -> dict[str, str]:
        """The windows as YYYY-MM-DD days, ends exclusive."""
        return {
            "before_from": self.before_start.isoformat(),
            "before_to": self.start.isoformat(),
            "after_from": self.after_start.isoformat(),
            "after_to": self.after_end.isoformat(),
        }


@dataclass(frozen=True)
class ImpactResult:
    """One initiative's effect on one metric, with its uncertainty and the verdict in words."""

    initiative: str
    metric: str
    metric_name: str
    unit: str
    direction: str
    statistic: str
    windows: Windows | None
    settle_days: int
    before: float | None = None
    after: float | None = None
    change: Interval | None = None
    n_before: int = 0
    n_after: int = 0
    comparison_label: str | None = None  # "teams without the initiative", ...
    comparison_scope: tuple[str, ...] = ()
    comparison: Interval | None = None
    comparison_n: tuple[int, int] = (0, 0)
    did: Interval | None = None
    verdict: str = "insufficient_data"
    sentence: str = ""
    items_needed: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready values: every percent rounded to 0.1, values to 4 significant places."""
        return {
            "initiative": self.initiative,
            "metric": self.metric,
            "metric_name": self.metric_name,
            "unit": self.unit,
            "statistic": self.statistic,
            "before": _round(self.before),
            "after": _round(self.after),
            "change_percent": _pct(self.change and self.change.estimate),
            "ci_low": _pct(self.change and self.change.low),
            "ci_high": _pct(self.change and self.change.high),
            "comparison": self.comparison_label,
            "comparison_scope": list(self.comparison_scope),
            "comparison_change_percent": _pct(self.comparison and self.comparison.estimate),
            "comparison_ci_low": _pct(self.comparison and self.comparison.low),
            "comparison_ci_high": _pct(self.comparison and self.comparison.high),
            "comparison_n_before": self.comparison_n[0],
            "comparison_n_after": self.comparison_n[1],
            "did_percent": _pct(self.did and self.did.estimate),
            "did_ci_low": _pct(self.did and self.did.low),
            "did_ci_high": _pct(self.did and self.did.high),
            "n_before": self.n_before,
            "n_after": self.n_after,
            "items_needed": self.items_needed,
            "verdict": self.verdict,
            "sentence": self.sentence,
            "settle_days": self.settle_days,
            "windows": self.windows.as_dict() if self.windows else None,
        }


def measure_impact(
    con: duckdb.DuckDBPyConnection,
    initiative: Initiative,
    metric_id: str,
    rules: LinkingRules = DEFAULT_RULES,
    *,
    window_days: int | None = None,
    settle_days: int = SETTLE_DAYS,
    statistic: str | None = None,
    include_bots: bool = False,
) -> ImpactResult:
    """The initiative's effect on the metric: change after vs before, its 95% interval, the comparison group's and
    the difference in differences, with the verdict. UnknownScope when the initiative names what the snapshot lacks.

    window_days: days compared on each side; default the initiative's own, else WINDOW_DAYS."""
    window_days = window_days or initiative.window_days or WINDOW_DAYS
    definition = definition_of(metric_id)
    chosen = resolve_statistics([metric_id], statistic)[metric_id]
    if window_days < 7 or settle_days < 0:
        raise ValueError("the windows are at least 7 days long and the settling period is not negative")
    treated, comparison, label, scope = _groups(con, initiative, include_bots)
    windows = _windows(initiative.start, data_end(con), window_days, settle_days)
    result = ImpactResult(
        initiative.name, metric_id, definition.name, definition.unit, definition.direction, chosen, windows, settle_days
    )
    if windows is None:
        return judge(result, reason="the initiative started too recently: no data after its settling period yet")
    rng = np.random.default_rng(SEED)  # one stream in a fixed order of draws: deterministic
    try:
        before, after = (_sample(con, definition, treated, span, chosen, rules) for span in _spans(windows))
    except NotResampled as error:
        return judge(result, reason=str(error))
    result = replace(
        result,
        before=before.value(),
        after=after.value(),
        n_before=before.n_items,
        n_after=after.n_items,
        comparison_label=label,
        comparison_scope=scope,
    )
    if min(before.n_items, after.n_items) < MIN_ITEMS:
        return judge(result)
    treated_draws = _changes(before, after, rng)
    result = replace(result, change=Interval.of(_change(before.value(), after.value()), treated_draws))
    if comparison is not None and result.change is not None:
        c_before, c_after = (_sample(con, definition, comparison, span, chosen, rules) for span in _spans(windows))
        result = replace(result, comparison_n=(c_before.n_items, c_after.n_items))
        if min(c_before.n_items, c_after.n_items) >= MIN_ITEMS:
            comparison_draws = _changes(c_before, c_after, rng)
            c_point = _change(c_before.value(), c_after.value())
            did_draws = _did(treated_draws, comparison_draws)
            result = replace(
                result,
                comparison=Interval.of(c_point, comparison_draws),
                did=Interval.of(_did_point(result.change.estimate, c_point), did_draws),
            )
    return judge(result)


def impact_of_all(
    con: duckdb.DuckDBPyConnection,
    organisation: Organisation,
    rules: LinkingRules = DEFAULT_RULES,
    *,
    initiative: str | None = None,
    metric_id: str | None = None,
    window_days: int | None = None,
    settle_days: int = SETTLE_DAYS,
    statistic: str | None = None,
) -> list[ImpactResult]:
    """measure_impact for every initiative (or the one named) and each metric it meant to move (or metric_id)."""
    chosen = [item for item in organisation.initiatives if initiative is None or item.name == initiative]
    results = []
    for item in chosen:
        for metric in (metric_id,) if metric_id else item.metrics:
            results.append(
                measure_impact(
                    con, item, metric, rules, window_days=window_days, settle_days=settle_days, statistic=statistic
                )
            )
    return results


def _windows(start: date, data_end: date | None, window_days: int, settle_days: int) -> Windows | None:
    """Equal windows around start; the after window is cut at the end of the data (and the before one with it)."""
    after_start = start + timedelta(days=settle_days)
    if data_end is None or data_end <= after_start:
        return None
    days = min(window_days, (data_end - after_start).days)
    return Windows(start - timedelta(days=days), start, after_start, after_start + timedelta(days=days))


def _spans(windows: Windows) -> tuple[tuple[date, date], tuple[date, date]]:
    return (windows.before_start, windows.start), (windows.after_start, windows.after_end)


def _sample(
    con: duckdb.DuckDBPyConnection,
    definition: MetricDefinition,
    selection: Filters,
    span: tuple[date, date],
    statistic: str,
    rules: LinkingRules,
) -> Sample:
    ensure_resampled(definition)
    filters = replace(selection, start=span[0], end=span[1])
    items = metric_items(con, definition.id, filters, rules)
    start_seconds = datetime.combine(span[0], time(), UTC).timestamp()
    return sample_of(definition, items, statistic, start_seconds, filters.days)


def _change(before: float | None, after: float | None) -> float | None:
    if before is None or after is None or before == 0:
        return None
    return 100.0 * (after / before - 1.0)


def _changes(before: Sample, after: Sample, rng: np.random.Generator) -> np.ndarray:
    """Percent change over paired resamples of the two windows (drawn independently)."""
    b, a = before.resampled(rng), after.resampled(rng)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, 100.0 * (a / b - 1.0), np.nan)


def _did(treated: np.ndarray, comparison: np.ndarray) -> np.ndarray:
    """Difference in differences as a ratio of ratios, in percent: how much more the treated group changed."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return 100.0 * ((1 + treated / 100.0) / (1 + comparison / 100.0) - 1.0)


def _did_point(treated: float | None, comparison: float | None) -> float | None:
    if treated is None or comparison is None or comparison <= -100:
        return None
    return 100.0 * ((1 + treated / 100.0) / (1 + comparison / 100.0) - 1.0)


def _groups(
    con: duckdb.DuckDBPyConnection, initiative: Initiative, include_bots: bool
) -> tuple[Filters, Filters | None, str | None, tuple[str, ...]]:
    """The treated selection, the comparison selection (None when nothing is left untouched), its label and scope."""
    known = query(con, "known_scopes").to_pylist()
    teams = {row["id"]: row["name"] for row in known if row["kind"] == "team"}
    repos = sorted(row["id"] for row in known if row["kind"] == "repo")
    services = sorted(row["service_id"] for row in query_rows(con, "SELECT service_id FROM services", {}))
    touched_teams = set()
    for name in initiative.teams:
        ids = [team_id for team_id, team_name in teams.items() if name in (team_id, team_name)]
        if not ids:
            raise UnknownScope(f"initiative {initiative.name!r}: no team {name!r} in this snapshot")
        touched_teams.update(ids)
    _check(initiative, "repository", initiative.repos, repos)
    _check(initiative, "service", initiative.services, services)
    placeholder = date(2000, 1, 1)
    treated = Filters(
        placeholder,
        placeholder + timedelta(days=1),
        teams=tuple(sorted(touched_teams)),
        repos=initiative.repos,
        services=initiative.services,
        include_bots=include_bots,
    )
    if touched_teams:
        others = tuple(sorted(set(teams) - touched_teams))
        label, field_name = "teams without the initiative", "teams"
    elif initiative.repos:
        others = tuple(repo for repo in repos if repo not in initiative.repos)
        label, field_name = "repositories without the initiative", "repos"
    else:
        others = tuple(service for service in services if service not in initiative.services)
        label, field_name = "services without the initiative", "services"
    if not others:
        return treated, None, None, ()
    comparison = replace(treated, **{"teams": (), "repos": (), "services": (), field_name: others})
    return treated, comparison, label, tuple(teams.get(other, other) for other in others)


def _check(initiative: Initiative, kind: str, named: Iterable[str], known: list[str]) -> None:
    for name in named:
        if name not in known:
            raise UnknownScope(f"initiative {initiative.name!r}: no {kind} {name!r} in this snapshot")


def data_end(con: duckdb.DuckDBPyConnection) -> date | None:
    """The day after the snapshot's latest activity (where its data ends), or None when it holds none."""
    latest = query(con, "latest_activity", earliest=time_bounds.EARLIEST, end=time_bounds.END)
    latest = latest.column("latest_at")[0].as_py()
    return latest.date() + timedelta(days=1) if latest else None


def _round(value: float | None) -> float | None:
    return None if value is None else float(f"{value:.4g}")


def _pct(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), 1)
