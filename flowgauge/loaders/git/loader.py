"""`flowgauge snapshot git`: local clones into a snapshot, incrementally.

Rows written per clone: repositories (repo_id 'owner/name' from the origin remote, else the folder
name; url the remote as an https web address with any credentials dropped), commits (every commit
reachable from HEAD; a merge on the first-parent line carries its diff against its first parent,
what it brought to the branch; a merge off the line, such as main merged into a feature branch,
carries no lines), people and person_aliases, pull_requests and pr_commits recognised from history,
releases (every tag) and tag deployments with the commits and PRs they shipped, commit_line_ages.

What git can and cannot tell, and the choices made:
  * PRs: recognised from first-parent commit messages in every host's form (pr_detection.py), counted per
    style in the load summary (GitLoadResult.pr_summary, also the source's detail 'summary'); a first-parent
    commit that names '#N' or '!N' in no known form is counted as unrecognised, with a few examples.
  * PR dates: git records no opening time. first_commit_at is the earliest author time among the
    PR's commits (a squash commit: its own author time); created_at is set to that same time, the
    earliest the PR can have existed; ready_for_review_at stays NULL (unknown). The author is the
    author of the earliest commit. Only merged PRs exist in history, so state is always 'merged'.
  * PR size: a merge PR's lines (any message form, e.g. 'Title (#N)' with two parents) are its merge diff
    against the first parent, its commits those the second parent brought in; a squash PR's, its commit's
    numstat; a rebase PR's, the sum over its commits (files_changed may count a file twice).
  * issue_keys come from the head branch, the PR title and the merge or squash/rebase messages.
  * url is filled for github.com remotes only (other hosts' PR paths differ).
  * A deploy tag ships the first-parent commits since the previous deploy tag on that line, plus
    the side commits their merges brought in; a deploy tag on a commit off the line gets its
    deployment row but no commit or PR links.
  * --since limits what is read on that run; later runs continue from the stored HEAD.

Three git processes run side by side (see feeds.py): the history (numstat of every commit, merges
undiffed), the line's merges diffed against their first parent, and the line-age replay.

Re-runs: the HEAD sha read is kept in sync_state ('git:<repo_id>', stream 'commits'); the next run
reads only `<that sha>..HEAD`, or further back to the previous deploy tag (stream 'deploy_base')
when a new deploy tag must collect the commits it shipped. A different --deploy-tags pattern than
last time (stream 'settings') replaces the tag deployments and re-reads all history; a different
recent-days window rewrites every line-age row. Line age cannot be resumed from a sha without the
per-line state, so each run replays the first-parent history's -U0 diffs from the start (about
the cost of `git log -p -U0 --first-parent`, the slow half of a first load) and writes rows only
for new commits; --no-line-age skips it.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from flowgauge.loaders.git.feeds import BatchFeed, LineAgeFeed, MergeDiffFeed
from flowgauge.loaders.git.history import STYLE_LABELS, HistoryWalk
from flowgauge.loaders.git.identities import IdentityResolver
from flowgauge.loaders.git.line_age import DEFAULT_RECENT_DAYS
from flowgauge.loaders.git.log_reader import fetch_commits
from flowgauge.loaders.git.repository import GitRepository, open_repository, run_git, stream_git
from flowgauge.loaders.git.rows import CommitBatch, RowSink, apply_merge_diffs, create_merge_diffs, repository_row
from flowgauge.loaders.git.tags import (
    DEFAULT_DEPLOY_TAGS,
    deploy_tags_by_commit,
    deployment_rows,
    fetch_tags,
    release_rows,
)
from flowgauge.loaders.store import SnapshotWriter, write_snapshot
from flowgauge.rules.code_origin import DEFAULT_CODE_ORIGIN, CodeOriginRules

# progress(repo_id, phase, done, total): phase is 'commits' or 'line age'; total None when unknown.
ProgressFn = Callable[[str, str, int, int | None], None]
BATCH_COMMITS = 5000
PROGRESS_EVERY = 1000

# Merge PRs learn their commits as the log streams past, so their dates and author come after.
_MERGE_PR_DATES_SQL = """
UPDATE pull_requests AS p
SET first_commit_at = f.first_at, created_at = f.first_at, author_id = coalesce(f.author_id, p.author_id)
FROM (
    SELECT pc.pr_id, min(c.authored_at) AS first_at, arg_min(c.author_id, c.authored_at) AS author_id
    FROM pr_commits pc JOIN commits c ON c.repo_id = pc.repo_id AND c.sha = pc.sha
    WHERE pc.repo_id = ?
    GROUP BY pc.pr_id
) AS f
WHERE p.pr_id = f.pr_id AND p.repo_id = ? AND p.merge_method = 'merge'
"""


@dataclass
class GitLoadResult:
    """What one clone's load did."""

    repo_id: str
    commits_read: int = 0
    pull_requests: int = 0
    deployments: int = 0
    line_age_rows: int = 0
    incremental: bool = False
    notes: list[str] = field(default_factory=list)
    pr_styles: dict[str, int] = field(default_factory=dict)  # PRs found per STYLE_LABELS key
    repeated_numbers: int = 0  # first-parent commits naming a PR found newer on the line (kept the newest)
    unrecognised: int = 0  # first-parent commits naming '#N'/'!N' in a form no host writes
    unrecognised_examples: list[str] = field(default_factory=list)

    def pr_summary(self) -> str:
        """'412 merge commits, 96 squash, 69 titled merges; 3 unrecognised ...': how the PRs this load read were
        found, and what named a number without being recognised."""
        found = [f"{self.pr_styles[key]:,} {label}" for key, label in STYLE_LABELS.items() if self.pr_styles.get(key)]
        parts = [", ".join(found) or "no PRs recognised"]
        if self.unrecognised:
            parts.append(
                f"{self.unrecognised:,} unrecognised (first-parent commits naming #N or !N in no known merge form, "
                "not loaded as PRs)"
            )
        if self.repeated_numbers:
            parts.append(f"{self.repeated_numbers:,} repeated (a PR number found again; the newest commit kept)")
        return "; ".join(parts)


def load_git_repos(
    paths: Sequence[str | Path],
    out: str | Path,
    *,
    deploy_tags: str = DEFAULT_DEPLOY_TAGS,
    since: datetime | None = None,
    line_age: bool = True,
    recent_days: int = DEFAULT_RECENT_DAYS,
    progress: ProgressFn | None = None,
    code_origin: CodeOriginRules = DEFAULT_CODE_ORIGIN,
) -> list[GitLoadResult]:
    """Load local clones into the snapshot at out (created if missing); every path is checked first; code_origin
    tells each PR's code origin from its commits."""
    pattern = re.compile(deploy_tags)
    repos = [open_repository(path) for path in paths]
    with write_snapshot(out) as writer:
        return [
            save_git_repo(
                writer,
                repo,
                deploy_pattern=pattern,
                since=since,
                line_age=line_age,
                recent_days=recent_days,
                progress=progress,
                code_origin=code_origin,
            )
            for repo in repos
        ]


def save_git_repo(
    writer: SnapshotWriter,
    repo: GitRepository,
    *,
    deploy_pattern: re.Pattern[str],
    since: datetime | None = None,
    line_age: bool = True,
    recent_days: int = DEFAULT_RECENT_DAYS,
    progress: ProgressFn | None = None,
    code_origin: CodeOriginRules = DEFAULT_CODE_ORIGIN,
) -> GitLoadResult:
    """Write one clone's history into an open snapshot, reading only what earlier runs have not."""
    source_id = f"git:{repo.repo_id}"
    result = GitLoadResult(repo.repo_id)
    tags = fetch_tags(repo)
    deploy_commits = deploy_tags_by_commit(repo.repo_id, tags, deploy_pattern)
    deployments = deployment_rows(repo.repo_id, tags, deploy_pattern)
    last_sha = _cursor(writer, source_id, repo.repo_id, "commits")
    settings = json.dumps({"deploy_tags": deploy_pattern.pattern, "recent_days": recent_days}, sort_keys=True)
    previous = json.loads(_cursor(writer, source_id, repo.repo_id, "settings") or "{}")
    read_after = last_sha
    if previous.get("deploy_tags", deploy_pattern.pattern) != deploy_pattern.pattern:
        # Another deploy pattern: the old tag deployments go, and all history is read to link the new ones.
        _delete_tag_deployments(writer, repo.repo_id)
        read_after = None
    base = _range_start(writer, repo, source_id, read_after, {row["deployment_id"] for row in deployments})
    result.incremental = base is not None
    resolver = IdentityResolver(
        writer.con.execute("SELECT alias_kind, alias, person_id FROM person_aliases WHERE source = 'git'").fetchall()
    )
    walk = HistoryWalk(repo.head_sha, deploy_commits)
    sink = RowSink(writer)
    same_window = previous.get("recent_days", recent_days) == recent_days
    feeds: list[BatchFeed] = []
    try:
        if line_age and (ages := _start_line_age(repo, last_sha if same_window else None, since, recent_days)):
            feeds.append(ages)
        if repo.head_sha is not None and repo.head_sha != base:
            revisions = [repo.head_sha] + ([f"^{base}"] if base else [])
            create_merge_diffs(writer)
            feeds.append(MergeDiffFeed(repo, revisions, since))
            batch = CommitBatch(sink, repo, resolver, code_origin)
            _save_history(sink, batch, revisions, walk, result, since, feeds, progress)
            sink.put([("pr_code_origins", batch.origins.rows())])
        for feed in feeds:
            _drain(sink, feed, feed.rest(), repo, result, progress)
    finally:
        for feed in feeds:
            feed.close()
        sink.close()
    if result.commits_read:
        apply_merge_diffs(writer, repo.repo_id)
        writer.con.execute(_MERGE_PR_DATES_SQL, [repo.repo_id, repo.repo_id])
    writer.upsert("releases", release_rows(repo.repo_id, tags))
    result.deployments = writer.upsert("deployments", deployments)
    writer.upsert("people", [dataclasses.asdict(person) for person in resolver.people.values()])
    writer.upsert(
        "person_aliases",
        [
            {"source": "git", "alias_kind": kind, "alias": alias, "person_id": person_id}
            for (kind, alias), person_id in resolver.aliases.items()
        ],
    )
    writer.upsert("repositories", [repository_row(repo)])
    writer.save_cursor(source_id, repo.repo_id, "commits", repo.head_sha, complete=True)
    writer.save_cursor(source_id, repo.repo_id, "settings", settings, complete=True)
    deploy_base = walk.newest_deploy_sha or _cursor(writer, source_id, repo.repo_id, "deploy_base")
    writer.save_cursor(source_id, repo.repo_id, "deploy_base", deploy_base, complete=True)
    writer.record_source(
        source_id,
        "git",
        str(repo.path),
        {
            "deploy_tags": deploy_pattern.pattern,
            "since": since,
            "line_age": line_age,
            "recent_days": recent_days,
            "commits_read": result.commits_read,
            "incremental": result.incremental,
            "pull_requests_by_style": {STYLE_LABELS[key]: n for key, n in result.pr_styles.items()},
            "pr_numbers_unrecognised": result.unrecognised,
            "unrecognised_examples": result.unrecognised_examples,
            "pr_numbers_repeated": result.repeated_numbers,
            "summary": f"{result.pull_requests:,} PRs in the commits read: {result.pr_summary()}",
        },
    )
    return result


def _save_history(
    sink: RowSink,
    batch: CommitBatch,
    revisions: list[str],
    walk: HistoryWalk,
    result: GitLoadResult,
    since: datetime | None,
    feeds: Sequence[BatchFeed],
    progress: ProgressFn | None,
) -> None:
    """Stream the log through the walk into commit, PR and deployment-link rows, writing the batches
    the parallel feeds have ready on the way."""
    repo = batch.repo
    total = _count(repo, revisions) if progress else None
    report = progress or (lambda *_: None)
    for record in fetch_commits(repo.path, revisions, since):
        placement = walk.place(record)
        batch.add(record, placement.pr_number, placement.deployment_id)
        result.commits_read += 1
        if result.commits_read % PROGRESS_EVERY == 0:
            report(repo.repo_id, "commits", result.commits_read, total)
        if result.commits_read % BATCH_COMMITS == 0:
            result.pull_requests += batch.flush(walk)
            for feed in feeds:
                _drain(sink, feed, feed.ready(), repo, result, None)
    walk.finish()
    result.pull_requests += batch.flush(walk)
    result.pr_styles = dict(walk.styles)
    result.repeated_numbers = walk.repeated
    result.unrecognised, result.unrecognised_examples = walk.unrecognised, walk.unrecognised_examples
    report(repo.repo_id, "commits", result.commits_read, total)


def _drain(
    sink: RowSink,
    feed: BatchFeed,
    tables: Iterable[pa.Table],
    repo: GitRepository,
    result: GitLoadResult,
    progress: ProgressFn | None,
) -> None:
    """Hand a feed's batches to the sink; line-age replay progress is reported while waiting for it."""
    is_line_age = isinstance(feed, LineAgeFeed)
    total = _count(repo, ["--first-parent", repo.head_sha]) if progress and is_line_age else None
    for table in tables:
        sink.put([(feed.table, table)])
        if is_line_age:
            result.line_age_rows += table.num_rows
            if progress:
                progress(repo.repo_id, "line age", feed.done, total)


def _start_line_age(
    repo: GitRepository, last_sha: str | None, since: datetime | None, recent_days: int
) -> LineAgeFeed | None:
    """Start the line-age replay, keeping rows after last_sha; None when there is nothing new."""
    if repo.head_sha is None or last_sha == repo.head_sha:
        return None
    # After a history rewrite the old HEAD is off the line, so every commit's row is rewritten.
    keep = last_sha if last_sha and _on_first_parent_line(repo, last_sha) else None
    return LineAgeFeed(repo, keep, since, recent_days)


def _range_start(
    writer: SnapshotWriter, repo: GitRepository, source_id: str, last_sha: str | None, deployment_ids: set[str]
) -> str | None:
    """Where this run's log starts (exclusive): None reads all history reachable from HEAD."""
    if last_sha is None or repo.head_sha is None or not _is_ancestor(repo, last_sha):
        return None
    known = {
        row[0]
        for row in writer.con.execute(
            "SELECT deployment_id FROM deployments WHERE repo_id = ? AND detection_rule = 'tag'", [repo.repo_id]
        ).fetchall()
    }
    if deployment_ids <= known:
        return last_sha
    # A new deploy tag ships every commit since the previous one, which may predate last_sha.
    deploy_base = _cursor(writer, source_id, repo.repo_id, "deploy_base")
    return deploy_base if deploy_base and _is_ancestor(repo, deploy_base) else None


def _delete_tag_deployments(writer: SnapshotWriter, repo_id: str) -> None:
    stale = "deployment_id IN (SELECT deployment_id FROM deployments WHERE repo_id = ? AND detection_rule = 'tag')"
    for table in ("deployment_commits", "deployment_pull_requests"):
        writer.delete_where(table, stale, [repo_id])
    writer.delete_where("deployments", "repo_id = ? AND detection_rule = 'tag'", [repo_id])


def _cursor(writer: SnapshotWriter, source_id: str, repo_id: str, stream: str) -> str | None:
    state = writer.cursor(source_id, repo_id, stream)
    return state.cursor if state else None


def _on_first_parent_line(repo: GitRepository, sha: str) -> bool:
    """Whether sha is on HEAD's first-parent line (one rev-list, read to the end so git exits cleanly)."""
    if not _is_ancestor(repo, sha):
        return False
    wanted, found = f"{sha}\n".encode("ascii"), False
    with stream_git(repo.path, ["rev-list", "--first-parent", repo.head_sha, "--"]) as stdout:
        for line in stdout:
            found = found or line == wanted
    return found


def _is_ancestor(repo: GitRepository, sha: str) -> bool:
    return run_git(repo.path, ["merge-base", "--is-ancestor", sha, repo.head_sha], check=False).returncode == 0


def _count(repo: GitRepository, revisions: Iterable[str]) -> int | None:
    done = run_git(repo.path, ["rev-list", "--count", *revisions, "--"], check=False)
    return int(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip().isdigit() else None
