"""Rows for the snapshot from what the git walk found, written behind the reading of the log."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pyarrow as pa

from flowgauge.loaders.code_origin import PrTrail, classify
from flowgauge.loaders.git.feeds import MERGE_DIFFS_TABLE
from flowgauge.loaders.git.history import HistoryWalk, PullRequestDraft
from flowgauge.loaders.git.identities import IdentityResolver
from flowgauge.loaders.git.log_reader import CommitRecord
from flowgauge.loaders.git.repository import GitRepository
from flowgauge.loaders.store import SnapshotWriter
from flowgauge.rules.code_origin import AI_ASSISTED, DEFAULT_CODE_ORIGIN, CodeOriginRules

_COMMITS = pa.schema(
    [
        ("repo_id", pa.string()),
        ("sha", pa.string()),
        ("author_id", pa.string()),
        ("authored_at", pa.timestamp("us")),
        ("committed_at", pa.timestamp("us")),
        ("lines_added", pa.int32()),
        ("lines_deleted", pa.int32()),
        ("files_changed", pa.int32()),
        ("parent_shas", pa.list_(pa.string())),
        ("subject", pa.string()),
    ]
)
_PULL_REQUESTS = pa.schema(
    [
        ("pr_id", pa.string()),
        ("repo_id", pa.string()),
        ("number", pa.int32()),
        ("title", pa.string()),
        ("url", pa.string()),
        ("author_id", pa.string()),
        ("state", pa.string()),
        ("is_draft", pa.bool_()),
        ("base_branch", pa.string()),
        ("head_branch", pa.string()),
        ("created_at", pa.timestamp("us")),
        ("first_commit_at", pa.timestamp("us")),
        ("merged_at", pa.timestamp("us")),
        ("closed_at", pa.timestamp("us")),
        ("updated_at", pa.timestamp("us")),
        ("lines_added", pa.int32()),
        ("lines_deleted", pa.int32()),
        ("files_changed", pa.int32()),
        ("merge_commit_sha", pa.string()),
        ("merge_method", pa.string()),
        ("labels", pa.list_(pa.string())),
        ("issue_keys", pa.list_(pa.string())),
    ]
)


# The history pass leaves merges undiffed; the merge pass's first-parent numstat is joined in after.
_CREATE_MERGE_DIFFS_SQL = f"""
CREATE OR REPLACE TEMPORARY TABLE {MERGE_DIFFS_TABLE} (
    sha VARCHAR, lines_added INTEGER, lines_deleted INTEGER, files_changed INTEGER
)"""
_APPLY_MERGE_DIFFS_SQL = (
    f"""
UPDATE commits AS c
SET lines_added = m.lines_added, lines_deleted = m.lines_deleted, files_changed = m.files_changed
FROM {MERGE_DIFFS_TABLE} AS m
WHERE c.repo_id = ? AND c.sha = m.sha
""",
    f"""
UPDATE pull_requests AS p
SET lines_added = m.lines_added, lines_deleted = m.lines_deleted, files_changed = m.files_changed
FROM {MERGE_DIFFS_TABLE} AS m
WHERE p.repo_id = ? AND p.merge_method = 'merge' AND p.merge_commit_sha = m.sha
""",
)


def create_merge_diffs(writer: SnapshotWriter) -> None:
    """An empty temporary table for the merge pass (dropped with the connection, never saved)."""
    writer.con.execute(_CREATE_MERGE_DIFFS_SQL)


def apply_merge_diffs(writer: SnapshotWriter, repo_id: str) -> None:
    """Give the line's merge commits and merge PRs their first-parent numstat, then drop the table."""
    for statement in _APPLY_MERGE_DIFFS_SQL:
        writer.con.execute(statement, [repo_id])
    writer.con.execute(f"DROP TABLE {MERGE_DIFFS_TABLE}")


def _append_temporary(writer: SnapshotWriter, data: pa.Table) -> None:
    writer.con.register("_git_merge_diffs", data)
    try:
        writer.con.execute(f"INSERT INTO {MERGE_DIFFS_TABLE} SELECT * FROM _git_merge_diffs")
    finally:
        writer.con.unregister("_git_merge_diffs")


class RowSink:
    """Upserts batches on one background thread, so DuckDB inserts while git keeps streaming.

    Only the sink's thread touches the writer between put() and wait(); wait() re-raises its errors.
    """

    def __init__(self, writer: SnapshotWriter) -> None:
        self._writer = writer
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="flowgauge-git-rows")
        self._pending: Future | None = None

    def put(self, batch: Sequence[tuple[str, Any]]) -> None:
        """Queue (table, rows) pairs after the previous batch (at most one batch waits in memory)."""
        self.wait()
        self._pending = self._pool.submit(self._write, list(batch))

    def wait(self) -> None:
        """Block until every queued batch is written."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        """Finish the queued writes and stop the thread."""
        try:
            self.wait()
        finally:
            self._pool.shutdown(wait=True)

    def _write(self, batch: list[tuple[str, Any]]) -> None:
        for table, data in batch:
            if table == MERGE_DIFFS_TABLE:
                _append_temporary(self._writer, data)
            else:
                self._writer.upsert(table, data)


class CommitBatch:
    """Rows of the commits read since the last flush, handed to a RowSink in one go, and the code-origin evidence
    of every PR read (PrOrigins)."""

    def __init__(
        self,
        sink: RowSink,
        repo: GitRepository,
        resolver: IdentityResolver,
        code_origin: CodeOriginRules = DEFAULT_CODE_ORIGIN,
    ) -> None:
        self.sink, self.repo, self.resolver = sink, repo, resolver
        # Column lists, not row dicts: building Arrow from columns is several times faster.
        self.commits: dict[str, list] = {name: [] for name in _COMMITS.names}
        self.pr_commits: list[dict] = []
        self.deployment_commits: list[dict] = []
        self.origins = PrOrigins(repo.repo_id, code_origin)

    def add(self, record: CommitRecord, pr_number: int | None, deployment_id: str | None) -> None:
        repo_id = self.repo.repo_id
        columns = self.commits
        columns["repo_id"].append(repo_id)
        columns["sha"].append(record.sha)
        columns["author_id"].append(self._person(record))
        columns["authored_at"].append(record.authored_at)
        columns["committed_at"].append(record.committed_at)
        columns["lines_added"].append(record.lines_added)
        columns["lines_deleted"].append(record.lines_deleted)
        columns["files_changed"].append(record.files_changed)
        columns["parent_shas"].append(record.parents)
        columns["subject"].append(record.subject)
        if pr_number is not None:
            self.pr_commits.append({"pr_id": f"{repo_id}#{pr_number}", "repo_id": repo_id, "sha": record.sha})
            self.origins.add(pr_number, record)
        if deployment_id is not None:
            self.deployment_commits.append({"deployment_id": deployment_id, "repo_id": repo_id, "sha": record.sha})

    def flush(self, walk: HistoryWalk) -> int:
        """Write everything gathered, including the PRs the walk has completed; returns the PR count."""
        drafts, walk.pull_requests = walk.pull_requests, []
        self.origins.read_batch()
        links = [(d.deployment_id, f"{self.repo.repo_id}#{d.number}") for d in drafts if d.deployment_id]
        self.sink.put(
            [
                ("commits", pa.Table.from_pydict(self.commits, schema=_COMMITS)),
                ("pr_commits", self.pr_commits),
                ("deployment_commits", self.deployment_commits),
                ("pull_requests", pa.Table.from_pylist([self._pr_row(d) for d in drafts], schema=_PULL_REQUESTS)),
                (
                    "deployment_pull_requests",
                    [{"deployment_id": dep, "pr_id": pr_id, "link_rule": "commit_ancestry"} for dep, pr_id in links],
                ),
            ]
        )
        self.commits = {name: [] for name in _COMMITS.names}
        self.pr_commits, self.deployment_commits = [], []
        return len(drafts)

    def _person(self, record: CommitRecord) -> str:
        return self.resolver.resolve(record.name, record.email, record.raw_name, record.raw_email)

    def _pr_row(self, draft: PullRequestDraft) -> dict:
        repo = self.repo
        is_github = bool(repo.url and repo.url.startswith("https://github.com/"))
        return {
            "pr_id": f"{repo.repo_id}#{draft.number}",
            "repo_id": repo.repo_id,
            "number": draft.number,
            "title": draft.title,
            "url": f"{repo.url}/pull/{draft.number}" if is_github else None,
            "author_id": self._person(draft.author),
            "state": "merged",
            "is_draft": False,
            "base_branch": repo.default_branch,
            "head_branch": draft.head_branch,
            "created_at": draft.first_commit_at or draft.merged_at,
            "first_commit_at": draft.first_commit_at,
            "merged_at": draft.merged_at,
            "closed_at": draft.merged_at,
            "updated_at": draft.merged_at,
            "lines_added": draft.lines_added,
            "lines_deleted": draft.lines_deleted,
            "files_changed": draft.files_changed,
            "merge_commit_sha": draft.merge_sha,
            "merge_method": draft.merge_method,
            "labels": [],
            "issue_keys": draft.issue_keys,
        }


class PrOrigins:
    """Each PR's code-origin evidence as its commits stream past: a batch's messages are matched when it is flushed
    and then dropped, so only the matched lines, and each PR's earliest commit author, are kept for the whole log."""

    def __init__(self, repo_id: str, rules: CodeOriginRules) -> None:
        self.repo_id, self.rules = repo_id, rules
        self._messages: dict[int, list[str]] = {}  # this batch's messages per PR number
        self._authors: dict[int, set[str]] = {}  # this batch's commit authors per PR number
        self._first: dict[int, tuple[Any, str]] = {}  # (authored_at, 'Name <email>') of each PR's earliest commit
        self._evidence: dict[int, tuple[str, str]] = {}  # (evidence_kind, line or author) found so far

    def add(self, number: int, record: CommitRecord) -> None:
        """Note one commit of PR number."""
        identity = f"{record.raw_name} <{record.raw_email}>"
        self._messages.setdefault(number, []).append(record.message)
        self._authors.setdefault(number, set()).add(identity)
        first = self._first.get(number)
        if first is None or record.authored_at < first[0]:
            self._first[number] = (record.authored_at, identity)

    def read_batch(self) -> None:
        """Match the batch's messages and authors, keep the first trail each PR carries, and drop the messages."""
        numbers = [n for n in self._messages if n not in self._evidence]
        trails = [
            PrTrail(str(n), commit_messages=self._messages[n], commit_authors=sorted(self._authors[n]), seen=True)
            for n in numbers
        ]
        for number, found in zip(numbers, classify(self.rules, trails), strict=True):
            if found.origin == AI_ASSISTED and found.evidence_kind and found.evidence:
                self._evidence[number] = (found.evidence_kind, found.evidence)
        self._messages, self._authors = {}, {}

    def rows(self) -> list[dict[str, Any]]:
        """pr_code_origins rows of every PR whose commits were read: agentic when its earliest commit is an agent's,
        AI-assisted with the trail found, else unassisted (git always sees a PR's commits)."""
        self.read_batch()
        trails = []
        for number, (_, identity) in self._first.items():
            kind, evidence = self._evidence.get(number, (None, None))
            trails.append(
                PrTrail(
                    f"{self.repo_id}#{number}",
                    author_identity=identity,
                    commit_messages=[evidence] if kind == "commit message line" else [],
                    commit_authors=[evidence] if kind == "commit author" else [],
                    seen=True,
                )
            )
        return [found.row() for found in classify(self.rules, trails)]


def repository_row(repo: GitRepository) -> dict:
    """The repositories row of a clone."""
    return {
        "repo_id": repo.repo_id,
        "name": repo.name,
        "source": "git",
        "url": repo.url,
        "default_branch": repo.default_branch,
        "owner_team_id": None,
        "is_archived": False,
        "created_at": None,
    }
