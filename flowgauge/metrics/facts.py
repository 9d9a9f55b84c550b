"""Per-item facts (PRs with their phases and links, commits with line ages, reviews, work items) for the staging files.

The facts depend on the snapshot and the linking rules only, never on the date window, teams or repositories, so a
long-lived reader (the dashboard) keeps them: `keep_facts(con, identity)` readies the connection and
`warm_facts(con, rules)` builds each fact table once, in event order so that a window's filter skips whole row
groups (`start_warming` has a background thread do it through `prepare_facts`, which builds a cacheable snapshot's
facts in a low-priority child process: facts_process.py). Every later call with the same rules reads them through
temp views, whatever its selection.

Kept facts are written to a cache file beside the snapshot (`.flowgauge-cache/<name>.<snapshot key>.<rules
key>.<code key>.duckdb`), keyed by the snapshot file's identity, the rules, and the fact SQL and DuckDB's version, so
the next server start (or another process) attaches them in milliseconds instead of building them for seconds, and
they live in DuckDB's buffer pool rather than pinned in memory. A snapshot that changes, or an upgrade of the code,
gets a new key; the files of the old key are removed once the new ones are written. Where the folder cannot be
written, facts are kept in memory instead.

The fact files select the items a selection can use. Kept facts are those files run for the widest selection (no
time bounds, no filters, team lists on); without kept facts (the CLI, one-off calls) each call runs them for its
own selection, so a single report never pays for the whole history.

Only read-only snapshots keep facts: a writable database can change under the cache without a new identity.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from flowgauge.leftovers import Removed, pid_alive, remove_files
from flowgauge.metrics.facts_process import build_in_child
from flowgauge.metrics.filters import DEFAULT_RULES, Filters, LinkingRules
from flowgauge.metrics.runner import private_cursor, sql_text, stage_as
from flowgauge.snapshot import CACHE_FOLDER, SnapshotIdentity, open_snapshot, snapshot_identity
from flowgauge.sql_names import quoted
from flowgauge.together import run_together

CACHE_DATABASE = "fg_cache"
# Staged name -> SQL file. The names are fixed here, never taken from users.
FACT_FILES = {
    "fg_pr_facts": "pr_facts",
    "fg_commit_facts": "commit_facts",
    "fg_review_facts": "review_facts",
    "fg_work_item_facts": "work_item_facts",
    "fg_deploy_facts": "deploy_facts",
    "fg_sprint_item_facts": "sprint_item_facts",
}
# Kept facts are stored in the order of the time their windows filter on, so DuckDB's per-row-group min/max lets a
# 90-day selection skip most of a multi-year history.
_KEPT_ORDER = {
    "fg_pr_facts": "event_at",
    "fg_commit_facts": "authored_at",
    "fg_review_facts": "submitted_at",
    "fg_work_item_facts": "active_from",
    "fg_deploy_facts": "started_at",
    "fg_sprint_item_facts": "ends_at",
}
# Each rule variant kept costs about the size of the PR, commit and review tables' used columns (about 1 GB at a
# million PRs, in memory or in a cache file): room for the default rules and one environment filter. Further
# variants are staged per call instead of evicting tables other threads may be reading.
MAX_KEPT_VARIANTS = 2
# A build that died (killed server) leaves its unfinished file; an hour is far longer than any build takes.
_ABANDONED_BUILD_SECONDS = 3600
_KEY = "[0-9a-f]{16}"  # the snapshot, rules-variant and code keys of a cache file's name (sha256 prefixes)
_CACHE_FILE = re.compile(rf"(.+)\.({_KEY})\.({_KEY})\.({_KEY})\.duckdb")
# An unfinished build: <cache file stem>.<builder's pid>-<random>.building (earlier releases: .<random>.building).
_BUILDING = re.compile(r".+?\.(?:(?P<pid>\d+)-)?[0-9a-f]+\.building(?:\.wal)?")

# The fact tables of a window (warm_window), in the order two threads take them, one at a time: the longest first
# (a never-prepared million-PR first view, bench/README.md), so that the short ones even out the threads' ends.
_LONGEST_FIRST = (
    "fg_pr_facts",
    "fg_commit_facts",
    "fg_review_facts",
    "fg_deploy_facts",
    "fg_sprint_item_facts",
    "fg_work_item_facts",
)
_WINDOW_THREADS = 2

# Facts kept for one span of time only (warm_window): a never-prepared snapshot's first view, until the whole
# snapshot's are kept. One span per rules variant and connection, in memory.
_WINDOWS = "fg_fact_windows"

_build_lock = threading.Lock()
_warmers: dict[str, duckdb.DuckDBPyConnection] = {}  # cache token -> the cursor background builds use
_log = logging.getLogger(__name__)


def keep_facts(con: duckdb.DuckDBPyConnection, snapshot: SnapshotIdentity | None = None) -> bool:
    """Let calls on con (and its cursors) reuse facts across selections; False when the snapshot is writable.

    snapshot: the identity con was opened for. Given, and still the file's, the facts are cached on disk beside it
    (and an earlier cache is reused); without it they are kept in memory for this connection only.
    """
    database = con.execute("SELECT current_database()").fetchall()[0][0]
    read_only = con.execute("SELECT readonly FROM duckdb_databases() WHERE database_name = ?", [database]).fetchall()[
        0
    ][0]
    if not read_only:
        return False
    if _kept_variants(con) is not None:
        return True
    con.execute(f"ATTACH ':memory:' AS {CACHE_DATABASE}")
    con.execute(
        f"CREATE TABLE {CACHE_DATABASE}.main.fg_fact_variants (variant VARCHAR, rules VARCHAR, database VARCHAR)"
    )
    con.execute(
        f"CREATE TABLE {CACHE_DATABASE}.main.{_WINDOWS} "
        "(variant VARCHAR, fact_table VARCHAR, start_at TIMESTAMP, end_at TIMESTAMP, team_lists BOOLEAN)"
    )
    token = uuid.uuid4().hex
    # The file may have been replaced since con opened it: its facts must then not be cached under the new identity.
    prefix = _cache_prefix(snapshot) if snapshot is not None and _still_at_path(snapshot) else None
    con.execute(
        f"CREATE TABLE {CACHE_DATABASE}.main.fg_cache_token "
        "AS SELECT ? AS token, ? AS cache_prefix, ? AS snapshot_path",
        [token, None if prefix is None else str(prefix), None if prefix is None else str(snapshot.path)],
    )
    # Background builds need a cursor of the connection itself: a cursor of a caller's cursor dies (and refuses to
    # close while busy) with that cursor, and callers close theirs after each call.
    warmer = con.cursor()
    warmer.execute(f"USE {quoted(database)}")
    with _build_lock:
        _warmers[token] = warmer
    return True


def release_facts(con: duckdb.DuckDBPyConnection) -> None:
    """Forget con's background-build cursor before con is closed, so the kept facts' memory can be freed."""
    if _kept_variants(con) is None:
        return
    token = con.execute(f"SELECT token FROM {CACHE_DATABASE}.main.fg_cache_token").fetchall()[0][0]
    warmer = _warmers.pop(token, None)
    if warmer is not None:
        # A build still running on it refuses the close; it then fails on its own when con itself is closed.
        with contextlib.suppress(duckdb.Error):
            warmer.close()


def variant_of(rules: LinkingRules, environments: Iterable[str]) -> str:
    """A short stable name for the facts one rule set (plus environment filter) produces."""
    key = json.dumps({**rules.params(), "environments": sorted(environments)}, sort_keys=True)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def cache_folder(snapshot_path: str | os.PathLike) -> Path:
    """Where the kept facts of the snapshot at snapshot_path are cached."""
    return Path(snapshot_path).parent / CACHE_FOLDER


def _cache_prefix(snapshot: SnapshotIdentity) -> Path:
    # <folder>/<name>.<key of this version of the file>: a rewritten snapshot (new inode, size or time) gets a new key.
    path = Path(snapshot.path)
    version = f"{snapshot.inode}:{snapshot.size_bytes}:{snapshot.modified_ns}"
    return cache_folder(path) / f"{path.stem}.{hashlib.sha256(version.encode()).hexdigest()[:16]}"


def _still_at_path(snapshot: SnapshotIdentity) -> bool:
    try:
        return snapshot_identity(snapshot.path) == snapshot
    except OSError:
        return False


@cache
def _code_key() -> str:
    """Which code built a cache file: the fact SQL and DuckDB's version (whose file format a cache is written in).
    An upgrade of either builds the facts afresh, and the files the earlier code wrote are then removed."""
    text = "\n".join(sql_text(name) for name in ("stage_bots", *FACT_FILES.values()))
    key = json.dumps([text, _KEPT_ORDER, duckdb.__version__], sort_keys=True)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _cache_file(prefix: str | Path, variant: str) -> Path:
    # <folder>/<name>.<snapshot key>.<rules variant>.<code key>.duckdb
    return Path(f"{prefix}.{variant}.{_code_key()}.duckdb")


def _kept_variants(con: duckdb.DuckDBPyConnection) -> dict[str, str] | None:
    """Variants already kept, each with the database holding its tables; None when con keeps no facts."""
    attached = con.execute(
        "SELECT count(*) FROM duckdb_databases() WHERE database_name = ?", [CACHE_DATABASE]
    ).fetchall()[0][0]
    if not attached:
        return None
    rows = con.execute(f"SELECT variant, database FROM {CACHE_DATABASE}.main.fg_fact_variants").fetchall()
    return dict(rows)


def _kept_name(table: str, variant: str, database: str) -> str:
    if database == CACHE_DATABASE:
        return f'{CACHE_DATABASE}.main."{table}_{variant}"'
    return f'{database}.main."{table}"'


def warm_facts(
    con: duckdb.DuckDBPyConnection,
    rules: LinkingRules,
    environments: Iterable[str] = (),
    wait: bool = True,
    build: bool = True,
) -> bool:
    """Keep the facts for rules (attaching their cache file, else building them); True when they are ready, False
    when this connection keeps none, it keeps MAX_KEPT_VARIANTS already, (wait=False) another thread is building
    facts right now, or (build=False) they are not cached on disk yet.

    Safe from several threads: one builds, the others wait (or, with wait=False, return at once).
    """
    environments = tuple(environments)
    variant = variant_of(rules, environments)
    if not _build_lock.acquire(blocking=wait):
        return False
    try:
        kept = _kept_variants(con)
        if kept is None:
            return False
        if variant in kept:
            return True
        if len(kept) >= MAX_KEPT_VARIANTS:
            return False
        params = _whole_snapshot_params(rules, environments)
        prefix = con.execute(f"SELECT cache_prefix FROM {CACHE_DATABASE}.main.fg_cache_token").fetchall()[0][0]
        target = None if prefix is None else _cache_file(prefix, variant)
        if not build and (target is None or not target.exists()):
            return False
        database = None if target is None else _attach_cached(con, target, variant, params)
        if database is None:
            database = CACHE_DATABASE
            _build(con, lambda table: _kept_name(table, variant, CACHE_DATABASE), params)
        con.execute(
            f"INSERT INTO {CACHE_DATABASE}.main.fg_fact_variants VALUES (?, ?, ?)",
            [variant, json.dumps(rules.as_dict(), sort_keys=True), database],
        )
    finally:
        _build_lock.release()
    return True


def warm_window(
    con: duckdb.DuckDBPyConnection,
    rules: LinkingRules,
    environments: Iterable[str],
    start: datetime,
    end: datetime,
    after_staged: Callable[[tuple[str, ...]], None] | None = None,
) -> bool:
    """Keep the facts of every item a selection inside [start, end) can use, when the whole snapshot's are not kept
    yet: a never-prepared snapshot's first view stages them once for its own window, and every aggregation of that
    window (and later views inside the span) reads them, where each call used to stage its own. True when
    facts covering the span are kept (whole or window); False when con keeps none, another build holds the lock, or
    this variant already keeps another span (later views outside it stage per call until the whole facts are in).

    The fact files select items by the window alone and give each item the values the whole snapshot's facts give
    it, so a selection reads the same rows either way (tests/test_metrics_facts.py holds the numbers equal).

    after_staged(table), when given, runs on the thread that staged each table as soon as it is readable, before
    that thread takes the next one: a view's sources can be aggregated there as soon as the facts they read are in,
    while the other thread is still staging, so neither core waits for the other. It must not raise.
    """
    environments = tuple(environments)
    variant = variant_of(rules, environments)
    if not _build_lock.acquire(blocking=False):
        return False
    try:
        kept = _kept_variants(con)
        if kept is None:
            return False
        if variant in kept:
            return True
        spans = con.execute(
            f"SELECT DISTINCT start_at, end_at FROM {CACHE_DATABASE}.main.{_WINDOWS} WHERE variant = ?", [variant]
        ).fetchall()
        if spans:
            return spans[0][0] <= start and end <= spans[0][1]
        # Without the authors' team lists (a third of the cost): a view that filters or groups by team stages its own.
        params = {**_whole_snapshot_params(rules, environments), "start": start, "end": end, "by": "none"}

        def staged(cursor: duckdb.DuckDBPyConnection, table: str) -> None:
            # Each table is readable for the span as soon as it is staged (_window_covering).
            cursor.execute(
                f"INSERT INTO {CACHE_DATABASE}.main.{_WINDOWS} VALUES (?, ?, ?, ?, false)", [variant, table, start, end]
            )
            if after_staged is not None:
                after_staged(table)

        try:
            _build_at_once(con, lambda table: _window_name(table, variant), params, staged)
        except duckdb.Error as error:
            # Each call then stages its own selection, as before: slower, never a wrong number.
            _log.warning("the first view's facts not kept, each call stages its own selection: %s", error)
            con.execute(f"DELETE FROM {CACHE_DATABASE}.main.{_WINDOWS} WHERE variant = ?", [variant])
            return False
    finally:
        _build_lock.release()
    return True


def _window_name(table: str, variant: str) -> str:
    return f'{CACHE_DATABASE}.main."{table}_{variant}_window"'


def _window_covering(
    con: duckdb.DuckDBPyConnection, variant: str, filters: Filters, by: str, tables: list[str]
) -> bool:
    """Whether every one of the tables is kept for a span holding the selection's window (team lists if it needs
    them)."""
    params = filters.params()
    team_lists = bool(filters.teams) or by == "team"
    covered = con.execute(
        f"SELECT count(DISTINCT fact_table) FROM {CACHE_DATABASE}.main.{_WINDOWS} "
        "WHERE variant = ? AND list_contains(?, fact_table) AND start_at <= ? AND ? <= end_at "
        "AND (team_lists OR NOT ?)",
        [variant, tables, params["start"], params["end"], team_lists],
    ).fetchall()[0][0]
    return covered == len(tables)


def _build(con: duckdb.DuckDBPyConnection, name_of, params: dict[str, Any]) -> None:
    """Build every fact table for the whole snapshot, each under name_of(its staged name), in event order."""
    with private_cursor(con) as cursor:
        _stage_facts(cursor, name_of, params)


def _build_at_once(con: duckdb.DuckDBPyConnection, name_of, params: dict[str, Any], staged) -> None:
    """Build every fact table, unordered, on two threads taking one table at a time, the longest first: the first
    view waits for them, and one statement alone keeps only about one core busy. staged(cursor, table) runs on the
    thread that built the table, before it takes the next. A failure stops both threads taking more."""
    waiting = list(_LONGEST_FIRST)
    lock = threading.Lock()
    failed = threading.Event()

    def take() -> str | None:
        with lock:
            return None if failed.is_set() or not waiting else waiting.pop(0)

    def work(cursor: duckdb.DuckDBPyConnection) -> None:
        try:
            stage_as(cursor, "TEMP TABLE fg_bots", "stage_bots", params)  # a temp table: each cursor stages its own
            while (table := take()) is not None:
                stage_as(cursor, f"TABLE {name_of(table)}", FACT_FILES[table], params)
                staged(cursor, table)
        except BaseException:
            failed.set()
            raise

    with contextlib.ExitStack() as stack:
        # Cursors are made here: a DuckDB connection (con too) must not be used by two threads at once.
        cursors = [stack.enter_context(private_cursor(con)) for _ in range(_WINDOW_THREADS)]
        run_together([functools.partial(work, cursor) for cursor in cursors], "flowgauge-window-facts")


def _stage_facts(cursor: duckdb.DuckDBPyConnection, name_of, params: dict[str, Any]) -> None:
    """Every fact table, one after another, each in the order of the time its windows filter on (_KEPT_ORDER)."""
    stage_as(cursor, "TEMP TABLE fg_bots", "stage_bots", params)  # a temp table: each cursor stages its own
    for table in FACT_FILES:
        stage_as(cursor, f"TABLE {name_of(table)}", FACT_FILES[table], params, order_by=_KEPT_ORDER[table])


def _attach_cached(con: duckdb.DuckDBPyConnection, target: Path, variant: str, params: dict[str, Any]) -> str | None:
    """Attach the variant's cache file, writing it first when there is none; the database name it is attached as,
    or None when the cache cannot be read or written (the caller keeps the facts in memory instead)."""
    database = f"fg_facts_{variant}"
    if target.exists():
        try:
            con.execute(f"ATTACH ? AS {database} (TYPE duckdb, READ_ONLY)", [str(target)])
            return database
        except duckdb.Error as error:
            # A damaged or foreign file: rebuild it below rather than fail the view.
            _log.warning("facts cache %s unreadable, rebuilding it: %s", target, error)
    # The builder's process id in the name lets a later build tell a dead build's file from a running one's.
    building = target.with_name(f"{target.stem}.{os.getpid()}-{uuid.uuid4().hex[:8]}.building")
    staging = f"fg_build_{variant}"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        con.execute(f"ATTACH ? AS {staging} (TYPE duckdb)", [str(building)])
        try:
            _build(con, lambda table: f'{staging}.main."{table}"', params)
            con.execute(f"CHECKPOINT {staging}")  # everything in the file itself, none left in a .wal beside it
        finally:
            con.execute(f"DETACH {staging}")
        # Readers only ever see a finished file: the build is renamed into place in one step.
        os.replace(building, target)
        con.execute(f"ATTACH ? AS {database} (TYPE duckdb, READ_ONLY)", [str(target)])
    except (OSError, duckdb.Error) as error:
        for leftover in (building, Path(f"{building}.wal")):
            with contextlib.suppress(OSError):
                leftover.unlink()
        if isinstance(error, duckdb.InterruptException):
            raise  # a stopping server: nothing is kept, in memory or on disk
        _log.warning("facts not cached on disk (%s), keeping them in memory: %s", target.parent, error)
        return None
    _remove_stale(target)
    return database


def _remove_stale(current: Path) -> None:
    """Delete the cache files this one makes useless: those of earlier versions of the same snapshot, and those other
    code wrote (an upgrade's predecessor, whatever their rules; no version of the code reads another's files, and
    earlier releases named them <snapshot key>.<facts key>); and every abandoned build in the folder. Other rules'
    files of this snapshot and code stay: up to MAX_KEPT_VARIANTS are in use at once."""
    name, snapshot_key, _variant, code_key = _CACHE_FILE.fullmatch(current.name).groups()
    ours = re.compile(rf"{re.escape(name)}\.({_KEY})\.{_KEY}\.({_KEY})\.duckdb")
    earlier_release = re.compile(rf"{re.escape(name)}\.{_KEY}\.{_KEY}\.duckdb")
    for path in current.parent.iterdir():
        cached = ours.fullmatch(path.name)
        stale = cached is not None and (cached[1] != snapshot_key or cached[2] != code_key)
        if stale or earlier_release.fullmatch(path.name) is not None:
            # Another process may still read an old file: on POSIX it keeps its open copy; elsewhere it stays.
            with contextlib.suppress(OSError):
                path.unlink()
    remove_abandoned_builds(current.parent)


def remove_abandoned_builds(cache_folder: Path) -> list[Removed]:
    """Delete the unfinished cache files (and their WALs) of builds whose process is gone (killed mid-build), or of
    builds older than any build takes; a running build's files stay. Returns what was removed."""
    moment = time.time() - _ABANDONED_BUILD_SECONDS
    abandoned = []
    for path in sorted(cache_folder.iterdir()) if cache_folder.is_dir() else []:
        build = _BUILDING.fullmatch(path.name)
        if build is None:
            continue
        owner_gone = build["pid"] is not None and not pid_alive(int(build["pid"]))
        if owner_gone or _older_than(path, moment):
            abandoned.append(path)
    return remove_files(abandoned)


def _older_than(path: Path, moment: float) -> bool:
    try:
        return path.stat().st_mtime < moment
    except OSError:
        return False


def cache_facts(
    snapshot_path: str | os.PathLike, rules: LinkingRules = DEFAULT_RULES, environments: Iterable[str] = ()
) -> bool:
    """Build the kept facts of the snapshot at snapshot_path into its cache file (or find them there), so the
    dashboard's first view of it only attaches and filters them. For loaders to call once a snapshot is written,
    and for the dashboard's low-priority builds (facts_process.py); True when the facts are cached on disk, False
    when they cannot be (the dashboard then keeps them itself).
    """
    environments = tuple(environments)
    identity = snapshot_identity(snapshot_path)
    variant = variant_of(rules, environments)
    target = _cache_file(_cache_prefix(identity), variant)
    con = open_snapshot(snapshot_path)
    try:
        if not _still_at_path(identity):
            return False
        with _build_lock:  # one build at a time in this process, as for the app's own
            return _attach_cached(con, target, variant, _whole_snapshot_params(rules, environments)) is not None
    finally:
        con.close()


def facts_kept(con: duckdb.DuckDBPyConnection, rules: LinkingRules, environments: Iterable[str] = ()) -> bool:
    """Whether con keeps the whole snapshot's facts for rules (and environment filter) already."""
    kept = _kept_variants(con)
    return kept is not None and variant_of(rules, environments) in kept


def prepare_facts(con: duckdb.DuckDBPyConnection, rules: LinkingRules, environments: Iterable[str] = ()) -> bool:
    """Keep the whole snapshot's facts for rules, as warm_facts does, but build them in a child process at the
    low CPU priority when they can be cached on disk (facts_process.py), so the build never slows a page or
    the browser drawing it; in this process when they cannot be, or the child failed. True when they are kept.
    Waits for the build: for background threads."""
    environments = tuple(environments)
    if _kept_variants(con) is None:
        return False
    if warm_facts(con, rules, environments, build=False):  # kept already, or cached on disk: attached
        return True
    path = con.execute(f"SELECT snapshot_path FROM {CACHE_DATABASE}.main.fg_cache_token").fetchall()[0][0]
    built = path is not None and build_in_child(path, rules, environments)
    if built and warm_facts(con, rules, environments, build=False):
        return True
    return warm_facts(con, rules, environments)


def start_warming(con: duckdb.DuckDBPyConnection, rules: LinkingRules, environments: Iterable[str] = ()) -> None:
    """prepare_facts in a background thread; nothing happens when con keeps no facts, they are kept already, or
    another build runs (a later call starts it then)."""
    kept = _kept_variants(con)
    if kept is None or variant_of(rules, environments) in kept or _build_lock.locked():
        return
    token = con.execute(f"SELECT token FROM {CACHE_DATABASE}.main.fg_cache_token").fetchall()[0][0]
    warmer = _warmers.get(token)
    if warmer is None:
        return
    environments = tuple(environments)

    def warm() -> None:
        try:
            prepare_facts(warmer, rules, environments)
        except duckdb.Error as error:
            # Calls keep staging their own selections, so this costs speed, never a wrong number.
            _log.warning("metrics facts not kept, each call stages its own selection: %s", error)
            with _build_lock:
                _warmers.pop(token, None)

    threading.Thread(target=warm, name="flowgauge-warm-facts", daemon=True).start()


def provide_facts(
    cursor: duckdb.DuckDBPyConnection, tables: Iterable[str], filters: Filters, rules: LinkingRules, by: str
) -> bool:
    """Make each fact table readable on cursor under its fg_ name; True when they come from the kept facts.

    Until facts for these rules are kept (warm_facts or start_warming), a call stages only its own selection.

    fg_bots must already be staged on cursor: fact files built per call read it.
    """
    wanted = [table for table in FACT_FILES if table in set(tables)]
    if not wanted:
        return False
    variant = variant_of(rules, filters.environments)
    kept = _kept_variants(cursor)
    if kept is not None and variant in kept:
        for table in wanted:
            name = _kept_name(table, variant, kept[variant])
            cursor.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT * FROM {name}")
        return True
    if kept is not None and _window_covering(cursor, variant, filters, by, wanted):
        for table in wanted:
            cursor.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT * FROM {_window_name(table, variant)}")
        return True
    params = {**filters.params(), **rules.params(), "by": by}
    for table in wanted:
        stage_as(cursor, f"TEMP TABLE {table}", FACT_FILES[table], params)
    return False


def _whole_snapshot_params(rules: LinkingRules, environments: tuple[str, ...]) -> dict[str, Any]:
    # The widest selection: every item of the snapshot, with team lists (what $by = 'team' asks for).
    return {
        **rules.params(),
        "environments": list(environments),
        "start": datetime(1, 1, 1),
        "end": datetime(9999, 12, 31),
        "teams": [],
        "repos": [],
        "services": [],
        "by": "team",
    }
