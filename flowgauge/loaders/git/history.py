"""Placing each commit of a topo-ordered log: first-parent line, owning merge, PR, deployment.

Fed children before parents (git log --topo-order), the walk keeps only a frontier (the next
first-parent sha, and the side-branch shas still expected with the merge that brought them), so
its memory does not grow with the length of history.

A side commit belongs to the oldest first-parent merge whose second parent reaches it: that is the
merge that brought it into the branch (commits reachable from the merge's second parent but not its
first). PRs are recognised from the message of a first-parent commit, in any host's form (pr_detection.py):
a merge commit (two parents) is a merge PR whose commits are those its second parent brought in; a single-parent
commit is a squash PR, and a run of consecutive single-parent commits naming one number is a rebase PR. A number
already found (newer on the line) is not found again: the newest commit naming a PR is its merge. First-parent
commits that name a number in a form no host writes are counted, not guessed at.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from flowgauge.loaders.git.log_reader import CommitRecord
from flowgauge.loaders.git.pr_detection import (
    GITHUB_MERGE,
    PR_TITLE,
    MergeRequestRef,
    issue_keys,
    merge_request_ref,
    names_a_number,
)

# How each recognised PR came into the branch, as the load summary names them.
STYLE_LABELS = {
    "merge": "merge commits",
    "titled_merge": "titled merges",
    "squash": "squash",
    "rebase": "rebase",
    "gitlab": "GitLab merge requests",
    "bitbucket": "Bitbucket pull requests",
    "azure": "Azure DevOps pull requests",
}
UNRECOGNISED_EXAMPLES = 5


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
        self._run_ref: MergeRequestRef | None = None
        self._run_deployment: str | None = None
        self._seen_numbers: set[int] = set()
        self.pull_requests: list[PullRequestDraft] = []
        self.newest_deploy_sha: str | None = None
        self.styles: Counter[str] = Counter()  # PRs found per STYLE_LABELS key
        self.repeated = 0  # first-parent commits naming a PR already found newer on the line
        self.unrecognised = 0  # first-parent commits naming '#N'/'!N' in no form a host writes
        self.unrecognised_examples: list[str] = []  # the newest few, as 'short sha: subject'

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
        ref = merge_request_ref(commit.message)
        single = len(commit.parents) < 2
        number = ref.number if ref is not None and single else None
        if self._run_ref is None or number != self._run_ref.number:
            self._close_run()
        if number is not None and number not in self._seen_numbers:
            self._run.append(commit)
            self._run_ref = self._run_ref or ref
            self._run_deployment = self._run_deployment or self._deployment
            return Placement(True, number, self._deployment)
        if ref is None and names_a_number(commit.subject):
            self.unrecognised += 1
            if len(self.unrecognised_examples) < UNRECOGNISED_EXAMPLES:
                self.unrecognised_examples.append(f"{commit.sha[:10]}: {commit.subject[:120]}")
        elif ref is not None and ref.number in self._seen_numbers:
            self.repeated += 1
        if not single:
            # The merge commit itself is not one of the PR's commits; the side commits it brings in are.
            owner = Owner(commit.sha, self._depth, self._merge(commit, ref), self._deployment)
            for parent in commit.parents[1:]:
                self._claim(parent, owner)
        return Placement(True, None, self._deployment)

    def _merge(self, commit: CommitRecord, ref: MergeRequestRef | None) -> int | None:
        if ref is None or ref.number in self._seen_numbers:
            return None
        self._seen_numbers.add(ref.number)
        style = {GITHUB_MERGE: "merge", PR_TITLE: "titled_merge"}.get(ref.form, ref.form)
        self.styles[style] += 1
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
        run, ref = self._run, self._run_ref
        self._run, self._run_ref = [], None
        deployment, self._run_deployment = self._run_deployment, None
        if not run or ref is None:
            return
        self._seen_numbers.add(ref.number)
        newest, oldest = run[0], run[-1]
        method = "squash" if len(run) == 1 else "rebase"
        style = method if ref.form in (GITHUB_MERGE, PR_TITLE) else ref.form
        self.styles[style] += 1
        self.pull_requests.append(
            PullRequestDraft(
                number=ref.number,
                title=ref.title,
                head_branch=ref.head_branch,
                merge_method=method,
                merge_sha=newest.sha,
                merged_at=newest.committed_at,
                first_commit_at=min(c.authored_at for c in run),
                author=oldest,
                lines_added=sum(c.lines_added for c in run),
                lines_deleted=sum(c.lines_deleted for c in run),
                files_changed=sum(c.files_changed for c in run),
                issue_keys=issue_keys(ref.head_branch, *(c.message for c in run)),
                deployment_id=deployment,
            )
        )

    def _claim(self, sha: str, owner: Owner) -> None:
        current = self._pending.get(sha)
        if current is None or current.depth < owner.depth:
            self._pending[sha] = owner
