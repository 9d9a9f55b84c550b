"""Recognising pull/merge requests and work-item keys in commit messages and branch names.

The messages each host writes when it merges a PR or MR (English; hosts never translate them):

  * GitHub merge commit:     'Merge pull request #N from owner/branch', the PR title on the next line.
  * GitHub PR-title message: 'Title (#N)', on a squash commit (one parent), a rebase run of commits (one parent
                             each), or a merge commit (two parents: the 'merge commit, PR title' option).
  * GitLab:                  'See merge request group/project!N' in the body (the default merge and squash
                             templates), or 'Merge branch 'x' into 'y'' with a '!N' reference anywhere in it.
  * Bitbucket Cloud:         'Merged in branch (pull request #N)'; Bitbucket Server/Data Center:
                             'Merge pull request #N in PROJ/repo from branch to main'.
  * Azure DevOps:            'Merged PR N: Title'.

A message names the PR; the commit's parents say how it was merged (two: a merge, one: a squash or rebase).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_GITHUB_MERGE = re.compile(r"^Merge pull request #(\d+) from (\S+)")
_BITBUCKET_SERVER = re.compile(r"^Merge pull request #(\d+) in \S+ from (\S+) to \S+")
_BITBUCKET_CLOUD = re.compile(r"^Merged in (\S+) \(pull request #(\d+)\)")
_AZURE_DEVOPS = re.compile(r"^Merged PR (\d+): ?(.*)$")
_GITLAB_REFERENCE = re.compile(r"^See merge request (\S+)!(\d+)\s*$", re.MULTILINE)
_GITLAB_MERGE = re.compile(r"^Merge branch '(.+?)' into '(.+?)'")
# An MR reference ('!12', 'group/project!12'), not the second mark of '!!12'.
_GITLAB_BANG = re.compile(r"(?<!!)!(\d+)\b")
# GitHub's PR-title message: 'Subject (#123)'. A revert ('Revert "Subject (#123)"') does not match.
_TITLE_NUMBER = re.compile(r"\(#(\d+)\)\s*$")
# A PR or MR number in a form none of the above recognises ('Fix #12', 'Revert "X (#12)"', 'Backport !7').
_ANY_REFERENCE = re.compile(r"#\d+\b|(?<![!\w])!\d+\b")
_ISSUE_KEY = re.compile(r"\b([A-Z][A-Z0-9]+-[1-9]\d*)\b")
# Standards and encodings that look like keys but never name a work item.
NOT_ISSUE_PROJECTS = frozenset({"UTF", "ISO", "SHA", "RFC", "CVE", "HTTP", "TLS", "SSL", "MD", "PEP", "ES", "X"})

# The message forms, as merge_request_ref names them.
GITHUB_MERGE, PR_TITLE, GITLAB, BITBUCKET, AZURE_DEVOPS = "github_merge", "pr_title", "gitlab", "bitbucket", "azure"


@dataclass(frozen=True)
class MergeRequestRef:
    """A PR/MR a commit message names: its number, the message form, the branch it came from and its title."""

    number: int
    form: str  # GITHUB_MERGE, PR_TITLE, GITLAB, BITBUCKET or AZURE_DEVOPS
    head_branch: str | None
    title: str | None


def merge_request_ref(message: str) -> MergeRequestRef | None:
    """The PR a merge, squash or rebased commit's message names, in any host's form (module docstring), else None."""
    text = message.replace("\r", "")
    lines = text.split("\n")
    subject = lines[0]
    if found := _GITHUB_MERGE.match(subject):
        # The source is 'owner/branch'; branches may themselves contain slashes.
        source = found[2]
        branch = source.split("/", 1)[1] if "/" in source else source
        return MergeRequestRef(int(found[1]), GITHUB_MERGE, branch, _body_title(lines))
    if found := _BITBUCKET_SERVER.match(subject):
        return MergeRequestRef(int(found[1]), BITBUCKET, found[2], _body_title(lines))
    if found := _BITBUCKET_CLOUD.match(subject):
        return MergeRequestRef(int(found[2]), BITBUCKET, found[1], _body_title(lines))
    if found := _AZURE_DEVOPS.match(subject):
        return MergeRequestRef(int(found[1]), AZURE_DEVOPS, None, found[2].strip() or _body_title(lines))
    branch = _GITLAB_MERGE.match(subject)
    if found := _GITLAB_REFERENCE.search(text):
        title = _body_title(lines) if branch else subject
        return MergeRequestRef(int(found[2]), GITLAB, branch[1] if branch else None, title)
    if branch and (found := _GITLAB_BANG.search(text)):
        return MergeRequestRef(int(found[1]), GITLAB, branch[1], _body_title(lines))
    if found := _TITLE_NUMBER.search(subject):
        return MergeRequestRef(int(found[1]), PR_TITLE, None, _TITLE_NUMBER.sub("", subject).rstrip())
    return None


def names_a_number(subject: str) -> bool:
    """Whether a subject mentions a PR or MR number ('#12', '!12') in any form (recognised or not)."""
    return _ANY_REFERENCE.search(subject) is not None


def issue_keys(branch: str | None, *texts: str | None) -> list[str]:
    """Work-item keys ('PAY-12', upper case as Jira writes them) in a branch name and texts, deduplicated in order.

    Lower-case look-alikes ('fix-2' in a branch) are not keys: too many branch names contain them.
    """
    found = [key for text in (branch, *texts) if text for key in _ISSUE_KEY.findall(text.replace("_", " "))]
    return [key for key in dict.fromkeys(found) if key.split("-", 1)[0] not in NOT_ISSUE_PROJECTS]


def _body_title(lines: list[str]) -> str | None:
    """First non-empty line after the subject, which GitHub, GitLab and Bitbucket fill with the PR title."""
    for line in lines[1:]:
        text = line.strip()
        if text and not text.startswith("See merge request"):
            return text
    return None
