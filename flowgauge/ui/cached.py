"""Page-facing calls, cached by the snapshot's identity and plain filter values; results are never mutated."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Mapping
from concurrent.futures import Future
from pathlib import Path

import pyarrow as pa
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from flowgauge.allocation import Allocation
from flowgauge.allocation import allocation as allocation_of
from flowgauge.errors import FlowgaugeError
from flowgauge.inventory import SnapshotSummary, summarize_snapshot
from flowgauge.metrics import (
    METRICS,
    Filters,
    LinkingRules,
    MetricResult,
    SelectionAggregates,
    aggregated_with,
    group_values,
    period_values,
    resolve_statistics,
    results_for,
    tier_statistics,
)
from flowgauge.metrics.benchmark_sets import DORA_KEYS, BenchmarkSet, load_benchmark_sets
from flowgauge.metrics.engine import (
    SourceAggregates,
    aggregate_sources,
    combine_sources,
    data_available,
    facts_read,
    selection_groupings,
    sources_of,
)
from flowgauge.metrics.facts import facts_kept, start_warming, warm_facts, warm_window
from flowgauge.metrics.source_filters import filters_read
from flowgauge.org_config.defaults import default_benchmark_set
from flowgauge.rules import DEFAULT_RULES, Rules, load_rules
from flowgauge.rules.allocation import AllocationRules
from flowgauge.rules.effects import recorded_drops
from flowgauge.rules.effects import rule_effects as effects_of
from flowgauge.snapshot import SnapshotIdentity
from flowgauge.together import run_together
from flowgauge.ui import lists
from flowgauge.ui.catalog import Catalog, read_catalog
from flowgauge.ui.connection import SnapshotConnections, connections
from flowgauge.ui.deferred import Deferred
from flowgauge.ui.part_cache import PartCache
from flowgauge.ui.sparklines import weekly_series
from flowgauge.ui.team_matrix import TeamMatrix, build_team_matrix

# A changed snapshot file has a new identity, so its results are new cache entries at once; the ttl and
# max_entries only bound memory.
_TTL_SECONDS = 3600

# The linking rules of the rules file in force for this session (frame.py sets them on every run), so every page's
# numbers come from the same rules without each call naming them.
RULES_KEY = "fg_linking_rules"

_log = logging.getLogger(__name__)


@st.cache_resource(max_entries=8, show_spinner=False)
def rules_file(path: str | None, modified_ns: int) -> Rules:
    """The rules of the file at path (None: built-in), read again whenever the file's modification time changes."""
    return load_rules(path)


@st.cache_resource(max_entries=8, show_spinner=False)
def organisation_benchmarks(path: str, modified_ns: int) -> str | None:
    """The organisation config's default benchmark set, read again whenever the file's modification time changes."""
    return default_benchmark_set(Path(path))


def rules_in_force() -> LinkingRules:
    """The linking rules every page's numbers use this run."""
    return st.session_state.get(RULES_KEY, DEFAULT_RULES)


@st.cache_data(max_entries=16, ttl=_TTL_SECONDS, show_spinner=False)
def catalog(identity: SnapshotIdentity) -> Catalog:
    """The snapshot's filter lists and last day with data."""
    with connections().cursor(identity) as cursor:
        return read_catalog(cursor)


@st.cache_data(max_entries=16, ttl=_TTL_SECONDS, show_spinner=False)
def inventory(identity: SnapshotIdentity) -> SnapshotSummary:
    """Tables, row counts, time spans and sources of the snapshot."""
    with connections().cursor(identity) as cursor:
        return summarize_snapshot(cursor)


@st.cache_resource(ttl=60, show_spinner=False)
def benchmark_sets(user_dir: str | None) -> dict[str, BenchmarkSet]:
    """Shipped benchmark sets plus the user's own TOML files in user_dir, if given (re-read every minute)."""
    return load_benchmark_sets(Path(user_dir) if user_dir else None)


# What every page's current selection is aggregated by, besides overall: one staging serves the scorecard, its
# sparklines and the weekly trend of any metric. Monthly trends (a toggle) aggregate on request.
CURRENT_GROUPINGS = ("week",)


# The parts selections' aggregates are made of: one per values source and the filters it reads (source_filters.py),
# so a change of a filter that some sources do not read (bots, repositories) recomputes only the others. A
# selection has at most eight parts: room for about as many selections as whole entries were kept before.
_MAX_PARTS = 1024


@st.cache_resource(show_spinner=False)
def _parts() -> PartCache:
    return PartCache(_MAX_PARTS, _TTL_SECONDS)


def aggregates(
    identity: SnapshotIdentity,
    filters: Filters,
    groupings: tuple[str, ...],
    rules: LinkingRules,
    with_notes: bool,
    metric_ids: tuple[str, ...] | None,
) -> SelectionAggregates:
    """Every metric's (or the given ones') aggregates over the selection, overall and per grouping; independent of
    the statistic, so changing the statistic runs no query. The sources not cached for the filters they read are
    staged and aggregated together, the PR sources on one cursor and the others on a second."""
    return _aggregates(_parts(), connections(), identity, filters, groupings, rules, with_notes, metric_ids)


def _aggregates(
    store: PartCache,
    pool: SnapshotConnections,
    identity: SnapshotIdentity,
    filters: Filters,
    groupings: tuple[str, ...],
    rules: LinkingRules,
    with_notes: bool,
    metric_ids: tuple[str, ...] | None,
    compute: bool = True,
) -> SelectionAggregates | None:
    # aggregates() on the given store and connections (resolved by a page's thread: a background thread runs outside
    # any Streamlit session); with compute=False, None unless every part is kept already.
    ids = tuple(metric_ids) if metric_ids is not None else tuple(METRICS)
    grouped_by = selection_groupings(groupings)
    keys = _part_keys(identity, sources_of(ids), filters, grouped_by, rules, with_notes)
    parts = {source: store.get(key) for source, key in keys.items()}
    missing = [source for source, part in parts.items() if part is None]
    # Not windowed and not filtered: whether the snapshot holds each kind of data depends on the rules alone.
    available_key = (identity, "availability", rules)
    available = store.get(available_key)
    if (missing or available is None) and not compute:
        return None
    if missing:
        computed = _aggregate_on_two_cursors(pool, identity, missing, filters, rules, grouped_by, with_notes)
        for source in missing:
            store.put(keys[source], computed[source])
            parts[source] = computed[source]
    if available is None:
        with pool.cursor(identity) as cursor:
            available = data_available(cursor, rules)
        store.put(available_key, available)
    return combine_sources(filters, rules, ids, grouped_by, parts.values(), available)


def _part_keys(
    identity: SnapshotIdentity,
    sources: tuple[str, ...],
    filters: Filters,
    grouped_by: tuple[str, ...],
    rules: LinkingRules,
    with_notes: bool,
) -> dict[str, tuple]:
    # Each source's part is keyed by the filters it reads only (source_filters.py).
    return {
        source: (identity, source, filters_read(source, filters), grouped_by, rules, with_notes) for source in sources
    }


# The PR sources take about as long as all the others together (a never-prepared million-PR first view: 0.38 s
# against 0.42 s, bench/README.md), and read facts no other source reads.
_PR_SOURCES = ("pr_values", "pr_open_values")


def _aggregate_on_two_cursors(
    pool: SnapshotConnections,
    identity: SnapshotIdentity,
    sources: list[str],
    filters: Filters,
    rules: LinkingRules,
    grouped_by: tuple[str, ...],
    with_notes: bool,
) -> dict[str, SourceAggregates]:
    """aggregate_sources with the PR sources on one cursor and the others on a second, at once: each aggregation is
    a few short statements with serial steps between them, so one at a time kept about one core of two busy."""
    groups = [
        group
        for group in ([s for s in sources if s in _PR_SOURCES], [s for s in sources if s not in _PR_SOURCES])
        if group
    ]
    computed: dict[str, SourceAggregates] = {}

    def aggregate(group: list[str]) -> None:
        with pool.cursor(identity) as cursor:
            computed.update(aggregate_sources(cursor, group, filters, rules, grouped_by, with_notes))

    run_together([functools.partial(aggregate, group) for group in groups], "flowgauge-aggregate")
    return computed


def keep_facts_warm(identity: SnapshotIdentity, filters: Filters, rules: LinkingRules) -> None:
    """Start keeping the snapshot's per-item facts for these rules (a background build, seconds at a million PRs;
    nothing once they are kept), so later views only filter them."""
    with connections().cursor(identity) as cursor:
        start_warming(cursor, rules, filters.environments)


def reuse_cached_facts(identity: SnapshotIdentity, filters: Filters, rules: LinkingRules) -> bool:
    """Attach the facts an earlier run cached beside the snapshot (milliseconds; never builds), so that even a
    server's first view only filters them; True when the snapshot's facts are kept."""
    with connections().cursor(identity) as cursor:
        return warm_facts(cursor, rules, filters.environments, wait=False, build=False)


def prepare_first_view(identity: SnapshotIdentity, filters: Filters, rules: LinkingRules) -> None:
    """For a snapshot whose facts were never prepared: keep the facts of this view's window (staged once, where
    each call staged its own), and aggregate the view's selection from them as `results` asks for it, before the
    page draws. The facts are staged one table at a time on two threads (facts.warm_window); the thread that staged
    the last table a source reads aggregates that source before it takes the next table, so neither core waits for
    the other (a million-PR first view: see bench/README.md).
    The previous window's are not staged here: the Overview measures its change against it after drawing
    (previous_results_later)."""
    window = filters.params()
    store, pool = _parts(), connections()
    grouped_by = selection_groupings(CURRENT_GROUPINGS)
    keys = _part_keys(identity, sources_of(tuple(METRICS)), filters, grouped_by, rules, True)
    left = dict(keys)  # the sources no thread has aggregated yet (those reading no facts go with the first table)
    staged: set[str] = set()
    lock = threading.Lock()

    def aggregate_staged(table: str) -> None:
        with lock:
            staged.add(table)
            mine = [source for source in left if facts_read(source) <= staged]
            for source in mine:
                del left[source]
        if not mine:
            return
        try:
            with pool.cursor(identity) as cursor:
                computed = aggregate_sources(cursor, mine, filters, rules, grouped_by, True)
        except Exception as error:  # the page aggregates them itself then, as on any other view
            _log.warning("the first view's aggregates not prepared with its facts: %s", error)
            return
        for source in mine:
            store.put(keys[source], computed[source])

    with pool.cursor(identity) as cursor:
        warm_window(cursor, rules, filters.environments, window["start"], window["end"], aggregate_staged)


def whole_facts_kept(identity: SnapshotIdentity, filters: Filters) -> bool:
    """Whether the snapshot's facts for the rules in force are kept: any window then only filters them."""
    with connections().cursor(identity) as cursor:
        return facts_kept(cursor, rules_in_force(), filters.environments)


def previous_results_if_measured(
    identity: SnapshotIdentity, filters: Filters, statistic: str
) -> dict[str, MetricResult] | None:
    """previous_results when the previous window is aggregated already (no query runs); None until it is."""
    previous = _aggregates(
        _parts(), connections(), identity, filters.previous(), (), rules_in_force(), False, None, compute=False
    )
    return None if previous is None else results_for(previous, statistic)


@st.cache_resource(show_spinner=False)
def _previous_windows() -> Deferred:
    return Deferred(max_kept=16)


def previous_results_later(identity: SnapshotIdentity, filters: Filters) -> Future:
    """Aggregate the window before the selection's on a background thread (a never-prepared snapshot's first view
    draws its own window first): once the future is done, previous_results_if_measured finds it."""
    store, pool, rules = _parts(), connections(), rules_in_force()  # the background thread has no session

    def aggregate() -> None:
        _aggregates(store, pool, identity, filters.previous(), (), rules, False, None)

    return _previous_windows().submit((identity, filters.previous(), rules), aggregate)


def results(
    identity: SnapshotIdentity,
    filters: Filters,
    statistic: str | Mapping[str, str],
    metric_ids: tuple[str, ...] | None = None,
    rules: LinkingRules | None = None,
) -> dict[str, MetricResult]:
    """Every metric (or the given ones) over the selection under the rules (default: those in force)."""
    rules = rules or rules_in_force()
    return results_for(aggregates(identity, filters, CURRENT_GROUPINGS, rules, True, None), statistic, metric_ids)


def tiered_results(
    identity: SnapshotIdentity, filters: Filters, statistic: str, benchmark_set: BenchmarkSet
) -> dict[str, MetricResult]:
    """Every metric at the statistic its band compares at (a DORA median beside LinearB's P75), else at statistic:
    what the cards' tiers are read from. The page's own aggregates serve it, so no query runs."""
    return results(identity, filters, tier_statistics(benchmark_set, METRICS, statistic))


def previous_results(
    identity: SnapshotIdentity, filters: Filters, statistic: str, metric_ids: tuple[str, ...] | None = None
) -> dict[str, MetricResult]:
    """Every metric's (or the given ones') value over the window of equal length just before the selection's: for
    the change against it, so without exclusions or flags (not counted)."""
    previous = aggregates(identity, filters.previous(), (), rules_in_force(), False, None)
    return results_for(previous, statistic, metric_ids)


def results_with_previous(
    identity: SnapshotIdentity, filters: Filters, statistic: str
) -> tuple[dict[str, MetricResult], dict[str, MetricResult]]:
    """results and previous_results together: the previous window is aggregated on a second thread while this one
    aggregates the selection. Each aggregation runs a few dozen short statements with serial steps between them,
    so two at once keep both cores busy (about a quarter off a cold view at a million PRs, bench/README.md)."""
    rules = rules_in_force()  # read here: the worker thread has no session of its own
    now: list[dict[str, MetricResult]] = []
    previous: list[SelectionAggregates] = []
    run_together(
        [
            lambda: now.append(results(identity, filters, statistic, rules=rules)),
            lambda: previous.append(aggregates(identity, filters.previous(), (), rules, False, None)),
        ],
        "flowgauge-previous-window",
        # Streamlit's caches (the connections) then serve the worker too.
        on_start=functools.partial(add_script_run_ctx, ctx=get_script_run_ctx()),
    )
    return now[0], results_for(previous[0], statistic)


def trend(
    identity: SnapshotIdentity, metric_id: str, filters: Filters, statistic: str | None, grain: str = "week"
) -> pa.Table:
    """One metric per calendar week or month of the selection: period_start, value, n."""
    chosen = resolve_statistics([metric_id], statistic)[metric_id]
    # The weekly trend is the scorecard's own aggregation (notes and all), so it costs no second query; other
    # grains aggregate only the metrics of this one's values files.
    if grain in CURRENT_GROUPINGS:
        selection = aggregates(identity, filters, CURRENT_GROUPINGS, rules_in_force(), True, None)
    else:
        selection = aggregates(identity, filters, (grain,), rules_in_force(), False, aggregated_with(metric_id))
    rows = selection.by_group[grain]
    return period_values(rows, metric_id, filters, chosen, grain)


def breakdown(identity: SnapshotIdentity, metric_id: str, filters: Filters, statistic: str | None, by: str) -> pa.Table:
    """One metric per team, repository, service, author or survey question: key, value, n (the breakdowns of every
    metric of the same values files by the same key come from one aggregation)."""
    chosen = resolve_statistics([metric_id], statistic)[metric_id]
    rows = aggregates(identity, filters, (by,), rules_in_force(), False, aggregated_with(metric_id)).by_group[by]
    return group_values(rows, metric_id, filters, chosen)


def weekly_values(
    identity: SnapshotIdentity, filters: Filters, statistic: str, metric_ids: tuple[str, ...]
) -> dict[str, list[float | None]]:
    """Each metric's weekly values over the selection, oldest first (for sparklines)."""
    return weekly_series(
        aggregates(identity, filters, CURRENT_GROUPINGS, rules_in_force(), True, None), metric_ids, statistic
    )


def rule_effects(identity: SnapshotIdentity) -> tuple[str, ...]:
    """What the rules in force leave out of this snapshot: what loads skipped by rule, then what the metrics do."""
    return _rule_effects(identity, rules_in_force())


@st.cache_data(max_entries=16, ttl=_TTL_SECONDS, show_spinner=False)
def _rule_effects(identity: SnapshotIdentity, rules: LinkingRules) -> tuple[str, ...]:
    with connections().cursor(identity) as cursor:
        return (*recorded_drops(cursor), *effects_of(cursor, rules))


def snapshot_summaries(data_dir: Path, names: tuple[str, ...]) -> dict[str, SnapshotSummary | str]:
    """Inventory of every snapshot in the data folder, or the one-line reason one cannot be opened."""
    summaries: dict[str, SnapshotSummary | str] = {}
    for name in names:
        try:
            summaries[name] = inventory(connections().identity(data_dir / f"{name}.duckdb"))
        except FlowgaugeError as error:
            summaries[name] = str(error)
    return summaries


def allocation(identity: SnapshotIdentity, filters: Filters, rules: Rules) -> Allocation:
    """The selection's effort allocation under the rules in force (their linking rules name the bots)."""
    return _allocation(identity, filters, rules.linking, rules.allocation)


@st.cache_data(max_entries=64, ttl=_TTL_SECONDS, show_spinner=False)
def _allocation(
    identity: SnapshotIdentity, filters: Filters, linking: LinkingRules, rules: AllocationRules
) -> Allocation:
    with connections().cursor(identity) as cursor:
        return allocation_of(cursor, filters, Rules(linking=linking, allocation=rules))


def pull_request_rows(identity: SnapshotIdentity, filters: Filters) -> pa.Table:
    """Every PR of the selection with phase times, size and links."""
    return _pull_request_rows(identity, filters, rules_in_force())


@st.cache_data(max_entries=64, ttl=_TTL_SECONDS, show_spinner=False)
def _pull_request_rows(identity: SnapshotIdentity, filters: Filters, rules: LinkingRules) -> pa.Table:
    with connections().cursor(identity) as cursor:
        return lists.pull_request_rows(cursor, filters, rules)


def deployment_rows(identity: SnapshotIdentity, filters: Filters) -> pa.Table:
    """Production deployments of the selection with what marks them as failed."""
    return _deployment_rows(identity, filters, rules_in_force())


@st.cache_data(max_entries=64, ttl=_TTL_SECONDS, show_spinner=False)
def _deployment_rows(identity: SnapshotIdentity, filters: Filters, rules: LinkingRules) -> pa.Table:
    with connections().cursor(identity) as cursor:
        return lists.deployment_rows(cursor, filters, rules)


def incident_rows(identity: SnapshotIdentity, filters: Filters) -> pa.Table:
    """Incidents of the selection with their linked deployment."""
    return _incident_rows(identity, filters, rules_in_force())


@st.cache_data(max_entries=64, ttl=_TTL_SECONDS, show_spinner=False)
def _incident_rows(identity: SnapshotIdentity, filters: Filters, rules: LinkingRules) -> pa.Table:
    with connections().cursor(identity) as cursor:
        return lists.incident_rows(cursor, filters, rules)


@st.cache_data(max_entries=64, ttl=_TTL_SECONDS, show_spinner=False)
def team_sizes(identity: SnapshotIdentity, filters: Filters) -> pa.Table:
    """Members per team on the first day of each month."""
    with connections().cursor(identity) as cursor:
        return lists.team_sizes(cursor, filters)


@st.cache_data(max_entries=64, ttl=_TTL_SECONDS, show_spinner=False)
def sprint_rows(identity: SnapshotIdentity, filters: Filters) -> pa.Table:
    """Sprints ending in the selection."""
    with connections().cursor(identity) as cursor:
        return lists.sprint_rows(cursor, filters)


DORA_FALLBACK_SET = "dora-2023"  # the last DORA report with all four keys clustered


def dora_set(user_dir: str, chosen: str) -> BenchmarkSet:
    """The chosen set when it clusters the DORA keys, else DORA 2023."""
    sets = benchmark_sets(user_dir)
    candidate = sets[chosen]
    # Clusters need every key banded with the set's own tier names (Latest published mixes LinearB's and DORA's).
    if all((band := candidate.band(key)) is not None and band.tier_names == candidate.tier_names for key in DORA_KEYS):
        return candidate
    return sets[DORA_FALLBACK_SET]


def team_matrix(
    identity: SnapshotIdentity, filters: Filters, statistic: str, metric_ids: tuple[str, ...]
) -> TeamMatrix:
    """Each metric per team (each breakdown cached on its own)."""
    return build_team_matrix(
        {metric_id: breakdown(identity, metric_id, filters, statistic, "team") for metric_id in metric_ids}, statistic
    )
