"""Second and third git passes, each on its own thread and git process, beside the history read.

The history pass (numstat of every commit), the merge pass (first-parent diffs of the line's
merges) and the line-age pass (-U0 replay of the line) are independent, so running them side by
side makes a load take about as long as the slowest. Each feed's batches wait in a small bounded
queue for the reading thread to write them, which keeps memory flat.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime

import pyarrow as pa

from flowgauge.loaders.git.line_age import LineAge, fetch_line_ages
from flowgauge.loaders.git.log_reader import fetch_merge_diffs
from flowgauge.loaders.git.repository import GitRepository

BATCH_COMMITS = 1000

LINE_AGES = pa.schema(
    [
        ("repo_id", pa.string()),
        ("sha", pa.string()),
        ("lines_new", pa.int32()),
        ("lines_recent", pa.int32()),
        ("lines_old", pa.int32()),
        ("recent_days", pa.int32()),
    ]
)
MERGE_DIFFS = pa.schema(
    [
        ("sha", pa.string()),
        ("lines_added", pa.int32()),
        ("lines_deleted", pa.int32()),
        ("files_changed", pa.int32()),
    ]
)
# A temporary table of the open snapshot connection: never part of the snapshot file.
MERGE_DIFFS_TABLE = "temp.git_merge_diffs"
_END = object()


class BatchFeed:
    """Runs produce() on a thread; the caller takes ready() batches while busy and rest() at the end.

    Always close(): it stops an unfinished producer (and so its git process) and joins the thread.
    """

    name = "flowgauge-git-feed"
    table = ""  # where the batches go

    def __init__(self) -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=4)
        self._stop = threading.Event()
        self._finished = False
        self.done = 0
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def produce(self) -> Iterator[tuple[pa.Table, int]]:
        """Yield (batch, commits done so far); runs on the feed's thread."""
        raise NotImplementedError

    def ready(self) -> Iterator[pa.Table]:
        """Batches already computed, without waiting."""
        while not self._finished:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            yield from self._take(item)

    def rest(self) -> Iterator[pa.Table]:
        """Every remaining batch, waiting for the producer to end."""
        while not self._finished:
            yield from self._take(self._queue.get())

    def close(self) -> None:
        """Stop the producer if it is still running and wait for its thread."""
        self._stop.set()
        while self._thread.is_alive():
            with contextlib.suppress(queue.Empty):
                self._queue.get(timeout=0.05)
        self._thread.join()

    def _take(self, item: object) -> Iterator[pa.Table]:
        if item is _END:
            self._finished = True
            return
        if isinstance(item, BaseException):
            self._finished = True
            raise item
        table, self.done = item
        if table.num_rows:
            yield table

    def _run(self) -> None:
        try:
            batches = self.produce()
            # closing(): a stopped feed ends its git process now, not when the generator is collected.
            with contextlib.closing(batches):
                for batch in batches:
                    if self._stop.is_set():
                        return
                    self._put(batch)
            self._put(_END)
        except BaseException as error:  # handed to the reading thread, which re-raises it
            self._put(error)

    def _put(self, item: object) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return
            except queue.Full:
                continue


class LineAgeFeed(BatchFeed):
    """commit_line_ages rows of a clone's first-parent line, for commits after resume_after (all when
    None) committed at or after since."""

    name = "flowgauge-line-age"
    table = "commit_line_ages"

    def __init__(self, repo: GitRepository, resume_after: str | None, since: datetime | None, recent_days: int) -> None:
        self._repo, self._resume_after, self._since, self._recent_days = repo, resume_after, since, recent_days
        super().__init__()

    def produce(self) -> Iterator[tuple[pa.Table, int]]:
        repo_id, recent_days = self._repo.repo_id, self._recent_days
        ages: Iterator[LineAge] = fetch_line_ages(self._repo.path, self._repo.head_sha, recent_days)
        with contextlib.closing(ages):
            columns: dict[str, list] = {name: [] for name in LINE_AGES.names}
            writing, replayed = self._resume_after is None, 0
            for age in ages:
                replayed += 1
                if writing and (self._since is None or age.committed_at >= self._since):
                    row = (repo_id, age.sha, age.lines_new, age.lines_recent, age.lines_old, recent_days)
                    for name, value in zip(LINE_AGES.names, row, strict=True):
                        columns[name].append(value)
                writing = writing or age.sha == self._resume_after
                if replayed % BATCH_COMMITS == 0:
                    yield pa.Table.from_pydict(columns, schema=LINE_AGES), replayed
                    columns = {name: [] for name in LINE_AGES.names}
            yield pa.Table.from_pydict(columns, schema=LINE_AGES), replayed


class MergeDiffFeed(BatchFeed):
    """Numstat totals of the first-parent line's merges against their first parent, in revisions."""

    name = "flowgauge-merge-diffs"
    table = MERGE_DIFFS_TABLE

    def __init__(self, repo: GitRepository, revisions: Sequence[str], since: datetime | None) -> None:
        self._repo, self._revisions, self._since = repo, list(revisions), since
        super().__init__()

    def produce(self) -> Iterator[tuple[pa.Table, int]]:
        merges = fetch_merge_diffs(self._repo.path, self._revisions, self._since)
        with contextlib.closing(merges):
            columns: dict[str, list] = {name: [] for name in MERGE_DIFFS.names}
            seen = 0
            for merge in merges:
                seen += 1
                for name, value in zip(
                    MERGE_DIFFS.names,
                    (merge.sha, merge.lines_added, merge.lines_deleted, merge.files_changed),
                    strict=True,
                ):
                    columns[name].append(value)
                if seen % BATCH_COMMITS == 0:
                    yield pa.Table.from_pydict(columns, schema=MERGE_DIFFS), seen
                    columns = {name: [] for name in MERGE_DIFFS.names}
            yield pa.Table.from_pydict(columns, schema=MERGE_DIFFS), seen
