"""The view held in the URL: the only code that reads or writes st.query_params, parsing and validating its strings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from urllib.parse import urlencode

import streamlit as st

from flowgauge.metrics.filters import STATISTICS, Filters

# URL keys, short so a pasted link stays readable. Lists repeat the key: ?team=a&team=b.
SNAPSHOT, START, END, TEAM, REPO, SERVICE, ENV, BENCH, STAT, BOTS = (
    "snapshot",
    "from",
    "to",
    "team",
    "repo",
    "service",
    "env",
    "bench",
    "stat",
    "bots",
)
URL_KEYS = (SNAPSHOT, START, END, TEAM, REPO, SERVICE, ENV, BENCH, STAT, BOTS)
# A page's own choices (the Allocation page's weight): read and written by that page, carried by its links; the
# frame's filters leave them alone.
PAGE_KEYS = ("weight",)

QUICK_RANGES = {
    "last_30": "Last 30 days",
    "last_90": "Last 90 days",
    "last_180": "Last 180 days",
    "this_quarter": "This quarter",
    "last_quarter": "Last quarter",
}
DEFAULT_RANGE = "last_90"
DEFAULT_STATISTIC = "p75"  # LinearB's benchmarks are P75, so that is the like-for-like default


@dataclass(frozen=True)
class Choices:
    """What the URL may select in the snapshot at hand: ids with their display labels."""

    snapshots: tuple[str, ...]
    default_snapshot: str
    anchor: date  # last day with data; quick ranges end here so a demo ending today and a fixture both show data
    teams: Mapping[str, str] = field(default_factory=dict)
    repos: Mapping[str, str] = field(default_factory=dict)
    services: Mapping[str, str] = field(default_factory=dict)
    environments: Mapping[str, str] = field(default_factory=dict)
    benchmark_sets: Mapping[str, str] = field(default_factory=dict)
    default_benchmark_set: str = ""


@dataclass(frozen=True)
class View:
    """One dashboard view: every global filter, with the last day inclusive as people read a date range."""

    snapshot: str
    start: date
    end: date  # inclusive
    teams: tuple[str, ...] = ()
    repos: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    environments: tuple[str, ...] = ()
    benchmark_set: str = ""
    statistic: str = DEFAULT_STATISTIC
    include_bots: bool = False

    def filters(self) -> Filters:
        """The metrics selection for this view (the metrics window is end-exclusive)."""
        return Filters(
            start=self.start,
            end=self.end + timedelta(days=1),
            teams=self.teams,
            repos=self.repos,
            services=self.services,
            environments=self.environments,
            include_bots=self.include_bots,
        )

    @property
    def days(self) -> int:
        """Number of days in the range, both ends included."""
        return (self.end - self.start).days + 1


def quarter_start(day: date) -> date:
    """First day of the calendar quarter holding day."""
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quick_range(pick: str, anchor: date) -> tuple[date, date]:
    """The inclusive (start, end) of a quick pick, counted back from anchor (the last day with data)."""
    if pick.startswith("last_") and pick[5:].isdigit():
        days = int(pick[5:])
        return anchor - timedelta(days=days - 1), anchor
    if pick == "this_quarter":
        return quarter_start(anchor), anchor
    if pick == "last_quarter":
        end = quarter_start(anchor) - timedelta(days=1)
        return quarter_start(end), end
    raise ValueError(f"unknown quick range {pick!r}")


def default_view(choices: Choices, snapshot: str | None = None) -> View:
    """The view a bare URL opens: the last 90 days of the default snapshot, all teams, bots out."""
    start, end = quick_range(DEFAULT_RANGE, choices.anchor)
    return View(
        snapshot=snapshot or choices.default_snapshot,
        start=start,
        end=end,
        benchmark_set=choices.default_benchmark_set,
    )


def parse_snapshot(
    params: Mapping[str, Sequence[str]], snapshots: Sequence[str], default: str
) -> tuple[str, list[str]]:
    """The snapshot the URL names, or the default with a notice when it names one that is not there."""
    wanted = _last(params, SNAPSHOT)
    if wanted is None or wanted == "":
        return default, []
    if wanted in snapshots:
        return wanted, []
    return default, [f"Snapshot “{wanted}” from the link is not in the data folder; showing “{default}” instead."]


def parse_view(params: Mapping[str, Sequence[str]], choices: Choices) -> tuple[View, list[str]]:
    """Parse URL values into a View; anything unknown or malformed falls back to its default with a notice."""
    snapshot, notices = parse_snapshot(params, choices.snapshots, choices.default_snapshot)
    view = default_view(choices, snapshot)

    start_text, end_text = _last(params, START), _last(params, END)
    if start_text or end_text:
        start, end = _date(start_text), _date(end_text)
        if start is None or end is None:
            notices.append(
                f"The date range in the link ({start_text or '?'} to {end_text or '?'}) is not a pair of "
                f"YYYY-MM-DD dates; showing the last 90 days instead."
            )
        elif end < start:
            notices.append(f"The link's range ends ({end}) before it starts ({start}); showing the last 90 days.")
        else:
            view = replace(view, start=start, end=end)

    lists = {}
    for key, known, noun in (
        (TEAM, choices.teams, "team"),
        (REPO, choices.repos, "repository"),
        (SERVICE, choices.services, "service"),
        (ENV, choices.environments, "environment"),
    ):
        values, unknown = _known_values(params.get(key, ()), known)
        lists[key] = values
        if unknown:
            names = ", ".join(f"“{value}”" for value in unknown)
            notices.append(f"Unknown {noun} {names} in the link was left out of the filter.")
    view = replace(view, teams=lists[TEAM], repos=lists[REPO], services=lists[SERVICE], environments=lists[ENV])

    bench = _last(params, BENCH)
    if bench:
        if bench in choices.benchmark_sets:
            view = replace(view, benchmark_set=bench)
        else:
            label = choices.benchmark_sets.get(choices.default_benchmark_set, choices.default_benchmark_set)
            notices.append(f"Benchmark set “{bench}” is not known; comparing with {label} instead.")

    stat = _last(params, STAT)
    if stat:
        if stat in STATISTICS:
            view = replace(view, statistic=stat)
        else:
            notices.append(f"Statistic “{stat}” is not one of {', '.join(STATISTICS)}; using {DEFAULT_STATISTIC}.")

    bots = _last(params, BOTS)
    if bots:
        if bots in ("in", "out"):
            view = replace(view, include_bots=bots == "in")
        else:
            notices.append(f"“bots={bots}” should be in or out; bots are left out.")
    return view, notices


def view_params(view: View) -> dict[str, list[str]]:
    """The URL parameters that reproduce view exactly (explicit dates, so a link means the same tomorrow)."""
    params = {
        SNAPSHOT: [view.snapshot],
        START: [view.start.isoformat()],
        END: [view.end.isoformat()],
        TEAM: list(view.teams),
        REPO: list(view.repos),
        SERVICE: list(view.services),
        ENV: list(view.environments),
        BENCH: [view.benchmark_set] if view.benchmark_set else [],
        STAT: [view.statistic],
        BOTS: ["in" if view.include_bots else "out"],
    }
    return {key: values for key, values in params.items() if values}


def query_string(view: View) -> str:
    """view_params as a URL query string (without the leading ?)."""
    return urlencode([(key, value) for key, values in view_params(view).items() for value in values])


def read_url() -> dict[str, list[str]]:
    """The current URL's Flowgauge parameters, each as the list of its (possibly repeated) values."""
    return {key: st.query_params.get_all(key) for key in URL_KEYS if key in st.query_params}


def write_url(view: View) -> None:
    """Make the browser's URL hold view, leaving it untouched when it already does (no extra rerun)."""
    wanted = view_params(view)
    shown = read_url()
    # Only the keys that differ: every write is a message that makes the browser push a history entry.
    for key in shown.keys() - wanted.keys():
        del st.query_params[key]
    for key, values in wanted.items():
        if shown.get(key) != values:
            st.query_params[key] = values


def link_for(view: View) -> str:
    """A shareable link to view on the page the browser shows now, with the page's own choices (PAGE_KEYS)."""
    base = (st.context.url or "").split("?", 1)[0]
    own = urlencode([(key, st.query_params[key]) for key in PAGE_KEYS if key in st.query_params])
    return f"{base}?{query_string(view)}" + (f"&{own}" if own else "")


def page_choice(key: str, options: Sequence[str], default: str) -> str:
    """A page's own choice as the URL holds it (?weight=points): its value when it is one of options, else default.
    key must be one of PAGE_KEYS, so the frame's link carries it."""
    if key not in PAGE_KEYS:
        raise ValueError(f"{key!r} is not a page URL key")
    value = _last({key: st.query_params.get_all(key)}, key)
    return value if value in options else default


def keep_page_choice(key: str, value: str, default: str) -> None:
    """Put a page's own choice into the URL (left out when it is the default, so links stay short)."""
    if value == default:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != value:
        st.query_params[key] = value


def _last(params: Mapping[str, Sequence[str]], key: str) -> str | None:
    values = params.get(key) or ()
    if isinstance(values, str):
        return values.strip()
    return values[-1].strip() if values else None


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _known_values(values: Sequence[str] | str, known: Mapping[str, str]) -> tuple[tuple[str, ...], list[str]]:
    if isinstance(values, str):
        values = [values]
    kept, unknown = [], []
    for value in values:
        value = value.strip()
        if not value:
            continue
        if value in known:
            if value not in kept:
                kept.append(value)
        else:
            unknown.append(value)
    return tuple(kept), unknown
