"""Code-origin rules: how a PR is recognised as opened by a coding agent (agentic) or as carrying an AI tool's trail
(AI-assisted). The built-in lists (defaults.py) hold each tool's documented accounts, trailers and lines; the rules
file's [code_origin] table adds to them, or replaces them with built_in = false."""

from __future__ import annotations

from dataclasses import dataclass

from flowgauge.errors import FlowgaugeError
from flowgauge.rules import defaults
from flowgauge.rules.patterns import pattern_error

# Every PR has one origin; unknown when the loader could not see its commits or description.
AGENTIC, AI_ASSISTED, UNASSISTED, UNKNOWN = "agentic", "ai_assisted", "unassisted", "unknown"
ORIGINS = (AGENTIC, AI_ASSISTED, UNASSISTED, UNKNOWN)
# The origins a selection can be narrowed to (unknown is what a loader could not tell, never a choice).
SELECTABLE_ORIGINS = (AGENTIC, AI_ASSISTED, UNASSISTED)


class BadCodeOriginRule(FlowgaugeError):
    """A code-origin pattern DuckDB's RE2 cannot run."""


@dataclass(frozen=True)
class CodeOriginRules:
    """The patterns loaders classify PRs with; each list adds to the built-in one unless built_in is False."""

    agent_logins: tuple[str, ...] = ()  # accounts agents open PRs from, whatever their actor type (lower case)
    agent_login_patterns: tuple[str, ...] = ()  # RE2 over PR author logins
    agent_authors: tuple[str, ...] = ()  # RE2 over a commit author's 'Name <email>' (git: the PR's author commit)
    agent_lines: tuple[
        str, ...
    ] = ()  # RE2 over single lines of a PR description an agent wrote from a person's account
    agent_labels: tuple[str, ...] = ()  # PR labels meaning an agent made it (compared in lower case)
    assisted_lines: tuple[str, ...] = ()  # RE2 over single lines of commit messages and PR descriptions
    assisted_authors: tuple[str, ...] = ()  # RE2 over a commit author's 'Name <email>' (e.g. Aider's '(aider)')
    assisted_labels: tuple[str, ...] = ()  # PR labels meaning AI-assisted (compared in lower case)
    built_in: bool = True  # False: only the lists above, none of defaults.py's

    def __post_init__(self) -> None:
        for what, patterns in self.patterns().items():
            for pattern in patterns:
                error = pattern_error(pattern)
                if error:
                    raise BadCodeOriginRule(f"code_origin {what} {pattern!r}: {error}")

    def patterns(self) -> dict[str, tuple[str, ...]]:
        """Each RE2 pattern list in force, built-in ones first (the rules file's keys name them)."""
        own = {
            "agent_login_patterns": self.agent_login_patterns,
            "agent_authors": self.agent_authors,
            "agent_lines": self.agent_lines,
            "assisted_lines": self.assisted_lines,
            "assisted_authors": self.assisted_authors,
        }
        if not self.built_in:
            return own
        built = {
            "agent_login_patterns": (),
            "agent_authors": defaults.AGENT_AUTHORS,
            "agent_lines": defaults.AGENT_LINES,
            "assisted_lines": defaults.ASSISTED_LINES,
            "assisted_authors": defaults.ASSISTED_AUTHORS,
        }
        return {key: (*built[key], *own[key]) for key in own}

    def agent_bot_names(self) -> frozenset[str]:
        """Bot accounts (actor type Bot or a '[bot]' login) that are agents, by login without '[bot]', lower case."""
        return frozenset(defaults.AGENT_BOT_NAMES if self.built_in else ())

    def logins(self) -> frozenset[str]:
        """Accounts that are agents whatever their actor type, lower case."""
        return frozenset(login.lower() for login in self.agent_logins)

    def labels(self, origin: str) -> frozenset[str]:
        """Labels meaning origin (agentic or ai_assisted), lower case."""
        own = self.agent_labels if origin == AGENTIC else self.assisted_labels
        built = (defaults.AGENT_LABELS if origin == AGENTIC else defaults.ASSISTED_LABELS) if self.built_in else ()
        return frozenset(label.lower() for label in (*built, *own))


DEFAULT_CODE_ORIGIN = CodeOriginRules()
