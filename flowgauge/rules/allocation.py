"""Effort-allocation rules: which category of work (new features, improvements, tech debt & maintenance, bugs,
unplanned / incidents) a merged PR or a resolved work item is, tried in order, the first that matches winning.

The rules file's [[allocation.rules]] come first, then the built-in rules below (unless [allocation] defaults =
false), so adding one label of your own needs one rule. docs/rules.md lists the built-in rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# Category ids in the order charts stack them, with the names people read.
CATEGORIES: dict[str, str] = {
    "new_features": "New features",
    "improvements": "Improvements",
    "tech_debt": "Tech debt & maintenance",
    "bugs": "Bugs",
    "unplanned": "Unplanned / incidents",
}
UNCLASSIFIED = "unclassified"
UNCLASSIFIED_NAME = "Unclassified"

ItemKind = Literal["pull_request", "work_item"]
# What each condition reads, and so which items a rule can apply to: a rule applies to an item when every condition
# it sets reads something that kind of item has (a branch rule never applies to a Jira issue).
CONDITION_KINDS: dict[str, frozenset[str]] = {
    "labels": frozenset({"pull_request", "work_item"}),
    "branch": frozenset({"pull_request"}),
    "title": frozenset({"pull_request", "work_item"}),
    "item_types": frozenset({"work_item"}),
    "epic": frozenset({"work_item"}),
    "linked_incident": frozenset({"pull_request", "work_item"}),
    "linked_item": frozenset({"pull_request"}),
}
PATTERN_CONDITIONS = ("labels", "branch", "title", "epic")


@dataclass(frozen=True)
class AllocationRule:
    """One rule: the category it gives and its conditions (all those set must hold). Patterns are RE2, searched."""

    category: str | None  # None only with linked_item: the linked work item's category
    labels: str | None = None  # searched in each label of the PR or work item
    branch: str | None = None  # searched in the PR's head branch
    title: str | None = None  # searched in the PR's title or the work item's summary
    item_types: tuple[str, ...] = ()  # work item types, compared in lower case ('Bug', 'Story')
    epic: str | None = None  # searched in the key and in the name of the work item's epic (its parent or grandparent)
    # A PR shipped by a hotfix or rollback deployment (the rules' hotfix and rollback patterns), or a work item such
    # a PR names: the fix of an incident, unplanned.
    linked_incident: bool = False
    # A PR naming a work item that has a category takes that item's category (the first such key it names).
    linked_item: bool = False

    def conditions(self) -> tuple[str, ...]:
        """The names of the conditions this rule sets."""
        return tuple(name for name in CONDITION_KINDS if getattr(self, name))

    def applies_to(self, kind: ItemKind) -> bool:
        """Whether every condition this rule sets reads something an item of this kind has."""
        return all(kind in CONDITION_KINDS[name] for name in self.conditions())

    def describe(self) -> str:
        """The rule in words: "PR or work item labels matching '(?i)^bug$' → Bugs"."""
        parts = []
        if self.labels:
            parts.append(f"a label matching {self.labels!r}")
        if self.branch:
            parts.append(f"head branch matching {self.branch!r}")
        if self.title:
            parts.append(f"title matching {self.title!r}")
        if self.item_types:
            parts.append("type " + " or ".join(repr(t) for t in self.item_types))
        if self.epic:
            parts.append(f"epic key or name matching {self.epic!r}")
        if self.linked_incident:
            parts.append("shipped by a hotfix or rollback deployment (a work item: named by such a PR)")
        if self.linked_item:
            parts.append("names a work item that has a category")
        whom = " or ".join(
            {"pull_request": "PR", "work_item": "work item"}[kind]
            for kind in ("pull_request", "work_item")
            if self.applies_to(kind)  # type: ignore[arg-type]
        )
        gives = CATEGORIES[self.category] if self.category else "the work item's category"
        return f"{whom}: {' and '.join(parts)} → {gives}"


def _rule(category: str | None, **conditions) -> AllocationRule:
    return AllocationRule(category, **conditions)


# The built-in rules, in the order they are tried (docs/rules.md shows them as TOML). Incidents first (a hotfix is
# unplanned whatever else it is), then the explicit marks people put on their work (labels, branch prefixes), then
# what the work item says (type, epic), then a PR's linked work item, and improvements before features since a story
# titled "Improve ..." is an improvement.
BUILT_IN_RULES: tuple[AllocationRule, ...] = (
    _rule("unplanned", linked_incident=True),
    _rule("unplanned", labels=r"(?i)^(incident|hotfix|outage|unplanned|escalation)$"),
    _rule("unplanned", branch=r"(?i)^hotfix/"),
    _rule("unplanned", item_types=("incident", "problem")),
    _rule("bugs", labels=r"(?i)^(bug|defect|regression)$"),
    _rule("bugs", branch=r"(?i)^(fix|bugfix|bug)/"),
    _rule("bugs", item_types=("bug", "defect")),
    _rule(
        "tech_debt",
        labels=r"(?i)^(tech[- _]?debt|refactor(ing)?|chore|maintenance|dependencies|security|documentation|docs|ci)$",
    ),
    _rule("tech_debt", branch=r"(?i)^(chore|refactor|docs|deps|build|ci|dependabot|renovate)/"),
    _rule("tech_debt", epic=r"(?i)tech[- _]?debt|migrat|upgrade|deprecat|refactor|maintenance"),
    _rule("improvements", labels=r"(?i)^(improvement|enhancement|performance|perf|ux|polish)$"),
    _rule("improvements", branch=r"(?i)^(improve(ment)?|enhancement|perf)/"),
    _rule("new_features", labels=r"(?i)^(feature|new[- _]?feature)$"),
    _rule("new_features", branch=r"(?i)^(feat|feature)/"),
    _rule("tech_debt", item_types=("task", "chore", "technical debt", "tech debt")),
    _rule("improvements", item_types=("improvement", "enhancement")),
    _rule("improvements", item_types=("story",), title=r"(?i)^(improve|speed up|simplify|optimi[sz]e)\b"),
    _rule("new_features", item_types=("story", "feature", "new feature")),
    _rule(None, linked_item=True),
)


@dataclass(frozen=True)
class AllocationRules:
    """The rules in the order they are tried: the file's own first (own of them), then the built-in ones unless the
    file turned them off."""

    own: tuple[AllocationRule, ...] = ()
    use_built_in: bool = True
    built_in: tuple[AllocationRule, ...] = field(default=BUILT_IN_RULES)

    @property
    def rules(self) -> tuple[AllocationRule, ...]:
        """Every rule in the order tried."""
        return self.own + (self.built_in if self.use_built_in else ())

    def describe(self) -> str:
        """Where the rules come from, in words, for the Data page and the report."""
        built_in = f"the {len(self.built_in)} built-in rules" if self.use_built_in else "no built-in rules"
        if not self.own:
            return f"{built_in} (docs/rules.md), first match wins"
        own = f"{len(self.own)} rule{'s' if len(self.own) != 1 else ''} of the rules file"
        return f"{own}, then {built_in}, first match wins"


DEFAULT_ALLOCATION = AllocationRules()
