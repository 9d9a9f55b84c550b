"""The frame every page shares: the demo on first start, the snapshot connection and the global filters."""

from __future__ import annotations

import runpy
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from flowgauge.access import gate
from flowgauge.access.config_file import find_config, sign_in_of
from flowgauge.errors import FlowgaugeError
from flowgauge.metrics.benchmark_sets import DEFAULT_SET_ID, BenchmarkSet, user_sets_folder
from flowgauge.metrics.facts import cache_facts
from flowgauge.metrics.filters import STATISTICS
from flowgauge.org_config import ConfigError
from flowgauge.org_config.defaults import find_organisation_config
from flowgauge.org_config.sign_in import SignIn
from flowgauge.rules import DEFAULT_RULES, DEFAULTS, BadRules, LinkingRules, Rules, find_rules_file
from flowgauge.snapshot import SnapshotIdentity
from flowgauge.ui import cached, filters
from flowgauge.ui.connection import connections, list_snapshots
from flowgauge.ui.freshness import draw_freshness
from flowgauge.ui.report_download import report_button
from flowgauge.ui.text import plain

DEMO_NAME = "demo"
# Where a page run on its own (AppTest.from_file("flowgauge/dashboard/pages/x.py")) finds the data folder; the
# frame (flowgauge/dashboard/app.py) sets it from FLOWGAUGE_DATA_DIR, tests set it directly.
DATA_DIR_KEY = "fg_data_dir"
# $FLOWGAUGE_RULES as app.py read it (None: look for the rules file in the working directory, then the data folder).
RULES_ENV_KEY = "fg_rules_env"
# $FLOWGAUGE_SNAPSHOT as app.py read it: the organisation's snapshot, opened first (None: the demo, generated when
# missing, else the first snapshot).
SNAPSHOT_KEY = "fg_default_snapshot"
_CONTEXT_KEY = "fg_page_context"
_STARTED_KEY = "fg_started"
_NOTICES_KEY = "fg_notices"
_LAST_DATES_KEY = "fg_last_dates"
_VALUES_KEY = "fg_values"
_DEMO_LOCK = threading.Lock()

# Widget keys (session state), one per URL filter.
K_SNAPSHOT, K_RANGE, K_DATES, K_TEAMS, K_REPOS, K_SERVICES, K_ENVS, K_BENCH, K_STAT, K_BOTS = (
    "fg_snapshot",
    "fg_range",
    "fg_dates",
    "fg_teams",
    "fg_repos",
    "fg_services",
    "fg_envs",
    "fg_bench",
    "fg_stat",
    "fg_bots",
)
CUSTOM_RANGE = "custom"


@dataclass(frozen=True)
class PageContext:
    """What a page needs: the snapshot's identity (cache key), the view and the chosen benchmark set."""

    data_dir: Path
    identity: SnapshotIdentity
    view: filters.View
    choices: filters.Choices
    benchmark_set: BenchmarkSet = field(hash=False)
    rules: Rules = field(default=DEFAULTS, hash=False)  # the rules file in force, from load to metric


def default_data_dir() -> Path:
    """<repository>/data: the folder beside app.py, for pages run on their own."""
    return Path(__file__).resolve().parents[2] / "data"


def page_context() -> PageContext:
    """The frame app.py drew for this run, or (for a page run on its own) draw it now."""
    context = st.session_state.get(_CONTEXT_KEY)
    if context is not None:
        return context
    entry_point = _entry_point_bypassed()
    if entry_point is not None:
        # On a fresh server's first request for a page URL, Streamlit still follows its older pages/ folder
        # convention and runs the page file directly, skipping app.py (so no frame, data folder or navigation).
        # Run the entry point instead: its st.navigation picks this same page and runs it inside the frame.
        runpy.run_path(str(entry_point), run_name="__main__")
        st.stop()
    return draw_frame(Path(st.session_state.get(DATA_DIR_KEY) or default_data_dir()))


def _entry_point_bypassed() -> Path | None:
    """The app's entry script when Streamlit ran a page without it; None when the page is the script being run."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return None
    main = Path(ctx.main_script_path).resolve()
    return None if main.parent.name == "pages" else main


def run_page(
    page, data_dir: Path, rules_env: str | None = None, snapshot: str | None = None, config_env: str | None = None
) -> None:
    """Let in only who may see pages (when flowgauge.toml asks for sign-in), draw the frame, then run the page with
    the frame's context available to it. config_env: $FLOWGAUGE_CONFIG as app.py read it."""
    gate.configure(_sign_in_in_force(data_dir, config_env))
    gate.enforce(page.url_path)  # stops here, before any snapshot is opened, unless the visitor may see pages
    st.session_state[DATA_DIR_KEY] = str(data_dir)
    st.session_state[RULES_ENV_KEY] = rules_env
    st.session_state[SNAPSHOT_KEY] = snapshot
    context = st.session_state[_CONTEXT_KEY] = draw_frame(data_dir)
    if not cached.reuse_cached_facts(context.identity, context.view.filters(), context.rules.linking):
        # Never prepared (copied in by hand, or the cache key changed with an upgrade): this view's facts, and the
        # view aggregated from them, first.
        cached.prepare_first_view(context.identity, context.view.filters(), context.rules.linking)
    try:
        page.run()
    finally:
        st.session_state.pop(_CONTEXT_KEY, None)
    # The view is on screen: only now build the facts later views filter, so the build never slows this one.
    cached.keep_facts_warm(context.identity, context.view.filters(), context.rules.linking)


def ensure_demo(data_dir: Path, rules: LinkingRules = DEFAULT_RULES) -> None:
    """Generate data/demo.duckdb under a spinner when the data folder holds no demo snapshot yet."""
    target = data_dir / f"{DEMO_NAME}.duckdb"
    if target.exists():
        return
    with _DEMO_LOCK:
        if target.exists():
            return
        from flowgauge.loaders.demo import save_demo

        data_dir.mkdir(parents=True, exist_ok=True)
        with st.spinner("First start: generating the demo organisation (a few seconds)…"):
            save_demo(target)
            # Its first view then attaches the metrics' facts instead of building them.
            cache_facts(target, rules)


def draw_frame(data_dir: Path) -> PageContext:
    """Open the selected snapshot, draw the global filters in the sidebar, and keep the URL in step."""
    rules = _rules_in_force(data_dir)
    st.session_state[cached.RULES_KEY] = rules.linking
    organisation = st.session_state.get(SNAPSHOT_KEY)
    if organisation is None:  # the laptop path: the demo organisation until the user loads their own
        try:
            ensure_demo(data_dir, rules.linking)
        except FlowgaugeError as error:
            st.error(f"Could not create the demo snapshot: {plain(error)}")
    snapshots = list_snapshots(data_dir)
    if not snapshots:
        st.error(
            f"No snapshot in {plain(data_dir)}. Create one with `flowgauge demo` or load your organisation "
            "with `flowgauge sync` or `flowgauge snapshot github …`, then reload this page."
        )
        st.stop()
    if organisation in snapshots:
        default_snapshot = organisation
    else:
        default_snapshot = DEMO_NAME if DEMO_NAME in snapshots else snapshots[0]

    started = st.session_state.get(_STARTED_KEY, False)
    url = filters.read_url() if not started else {}
    notices: list[str] = []
    if organisation is not None and organisation not in snapshots:
        notices.append(f"The organisation's snapshot “{organisation}” is not in the data folder: run flowgauge sync.")
    if started:
        name = _values().get(K_SNAPSHOT)
        if name not in snapshots:
            if name is not None:
                notices.append(f"Snapshot “{name}” is no longer in the data folder; showing “{default_snapshot}”.")
            name = default_snapshot
    else:
        name, notices = filters.parse_snapshot(url, snapshots, default_snapshot)

    identity, name, problem = _open(data_dir, name, default_snapshot)
    if problem:
        notices.append(problem)
    catalog = cached.catalog(identity)
    try:
        sets = cached.benchmark_sets(str(user_sets_folder(data_dir)))
    except FlowgaugeError as error:  # a broken user benchmark file must not take the dashboard down
        notices.append(f"Your benchmark files were not loaded: {error}")
        sets = cached.benchmark_sets(None)
    choices = filters.Choices(
        snapshots=tuple(snapshots),
        default_snapshot=default_snapshot,
        anchor=catalog.last_day,
        teams=catalog.teams,
        repos=catalog.repos,
        services=catalog.services,
        environments=catalog.environments,
        benchmark_sets={set_id: s.name for set_id, s in sets.items()},
        default_benchmark_set=_default_benchmark_set(data_dir, sets, notices),
    )

    if not started:
        view, view_notices = filters.parse_view({**url, filters.SNAPSHOT: [name]}, choices)
        notices.extend(view_notices)
        _seed_widgets(view, choices)
        st.session_state[_STARTED_KEY] = True
    else:
        _values()[K_SNAPSHOT] = name
        _drop_unknown_selections(choices)

    view = _draw_filters(choices)
    filters.write_url(view)
    report_button(identity, view, choices.teams, sets[view.benchmark_set], rules)
    if notices:
        st.session_state[_NOTICES_KEY] = (view, tuple(notices))
    shown = st.session_state.get(_NOTICES_KEY)
    if shown and shown[0] == view:
        for notice in shown[1]:
            # Notices repeat what the link or the data folder said (a team, a snapshot, an error): text, not Markdown.
            st.warning(plain(notice), icon=":material/link_off:")
    draw_freshness(identity)
    return PageContext(data_dir, identity, view, choices, sets[view.benchmark_set], rules)


def _default_benchmark_set(data_dir: Path, sets: dict[str, BenchmarkSet], notices: list[str]) -> str:
    """The organisation config's benchmarks (flowgauge.toml found as the rules are), else the shipped default."""
    path = find_organisation_config(st.session_state.get(RULES_ENV_KEY), [Path.cwd(), data_dir])
    try:
        chosen = cached.organisation_benchmarks(str(path), path.stat().st_mtime_ns) if path else None
    except (FlowgaugeError, OSError) as error:  # a broken config must not take the dashboard down
        notices.append(f"The organisation config's default benchmark set was not used: {error}")
        chosen = None
    if chosen in sets:
        return chosen
    return DEFAULT_SET_ID if DEFAULT_SET_ID in sets else next(iter(sets), "")


def _sign_in_in_force(data_dir: Path, config_env: str | None) -> SignIn | None:
    """The [sign_in] of the organisation config in force (read again when it changes); a config that cannot be read
    stops the page rather than serve it without the sign-in it may ask for."""
    path = find_config(config_env, [Path.cwd(), data_dir])
    try:
        modified = path.stat().st_mtime_ns if path else 0
    except OSError:
        modified = -1  # missing: load_org_config names it
    try:
        return _cached_sign_in(str(path) if path else None, modified)
    except ConfigError as error:
        st.error(f"The organisation config cannot be used: {plain(error)}")
        st.stop()


@st.cache_resource(max_entries=4, show_spinner=False)
def _cached_sign_in(path: str | None, modified_ns: int) -> SignIn | None:
    return sign_in_of(Path(path) if path else None)


def _rules_in_force(data_dir: Path) -> Rules:
    """The rules file the CLI would find for this data folder (read again when it changes); a bad one stops the page
    with its file, line and reason rather than showing numbers under rules nobody chose."""
    path = find_rules_file(None, st.session_state.get(RULES_ENV_KEY), [Path.cwd(), data_dir])
    try:
        modified = path.stat().st_mtime_ns if path else 0
    except OSError:
        modified = -1  # missing: load_rules names it
    try:
        return cached.rules_file(str(path) if path else None, modified)
    except BadRules as error:
        st.error(f"The rules file cannot be used: {plain(error)}")
        st.stop()


def _open(data_dir: Path, name: str, default: str) -> tuple[SnapshotIdentity, str, str | None]:
    """Identity of the named snapshot, falling back to the default one when it cannot be opened."""
    try:
        return connections().identity(data_dir / f"{name}.duckdb"), name, None
    except FlowgaugeError as error:
        if name == default:
            st.error(plain(error))
            st.stop()
        problem = f"Snapshot “{name}” cannot be opened ({error}); showing “{default}” instead."
    try:
        return connections().identity(data_dir / f"{default}.duckdb"), default, problem
    except FlowgaugeError as error:
        st.error(plain(f"{problem} But that one cannot be opened either: {error}"))
        st.stop()


def scope_label(label: str, chosen: list[str], names: Mapping[str, str], everything: str) -> str:
    """The popover button of a scope filter, saying what it selects: 'Teams: All teams', 'Teams: Payments',
    'Teams: Payments +2 more'. Names come from the snapshot, so they are shown as text, not Markdown."""
    if not chosen:
        return f"{label}: {everything}"
    first = plain(names.get(chosen[0], chosen[0]))
    return f"{label}: {first}" + (f" +{len(chosen) - 1} more" if len(chosen) > 1 else "")


def _matching_range(view: filters.View, anchor: date) -> str:
    for pick in filters.QUICK_RANGES:
        if filters.quick_range(pick, anchor) == (view.start, view.end):
            return pick
    return CUSTOM_RANGE


def _seed_widgets(view: filters.View, choices: filters.Choices) -> None:
    st.session_state[_VALUES_KEY] = {
        K_SNAPSHOT: view.snapshot,
        K_RANGE: _matching_range(view, choices.anchor),
        K_DATES: (view.start, view.end),
        K_TEAMS: list(view.teams),
        K_REPOS: list(view.repos),
        K_SERVICES: list(view.services),
        K_ENVS: list(view.environments),
        K_BENCH: view.benchmark_set,
        K_STAT: view.statistic,
        K_BOTS: view.include_bots,
    }


def _values() -> dict:
    """The filter values of this session, kept apart from widget state.

    Streamlit derives a widget's identity from the page being run, so widget state does not survive a page
    switch (nor the first navigation); these values do, and are put back into the widgets on every run.
    """
    return st.session_state[_VALUES_KEY]


def _drop_unknown_selections(choices: filters.Choices) -> None:
    # After a snapshot switch the old snapshot's teams may not exist; a multiselect refuses unknown values.
    values = _values()
    for key, known in (
        (K_TEAMS, choices.teams),
        (K_REPOS, choices.repos),
        (K_SERVICES, choices.services),
        (K_ENVS, choices.environments),
    ):
        values[key] = [value for value in values.get(key, []) if value in known]
    if values.get(K_BENCH) not in choices.benchmark_sets:
        values[K_BENCH] = choices.default_benchmark_set


def _changed(key: str) -> None:
    _values()[key] = st.session_state[key]


def _pick_range(anchor: date) -> None:
    values = _values()
    values[K_RANGE] = pick = st.session_state[K_RANGE]
    if pick != CUSTOM_RANGE:
        values[K_DATES] = filters.quick_range(pick, anchor)


def _dates_edited() -> None:
    values = _values()
    values[K_DATES] = tuple(st.session_state[K_DATES])
    values[K_RANGE] = CUSTOM_RANGE


def _draw_filters(choices: filters.Choices) -> filters.View:
    """The sidebar filters; returns the view they select."""
    values = _values()
    for key, value in values.items():
        st.session_state[key] = value
    side = st.sidebar
    side.selectbox(
        "Snapshot",
        choices.snapshots,
        key=K_SNAPSHOT,
        on_change=_changed,
        args=(K_SNAPSHOT,),
        help="Snapshot files in the data folder.",
    )
    side.selectbox(
        "Period",
        [*filters.QUICK_RANGES, CUSTOM_RANGE],
        key=K_RANGE,
        format_func=lambda pick: filters.QUICK_RANGES.get(pick, "Custom dates"),
        on_change=_pick_range,
        args=(choices.anchor,),
        help=f"Quick picks end on {choices.anchor:%d %b %Y}, the last day the snapshot has data for.",
    )
    side.date_input("Dates (UTC, both included)", key=K_DATES, on_change=_dates_edited, format="YYYY-MM-DD")
    for label, key, known, placeholder in (
        ("Teams", K_TEAMS, choices.teams, "All teams"),
        ("Repositories", K_REPOS, choices.repos, "All repositories"),
        ("Services", K_SERVICES, choices.services, "All services"),
        ("Production environments", K_ENVS, choices.environments, "All matching the production rule"),
    ):
        # Each list sits in a popover, mounted in the browser only while open: a select box is redrawn on every
        # rerun with all its options, and an organisation's 600 teams and 1,500 repositories cost about 0.1 s of
        # the browser's time per rerun on every page (bench/README.md, ninth session).
        side.popover(scope_label(label, values[key], known, placeholder), width="stretch").multiselect(
            label,
            list(known),
            key=key,
            format_func=known.get,
            placeholder=placeholder,
            on_change=_changed,
            args=(key,),
        )
    side.selectbox(
        "Benchmark set",
        list(choices.benchmark_sets),
        key=K_BENCH,
        format_func=lambda set_id: choices.benchmark_sets.get(set_id, set_id),
        on_change=_changed,
        args=(K_BENCH,),
    )
    side.selectbox(
        "Statistic",
        STATISTICS,
        key=K_STAT,
        on_change=_changed,
        args=(K_STAT,),
        help="How durations are summarised. Benchmarks compare like with like: LinearB publishes P75.",
    )
    side.toggle(
        "Include bots",
        key=K_BOTS,
        on_change=_changed,
        args=(K_BOTS,),
        help="Bots (dependabot, renovate, CI users, the rules file's logins and title patterns) and PRs with no known "
        "author (deleted accounts, some apps) are left out by default; this counts both.",
    )

    dates = values[K_DATES]
    if len(dates) == 2:
        start, end = st.session_state[_LAST_DATES_KEY] = tuple(dates)
    else:  # the user has picked the first day of a new range only: keep showing the last complete one
        start, end = st.session_state.get(_LAST_DATES_KEY) or filters.quick_range(filters.DEFAULT_RANGE, choices.anchor)
    view = filters.View(
        snapshot=values[K_SNAPSHOT],
        start=start,
        end=end,
        teams=tuple(values[K_TEAMS]),
        repos=tuple(values[K_REPOS]),
        services=tuple(values[K_SERVICES]),
        environments=tuple(values[K_ENVS]),
        benchmark_set=values[K_BENCH],
        statistic=values[K_STAT],
        include_bots=bool(values[K_BOTS]),
    )
    with side.popover("Copy link", icon=":material/link:", width="stretch"):
        st.caption("This link opens the same view, on this page, for anyone with access to this dashboard.")
        st.code(filters.link_for(view), language=None, wrap_lines=True)
    return view
