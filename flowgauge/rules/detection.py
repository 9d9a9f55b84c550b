"""Deployment detection per repository: which sources stand for deployments, and how a deployment's kind is read."""

from __future__ import annotations

from dataclasses import dataclass, field

from flowgauge.rules import defaults
from flowgauge.rules.patterns import re2_search


@dataclass(frozen=True)
class DetectionRules:
    """How deployments are recognised in one repository; the first rule in detect that finds any wins."""

    detect: tuple[str, ...] = defaults.DETECT
    environment: str = defaults.PRODUCTION  # the production rule ([deployments] production), the same in every repo
    tag: str | None = None
    workflow: str | None = None
    production_branch: str | None = None
    include_prereleases: bool = False
    incident_labels: tuple[str, ...] = defaults.INCIDENT_LABELS
    hotfix_pattern: str = defaults.HOTFIX_PATTERN
    rollback_pattern: str = defaults.ROLLBACK_PATTERN

    def is_production(self, environment: str | None) -> bool:
        """Whether environment is production under the rule the metrics apply (RE2, as regexp_matches runs it)."""
        return re2_search(self.environment, environment or "")

    def kind_of(self, text: str | None) -> str:
        """'rollback', 'hotfix' or 'regular' for a deployment described by text (ref, description, title)."""
        if not text:
            return "regular"
        if re2_search(self.rollback_pattern, text):
            return "rollback"
        return "hotfix" if re2_search(self.hotfix_pattern, text) else "regular"


DEFAULT_DETECTION = DetectionRules()


@dataclass(frozen=True)
class DetectionConfig:
    """Rules for every repository: defaults, overridden per 'owner/name' (lower case)."""

    default: DetectionRules = field(default_factory=DetectionRules)
    repos: dict[str, DetectionRules] = field(default_factory=dict)

    def for_repo(self, repo_id: str) -> DetectionRules:
        """The rules that apply to repo_id (case-insensitive match)."""
        return self.repos.get(repo_id.lower(), self.default)
