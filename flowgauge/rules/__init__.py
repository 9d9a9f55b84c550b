"""The rules file: one TOML file holding every rule from load to metric (deployment detection per repository,
production environments, bots, the incident window, the change-failure mode, hotfix and rollback patterns).

Loaders read Rules.detection, the metrics Rules.linking; both come from the same file (docs/rules.md)."""

from flowgauge.rules.describe import describe_rules
from flowgauge.rules.detection import DetectionConfig, DetectionRules
from flowgauge.rules.linking import DEFAULT_RULES, BadLinkingRule, LinkingRules
from flowgauge.rules.load import DEFAULTS, BadRules, Rules, find_rules_file, load_rules, rules_from_text

__all__ = [
    "DEFAULTS",
    "DEFAULT_RULES",
    "BadLinkingRule",
    "BadRules",
    "DetectionConfig",
    "DetectionRules",
    "LinkingRules",
    "Rules",
    "describe_rules",
    "find_rules_file",
    "load_rules",
    "rules_from_text",
]
