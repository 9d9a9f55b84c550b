"""Running every configured source into the organisation's snapshot under one lock, recording each run."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import httpx

from flowgauge.errors import FlowgaugeError, SnapshotError
from flowgauge.loaders.http.client import build_client
from flowgauge.loaders.jira.client import build_jira_client
from flowgauge.loaders.store import utc_now, write_snapshot
from flowgauge.org_config import OrgConfig
from flowgauge.org_config.config import Source
from flowgauge.rules import DEFAULTS, Rules
from flowgauge.sync import sources

try:  # POSIX advisory locks keep two syncs of one organisation from interleaving their sources.
    import fcntl
except ImportError:  # pragma: no cover - Windows: syncs are then not serialised
    fcntl = None


class SyncBusy(SnapshotError):
    """Another `flowgauge sync` is running on the same snapshot."""


@dataclass(frozen=True)
class SourceRun:
    """How one source's load went: what `sync_runs` records and the summary table shows."""

    name: str
    kind: str
    started_at: datetime
    finished_at: datetime
    succeeded: bool
    rows_written: int
    error: str | None
    freshness_hours: float
    seconds: float
    notes: list[str] = field(default_factory=list)


def run_sync(
    config: OrgConfig,
    *,
    env: Mapping[str, str],
    client_factory: sources.ClientFactory = build_client,
    jira_client_factory: sources.JiraClientFactory = build_jira_client,
    on_start: Callable[[Source], None] = lambda source: None,
    rules: Rules = DEFAULTS,
) -> list[SourceRun]:
    """Load every source in order; a failure is recorded with its one-line error and the next source still runs.

    API sources detect deployments with `rules` (the config's [rules] table) unless they name a deploy_rules file."""
    config.data_folder.mkdir(parents=True, exist_ok=True)
    snapshot = config.snapshot
    runs = []
    with _sync_lock(snapshot):
        for source in config.sources:
            on_start(source)
            runs.append(_run_one(source, snapshot, env, (client_factory, jira_client_factory), rules))
        save_sync_runs(snapshot, runs)
    return runs


def _run_one(source: Source, snapshot: Path, env: Mapping[str, str], factories, rules: Rules) -> SourceRun:
    started_at, started = utc_now(), time.perf_counter()
    rows, notes, error = 0, [], None
    client_factory, jira_client_factory = factories
    try:
        if source.kind == "github":
            rows, notes = sources.sync_github_source(source, snapshot, env, client_factory, rules)
        elif source.kind == "gitlab":
            rows, notes = sources.sync_gitlab_source(source, snapshot, env, client_factory, rules)
        elif source.kind == "jira":
            rows, notes = sources.sync_jira_source(source, snapshot, env, jira_client_factory)
        elif source.kind == "git":
            rows, notes = sources.sync_git_source(source, snapshot, rules)
        else:
            rows, notes = sources.sync_files_source(source, snapshot, rules)
    except SyncBusy:
        raise
    except (FlowgaugeError, OSError, httpx.HTTPError, duckdb.Error) as failure:
        error = _one_line(failure, env, source)
    return SourceRun(
        name=source.name,
        kind=source.kind,
        started_at=started_at,
        finished_at=utc_now(),
        succeeded=error is None,
        rows_written=rows if error is None else 0,
        error=error,
        freshness_hours=source.freshness_hours,
        seconds=time.perf_counter() - started,
        notes=notes,
    )


def _one_line(failure: Exception, env: Mapping[str, str], source: Source) -> str:
    """The error as one line, with the source's secrets masked should any layer have echoed them."""
    text = " ".join(str(failure).split()) or type(failure).__name__
    for key in ("token_env", "api_token_env", "pat_env"):
        secret = env.get(getattr(source, key, "") or "")
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def save_sync_runs(snapshot: Path, runs: list[SourceRun]) -> None:
    """Record the runs in the snapshot's sync_runs table (creating the snapshot when no source could)."""
    rows = [
        {
            "source_name": run.name,
            "source_kind": run.kind,
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "succeeded": run.succeeded,
            "rows_written": run.rows_written,
            "error": run.error,
            "freshness_hours": run.freshness_hours,
        }
        for run in runs
    ]
    with write_snapshot(snapshot) as writer:
        writer.upsert("sync_runs", rows)


@contextlib.contextmanager
def _sync_lock(snapshot: Path) -> Iterator[None]:
    # Separate from the store's per-write lock: a sync is several writes, and another sync between them
    # would interleave its sources with ours.
    lock_path = snapshot.with_name(f".{snapshot.name}.sync.lock")
    with open(lock_path, "a+b") as handle:
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise SyncBusy(f"{snapshot}: another flowgauge sync is running; try again when it ends") from None
        yield
