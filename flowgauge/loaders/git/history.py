"""Placing each commit of a topo-ordered log: first-parent line, owning merge, PR, deployment.

Fed children before parents (git log --topo-order), the walk keeps only a frontier (the next
first-parent sha, and the side-branch shas still expected with the merge that brought them), so
its memory does not grow with the length of history.

A side commit belongs to the oldest first-parent merge whose second parent reaches it: that is the
merge that brought it into the branch (commits reachable from the merge's second parent but not its
first). PRs are recognised from merge commits (merge), a single first-parent commit 'Subject (#N)'
(squash), or a run of consecutive first-parent commits all ending '(#N)' (rebase).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flowgauge.loaders.git.log_reader import CommitRecord
from flowgauge.loaders.git.pr_detection import issue_keys, merge_request_ref, squash_number, squash_title


@dataclass(slots=True)
class Owner:
    """A first-parent merge, as the owner of the side commits it brought in."""

    merge_sha: str
    depth: int  # position on the first-parent line; larger is older
    pr_number: int | None
    deployment_id: str | None


@dataclass(slots=True)
class Placement:
    """Where one commit sits: on the first-parent line or brought in by a merge; its deployment."""

    on_first_parent: bool
    pr_number: int | None
    deployment_id: str | None


@dataclass(slots=True)
class PullRequestDraft:
    """A PR found in history; first_commit_at is None for merges until the loader derives it from pr_commits."""

    number: int
    title: str | None
    head_branch: str | None
    merge_method: str
    merge_sha: str
    merged_at: datetime
    first_commit_at: datetime | None
    author: CommitRecord
    lines_added: int
    lines_deleted: int
    files_changed: int
    issue_keys: list[str]
    deployment_id: str | None


class HistoryWalk:
    """Consumes commits newest-first in topo order and places them; PRs accumulate in .pull_requests.

    Placement.pr_number names the PR a commit was carried by (side commits of a PR merge, and the
    commits of a squash/rebase run), so the caller writes pr_commits as the log streams past.
    """

    def __init__(self, head_sha: str | None, deploy_commits: dict[str, str]) -> None:
        self._expected = head_sha
        self._depth = 0
        self._pending: dict[str, Owner] = {}
        self._deploy_commits = deploy_commits
        self._deployment: str | None = None
        self._run: list[CommitRecord] = []
        self._run_number: int | None = None
        self._run_deployment: str | None = None
        self._seen_numbers: set[int] = set()
        self.pull_requests: list[PullRequestDraft] = []
        self.newest_deploy_sha: str | None = None

    def place(self, commit: CommitRecord) -> Placement:
        """Place the next commit of the log."""
        if commit.sha == self._expected:
            return self._first_parent(commit)
        owner = self._pending.pop(commit.sha, None)
        if owner is None:
            return Placement(False, None, None)
        for parent in commit.parents:
            self._claim(parent, owner)
        return Placement(False, owner.pr_number, owner.deployment_id)

    @property
    def next_first_parent(self) -> str | None:
        """The first-parent sha the walk expects next (after the last commit: where a range stopped)."""
        return self._expected

    def finish(self) -> None:
        """Close the last rebase/squash run; call after the last commit."""
        self._close_run()

    def _first_parent(self, commit: CommitRecord) -> Placement:
        self._pending.pop(commit.sha, None)
        self._expected = commit.parents[0] if commit.parents else None
        self._depth += 1
        deployment = self._deploy_commits.get(commit.sha)
        if deployment is not None:
            self._deployment = deployment
            self.newest_deploy_sha = self.newest_deploy_sha or commit.sha
        number = squash_number(commit.subject) if len(commit.parents) < 2 else None
        if number != self._run_number or number is None:
            self._close_run()
        if number is not None and number not in self._seen_numbers:
            self._run.append(commit)
            self._run_number = number
            self._run_deployment = self._run_deployment or self._deployment
            return Placement(True, number, self._deployment)
        if len(commit.parents) > 1:
            # The merge commit itself is not one of the PR's commits; the side commits it brings in are.
            owner = Owner(commit.sha, self._depth, self._merge(commit), self._deployment)
            for parent in commit.parents[1:]:
                self._claim(parent, owner)
        return Placement(True, None, self._deployment)

    def _merge(self, commit: CommitRecord) -> int | None:
        ref = merge_request_ref(commit.message)
        if ref is None or ref.number in self._seen_numbers:
            return None
        self._seen_numbers.add(ref.number)
        draft = PullRequestDraft(
            number=ref.number,
            title=ref.title,
            head_branch=ref.head_branch,
            merge_method="merge",
            merge_sha=commit.sha,
            merged_at=commit.committed_at,
            first_commit_at=None,
            author=commit,
            lines_added=commit.lines_added,
            lines_deleted=commit.lines_deleted,
            files_changed=commit.files_changed,
            issue_keys=issue_keys(ref.head_branch, ref.title, commit.message),
            deployment_id=self._deployment,
        )
        self.pull_requests.append(draft)
        return ref.number

    def _close_run(self) -> None:
        run, number = self._run, self._run_number
        self._run, self._run_number = [], None
        deployment, self._run_deployment = self._run_deployment, None
        if not run or number is None:
            return
        self._seen_numbers.add(number)
        newest, oldest = run[0], run[-1]
        self.pull_requests.append(
            PullRequestDraft(
                number=number,
                title=squash_title(newest.subject),
                head_branch=None,
                merge_method="squash" if len(run) == 1 else "rebase",
                merge_sha=newest.sha,
                merged_at=newest.committed_at,
                first_commit_at=min(c.authored_at for c in run),
                author=oldest,
                lines_added=sum(c.lines_added for c in run),
                lines_deleted=sum(c.lines_deleted for c in run),
                files_changed=sum(c.files_changed for c in run),
                issue_keys=issue_keys(None, *(c.message for c in run)),
                deployment_id=deployment,
            )
        )

    def _claim(self, sha: str, owner: Owner) -> None:
        current = self._pending.get(sha)
        if current is None or current.depth < owner.depth:
            self._pending[sha] = owner
