"""Recognising pull/merge requests and work-item keys in commit messages and branch names."""

from __future__ import annotations

import re
from dataclasses import dataclass

_GITHUB_MERGE = re.compile(r"^Merge pull request #(\d+) from (\S+)")
_GITLAB_REFERENCE = re.compile(r"^See merge request (\S+)!(\d+)\s*$", re.MULTILINE)
_GITLAB_MERGE = re.compile(r"^Merge branch '(.+?)' into '(.+?)'")
# GitHub's squash default: 'Subject (#123)'. A revert ('Revert "Subject (#123)"') does not match.
_SQUASH = re.compile(r"\(#(\d+)\)\s*$")
_ISSUE_KEY = re.compile(r"\b([A-Z][A-Z0-9]+-[1-9]\d*)\b")
# Standards and encodings that look like keys but never name a work item.
NOT_ISSUE_PROJECTS = frozenset({"UTF", "ISO", "SHA", "RFC", "CVE", "HTTP", "TLS", "SSL", "MD", "PEP", "ES", "X"})


@dataclass(frozen=True)
class MergeRequestRef:
    """A PR/MR named by a merge commit: its number, the branch it came from and its title, if given."""

    number: int
    head_branch: str | None
    title: str | None


def merge_request_ref(message: str) -> MergeRequestRef | None:
    """The PR a merge commit message names (GitHub 'Merge pull request #N from owner/branch', GitLab
    'See merge request group/project!N'), else None."""
    lines = message.replace("\r", "").split("\n")
    github = _GITHUB_MERGE.match(lines[0])
    if github:
        # The source is 'owner/branch'; branches may themselves contain slashes.
        source = github[2]
        branch = source.split("/", 1)[1] if "/" in source else source
        return MergeRequestRef(int(github[1]), branch, _body_title(lines))
    gitlab = _GITLAB_REFERENCE.search(message.replace("\r", ""))
    if gitlab:
        branch = _GITLAB_MERGE.match(lines[0])
        return MergeRequestRef(int(gitlab[2]), branch[1] if branch else None, _body_title(lines))
    return None


def squash_number(subject: str) -> int | None:
    """The PR number at the end of a squash- or rebase-merged commit subject ('Fix login (#42)'), else None."""
    found = _SQUASH.search(subject)
    return int(found[1]) if found else None


def squash_title(subject: str) -> str:
    """The subject without its trailing '(#N)'."""
    return _SQUASH.sub("", subject).rstrip()


def issue_keys(branch: str | None, *texts: str | None) -> list[str]:
    """Work-item keys ('PAY-12', upper case as Jira writes them) in a branch name and texts, deduplicated in order.

    Lower-case look-alikes ('fix-2' in a branch) are not keys: too many branch names contain them.
    """
    found = [key for text in (branch, *texts) if text for key in _ISSUE_KEY.findall(text.replace("_", " "))]
    return [key for key in dict.fromkeys(found) if key.split("-", 1)[0] not in NOT_ISSUE_PROJECTS]


def _body_title(lines: list[str]) -> str | None:
    """First non-empty line after the subject, which GitHub and GitLab fill with the PR title."""
    for line in lines[1:]:
        text = line.strip()
        if text and not text.startswith("See merge request"):
            return text
    return None
