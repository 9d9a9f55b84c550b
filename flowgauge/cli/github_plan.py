"""The load plan of `flowgauge snapshot github`: printed alone with --plan, and shown before a long load with its
progress against it."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.progress import Progress, TaskID

from flowgauge.errors import LoaderError
from flowgauge.loaders.github.plan import LoadPlan
from flowgauge.loaders.http.progress import ProgressEvent
from flowgauge.snapshot import open_snapshot


def plan_starts(
    out: Path, source_id: str, repos: Sequence[str], since: date | None, full: bool
) -> dict[str, str | None]:
    """Where each repository's pull requests start: the stored high-water mark of an earlier load of out (unless
    --full), else the --since day, else the beginning (None)."""
    day = since.isoformat() if since else None
    starts: dict[str, str | None] = dict.fromkeys(repos, day)
    if full or not out.exists():
        return starts
    try:
        con = open_snapshot(out)
    except LoaderError:
        return starts  # the load itself will say what is wrong with the file
    try:
        stored = con.execute(
            "SELECT repo_id, cursor FROM sync_state WHERE source_id = ? AND stream = 'pull_requests'", [source_id]
        ).fetchall()
    finally:
        con.close()
    for repo_id, cursor in stored:
        state = json.loads(cursor) if cursor else {}
        mark = state.get("stop_at", state.get("high_water"))
        if repo_id in starts and mark:
            starts[repo_id] = max(filter(None, [mark, day]))
    return starts


def print_plan(console: Console, plan: LoadPlan) -> None:
    """The plan's lines, as text (repository names are the API's, never markup)."""
    for line in plan.lines():
        console.print(line, markup=False, highlight=False, soft_wrap=True)


class EstimateBar:
    """A progress row of the GraphQL points spent against the plan's estimate, updated with every progress event."""

    def __init__(self, progress: Progress, plan: LoadPlan, spent: Callable[[], int]) -> None:
        self.progress = progress
        self.spent = spent
        self.start = spent()
        self.task: TaskID = progress.add_task(f"GraphQL points (estimate {plan.points:,})", total=plan.points, quota="")

    def __call__(self, event: ProgressEvent) -> None:
        self.progress.update(self.task, completed=self.spent() - self.start, quota=event.quota)
