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

# Code origin (flowgauge/rules/code_origin.py): each AI tool's documented accounts and trails. Names change: the rules
# file's [code_origin] table adds to these lists (or replaces them with built_in = false); docs/rules.md lists them.
# Bot accounts that open PRs as coding agents, by login without '[bot]' (GraphQL drops the suffix, REST keeps it),
# counted only when the account is a bot, so a person whose login is 'copilot' or 'claude' stays a person.
AGENT_BOT_NAMES = (
    "copilot",  # GitHub Copilot coding agent (GraphQL actor 'Copilot' of type Bot)
    "copilot-swe-agent",  # the same agent's app login
    "devin-ai-integration",  # Devin
    "claude",  # Claude (the Claude GitHub app)
    "chatgpt-codex-connector",  # OpenAI Codex
    "codex",
    "cursor",  # Cursor background agents
    "google-labs-jules",  # Jules
    "amazon-q-developer",  # Amazon Q Developer
)
# A commit author ('Name <email>') that is an agent: the git loader's only sign of an agent's PR.
AGENT_AUTHORS = (
    r"(?i)<\d+\+copilot@users\.noreply\.github\.com>",  # Copilot coding agent: 'Copilot <198982749+Copilot@...>'
    r"(?i)<\d+\+(copilot-swe-agent|devin-ai-integration|google-labs-jules|amazon-q-developer|claude|"
    r"chatgpt-codex-connector|cursor)\[bot\]@users\.noreply\.github\.com>",
    r"(?i)^cursor agent <cursoragent@cursor\.com>$",
)
# A line of a PR description written by an agent that opens PRs from a person's account (Codex and Cursor link their
# task); one line, matched as a search.
AGENT_LINES = (
    r"(?i)https://chatgpt\.com/codex/tasks/",
    r"(?i)https://cursor\.com/(agents/bc-|background-agent\?bcId=)",
)
AGENT_LABELS: tuple[str, ...] = ()
# A line of a commit message or PR description that is an AI tool's trail on a person's work.
ASSISTED_LINES = (
    # Co-authored-by trailers naming a tool's address: Claude Code 'Claude <noreply@anthropic.com>', Copilot
    # '<175728472+Copilot@users.noreply.github.com>', Cursor 'Cursor Agent <cursoragent@cursor.com>', Aider
    # '<noreply@aider.chat>', or an agent app's bot address.
    r"(?i)^\s*co-authored-by:.*<[^>]*(noreply@anthropic\.com|\+copilot@users\.noreply\.github\.com|"
    r"cursoragent@cursor\.com|noreply@aider\.chat|(copilot-swe-agent|devin-ai-integration|google-labs-jules|"
    r"amazon-q-developer|chatgpt-codex-connector|claude|cursor)\[bot\]@users\.noreply\.github\.com)[^>]*>",
    # 'Generated with [Claude Code](...)', 'Made with [Cursor](https://cursor.com)'.
    r"(?i)(generated|made|created) (with|by|using) \[?(claude code|cursor|github copilot|copilot|codex|aider|"
    r"gemini|jules|amazon q|devin|windsurf)\b",
    # Tool trailers: 'Generated-by: Claude Code (...)', 'Assisted-by: ...', 'Made-with: Cursor'.
    r"(?i)^\s*(generated-by|assisted-by|ai-assisted-by|made-with):\s*\S",
)
# Commit authors that carry the tool in their name: Aider appends ' (aider)' to the author or committer.
ASSISTED_AUTHORS = (r"(?i)\(aider\) <",)
ASSISTED_LABELS = ("ai-assisted",)
