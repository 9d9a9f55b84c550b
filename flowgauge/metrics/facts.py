"""Per-item facts (PRs with their phases and links, commits with line ages, reviews, work items) for the staging files.

The facts depend on the snapshot and the linking rules only, never on the date window, teams or repositories, so a
long-lived reader (the dashboard) keeps them: `keep_facts(con)` attaches an in-memory database to the connection
and `warm_facts(con, rules)` (or `start_warming`, in a background thread) builds each fact table there once, in
event order so that a window's filter skips whole row groups. Every later call with the same rules reads them
through temp views, whatever its selection.

The fact files select the items a selection can use. Kept facts are those files run for the widest selection (no
time bounds, no filters, team lists on); without kept facts (the CLI, one-off calls) each call runs them for its
own selection, so a single report never pays for the whole history.

Only read-only snapshots keep facts: a writable database can change under the cache without a new identity.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import threading
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import duckdb

from flowgauge.metrics.filters import Filters, LinkingRules
from flowgauge.metrics.runner import private_cursor, stage_as

CACHE_DATABASE = "fg_cache"
# Staged name -> SQL file. The names are fixed here, never taken from users.
FACT_FILES = {
    "fg_pr_facts": "pr_facts",
    "fg_commit_facts": "commit_facts",
    "fg_review_facts": "review_facts",
    "fg_work_item_facts": "work_item_facts",
    "fg_deploy_facts": "deploy_facts",
}
# Kept facts are stored in the order of the time their windows filter on, so DuckDB's per-row-group min/max lets a
# 90-day selection skip most of a multi-year history.
_KEPT_ORDER = {
    "fg_pr_facts": "event_at",
    "fg_commit_facts": "authored_at",
    "fg_review_facts": "submitted_at",
    "fg_work_item_facts": "active_from",
    "fg_deploy_facts": "started_at",
}
# Each rule variant kept costs memory about the size of the PR, commit and review tables' used columns (about 1 GB
# at a million PRs): room for the default rules and one environment filter. Further variants are staged per call
# instead of evicting tables other threads may be reading.
MAX_KEPT_VARIANTS = 2

_build_lock = threading.Lock()
_warmers: dict[str, duckdb.DuckDBPyConnection] = {}  # cache token -> the cursor background builds use
_log = logging.getLogger(__name__)


def keep_facts(con: duckdb.DuckDBPyConnection) -> bool:
    """Let calls on con (and its cursors) reuse facts across selections; False when the snapshot is writable."""
    database = con.execute("SELECT current_database()").fetchall()[0][0]
    read_only = con.execute("SELECT readonly FROM duckdb_databases() WHERE database_name = ?", [database]).fetchall()[
        0
    ][0]
    if not read_only:
        return False
    if _kept_variants(con) is not None:
        return True
    con.execute(f"ATTACH ':memory:' AS {CACHE_DATABASE}")
    con.execute(f"CREATE TABLE {CACHE_DATABASE}.main.fg_fact_variants (variant VARCHAR, rules VARCHAR)")
    token = uuid.uuid4().hex
    con.execute(f"CREATE TABLE {CACHE_DATABASE}.main.fg_cache_token AS SELECT ? AS token", [token])
    # Background builds need a cursor of the connection itself: a cursor of a caller's cursor dies (and refuses to
    # close while busy) with that cursor, and callers close theirs after each call.
    warmer = con.cursor()
    warmer.execute(f'USE "{database.replace(chr(34), chr(34) * 2)}"')
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


def _kept_variants(con: duckdb.DuckDBPyConnection) -> list[str] | None:
    """Variants already built, or None when this connection does not keep facts."""
    attached = con.execute(
        "SELECT count(*) FROM duckdb_databases() WHERE database_name = ?", [CACHE_DATABASE]
    ).fetchall()[0][0]
    if not attached:
        return None
    return [row[0] for row in con.execute(f"SELECT variant FROM {CACHE_DATABASE}.main.fg_fact_variants").fetchall()]


def _kept_name(table: str, variant: str) -> str:
    return f'{CACHE_DATABASE}.main."{table}_{variant}"'


def warm_facts(
    con: duckdb.DuckDBPyConnection, rules: LinkingRules, environments: Iterable[str] = (), wait: bool = True
) -> bool:
    """Build the kept facts for rules; True when they are ready, False when this connection keeps none, it keeps
    MAX_KEPT_VARIANTS already, or (wait=False) another thread is building facts right now.

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
        with private_cursor(con) as cursor:
            stage_as(cursor, "TEMP TABLE fg_bots", "stage_bots", params)
            for table, file_name in FACT_FILES.items():
                stage_as(cursor, f"TABLE {_kept_name(table, variant)}", file_name, params, order_by=_KEPT_ORDER[table])
            cursor.execute(
                f"INSERT INTO {CACHE_DATABASE}.main.fg_fact_variants VALUES (?, ?)",
                [variant, json.dumps(rules.as_dict(), sort_keys=True)],
            )
    finally:
        _build_lock.release()
    return True


def start_warming(con: duckdb.DuckDBPyConnection, rules: LinkingRules, environments: Iterable[str] = ()) -> None:
    """warm_facts in a background thread; nothing happens when con keeps no facts, they are kept already, or
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
            warm_facts(warmer, rules, environments)
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
            cursor.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT * FROM {_kept_name(table, variant)}")
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
