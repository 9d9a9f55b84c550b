"""The rules in force when no rules file says otherwise: one place for every default the rules file can change."""

from __future__ import annotations

# Environments that count as production: at load time (which API deployments are kept) and in the metrics (which
# deployments are DORA's). Matched by DuckDB's RE2 as a search, as written (hence the (?i)).
PRODUCTION = r"(?i)^(prod|production|live)([-_ ].*)?$"

# Deployment detection, tried in order per repository; the first rule that finds any deployment is used.
DETECT = ("deployments_api", "release", "workflow_run", "tag", "merged_to_branch")
DETECTION_RULES = ("deployments_api", "release", "tag", "workflow_run", "merged_to_branch")
INCIDENT_LABELS = ("incident",)

# A deployment's kind, from its ref, description, workflow name or PR title (rollback is tested first).
HOTFIX_PATTERN = r"(?i)hotfix"
ROLLBACK_PATTERN = r"(?i)rollback|revert"

# Incident -> latest earlier deployment, and deployment -> hotfix or rollback, within this many hours.
INCIDENT_WINDOW_HOURS = 48

CHANGE_FAILURE_MODES = ("failed_deployments", "incidents")
CHANGE_FAILURE_MODE = "failed_deployments"

# Work-item hygiene: epics count in "issues linked to a parent" only when this is true.
EPICS_NEED_PARENT = False

# Automation accounts that act under plain logins, without GitHub's '[bot]' suffix (compared in lower case).
BUILT_IN_BOT_LOGINS = (
    "dependabot",
    "dependabot-preview",
    "renovate",
    "renovate-bot",
    "github-actions",
    "greenkeeper",
    "snyk-bot",
    "semantic-release-bot",
    "pre-commit-ci",
    "mergify",
    "gitlab-bot",
    "allcontributors",
)

# File names looked for, in order, in the working directory and then in the data folder.
RULES_FILE_NAME = "flowgauge.rules.toml"
ORGANISATION_FILE_NAME = "flowgauge.toml"  # its [rules] table, when it has one
RULES_ENV = "FLOWGAUGE_RULES"
