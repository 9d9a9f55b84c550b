"""Each PR's code origin (agentic, AI-assisted, unassisted or unknown) from what its loader saw, with the evidence.

Loaders gather one PrTrail per PR (author, labels, description, commit messages and authors) and classify a batch at
once: every pattern of the rules runs in DuckDB's RE2 (the engine that checked it) over the batch's distinct lines in
one query per pattern list, rather than one query per line. The evidence kept is the matched login, label, author or
single line only, never the rest of a message or description.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flowgauge.rules.code_origin import AGENTIC, AI_ASSISTED, UNASSISTED, UNKNOWN, CodeOriginRules
from flowgauge.rules.patterns import any_of, re2_matching

EVIDENCE_CHARS = 200  # a matched line is cut here: evidence names the trail, it does not keep the text
_LINE_CHARS = 1000  # longer lines are no trailer or tool line: never matched (bounds the RE2 work)


@dataclass(frozen=True)
class PrTrail:
    """What a loader saw of one PR that can tell where its code came from."""

    pr_id: str
    author_login: str | None = None
    author_is_bot: bool = False  # the source says the author is a bot account (GitHub actor type Bot, GitLab bot)
    author_identity: str | None = None  # git: 'Name <email>' of the commit the PR's author is read from
    labels: Sequence[str] = ()
    description: str | None = None
    commit_messages: Sequence[str] = ()
    commit_authors: Sequence[str] = ()  # 'Name <email>' of each commit
    seen: bool = False  # the loader saw the PR's commits or description: no trail then means unassisted


@dataclass(frozen=True)
class CodeOrigin:
    """One PR's origin with the evidence for it (evidence_kind names where the evidence was found)."""

    pr_id: str
    origin: str
    evidence_kind: str | None
    evidence: str | None

    def row(self) -> dict[str, str | None]:
        """The pr_code_origins row."""
        return {
            "pr_id": self.pr_id,
            "origin": self.origin,
            "evidence_kind": self.evidence_kind,
            "evidence": self.evidence,
        }


def classify(rules: CodeOriginRules, trails: Iterable[PrTrail]) -> list[CodeOrigin]:
    """The origin of each PR, in order: agentic before AI-assisted, each by its first evidence found."""
    trails = list(trails)
    if not trails:
        return []
    patterns = rules.patterns()
    identities = {t.author_identity for t in trails if t.author_identity} | {
        a for t in trails for a in t.commit_authors
    }
    description_lines = {line for t in trails for line in _lines(t.description)}
    message_lines = {line for t in trails for m in t.commit_messages for line in _lines(m)}
    logins = {t.author_login for t in trails if t.author_login}
    matched = _Matched(
        agent_logins=_matching(patterns["agent_login_patterns"], logins),
        agent_authors=_matching(patterns["agent_authors"], identities),
        agent_lines=_matching(patterns["agent_lines"], description_lines),
        assisted_lines=_matching(patterns["assisted_lines"], description_lines | message_lines),
        assisted_authors=_matching(patterns["assisted_authors"], identities),
    )
    return [_origin(rules, matched, trail) for trail in trails]


@dataclass(frozen=True)
class _Matched:
    agent_logins: set[str]
    agent_authors: set[str]
    agent_lines: set[str]
    assisted_lines: set[str]
    assisted_authors: set[str]


def _origin(rules: CodeOriginRules, matched: _Matched, trail: PrTrail) -> CodeOrigin:
    agentic = _agent_evidence(rules, matched, trail)
    if agentic:
        return CodeOrigin(trail.pr_id, AGENTIC, *agentic)
    assisted = _assisted_evidence(rules, matched, trail)
    if assisted:
        return CodeOrigin(trail.pr_id, AI_ASSISTED, *assisted)
    return CodeOrigin(trail.pr_id, UNASSISTED if trail.seen else UNKNOWN, None, None)


def _agent_evidence(rules: CodeOriginRules, matched: _Matched, trail: PrTrail) -> tuple[str, str] | None:
    login = trail.author_login
    if login:
        base = login.lower().removesuffix("[bot]")
        is_bot = trail.author_is_bot or login.lower().endswith("[bot]")
        if (
            (is_bot and base in rules.agent_bot_names())
            or login.lower() in rules.logins()
            or login in matched.agent_logins
        ):
            return "author login", login
    if trail.author_identity in matched.agent_authors:
        return "author commit", _cut(trail.author_identity)
    line = _first(_lines(trail.description), matched.agent_lines)
    if line:
        return "description line", line
    label = _first(trail.labels, rules.labels(AGENTIC), lower=True)
    return ("label", label) if label else None


def _assisted_evidence(rules: CodeOriginRules, matched: _Matched, trail: PrTrail) -> tuple[str, str] | None:
    for message in trail.commit_messages:
        line = _first(_lines(message), matched.assisted_lines)
        if line:
            return "commit message line", line
    line = _first(_lines(trail.description), matched.assisted_lines)
    if line:
        return "description line", line
    author = _first(trail.commit_authors, matched.assisted_authors)
    if author:
        return "commit author", author
    label = _first(trail.labels, rules.labels(AI_ASSISTED), lower=True)
    return ("label", label) if label else None


def _lines(text: str | None) -> list[str]:
    if not text:
        return []
    return [line.strip() for line in text.replace("\r", "\n").split("\n") if line.strip() and len(line) <= _LINE_CHARS]


def _first(items: Iterable[str], found: set[str] | frozenset[str], lower: bool = False) -> str | None:
    for item in items:
        if (item.lower() if lower else item) in found:
            return _cut(item)
    return None


def _cut(text: str) -> str:
    return text if len(text) <= EVIDENCE_CHARS else text[: EVIDENCE_CHARS - 1] + "…"


def _matching(patterns: Sequence[str], texts: set[str]) -> set[str]:
    return re2_matching(any_of(patterns), texts) if patterns and texts else set()
