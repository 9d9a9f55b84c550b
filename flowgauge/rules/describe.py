"""The rules in force as (rule, value) lines of plain text, for the Data page and the CLI."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flowgauge.rules import defaults

if TYPE_CHECKING:
    from flowgauge.rules.load import Rules


def describe_rules(rules: Rules) -> list[tuple[str, str]]:
    """What each rule is set to, in words, with where the rules came from first."""
    linking, detection = rules.linking, rules.detection.default
    bots = [f"the API's actor type, '[bot]' suffixes and {len(defaults.BUILT_IN_BOT_LOGINS)} built-in logins"]
    if linking.bot_logins:
        bots.append("logins " + ", ".join(repr(login) for login in linking.bot_logins))
    if linking.bot_login_patterns:
        bots.append("logins matching " + ", ".join(repr(p) for p in linking.bot_login_patterns))
    if linking.bot_title_patterns:
        bots.append("PRs titled " + ", ".join(repr(p) for p in linking.bot_title_patterns))
    modes = {
        "failed_deployments": "failed deployments ÷ deployments",
        "incidents": "incidents linked to deployments ÷ deployments",
    }
    own = sorted(rules.detection.repos)
    return [
        ("rules file", rules.source or "none found: the built-in rules"),
        ("production environments", f"those matching {linking.production_env_regex!r} (RE2, as written)"),
        (
            "deployment detection",
            ", then ".join(detection.detect) + (f"; own rules for {', '.join(own)}" if own else ""),
        ),
        ("hotfix and rollback", f"hotfix {detection.hotfix_pattern!r}, rollback {detection.rollback_pattern!r}"),
        ("bots", "; ".join(bots)),
        ("code origin", _code_origin(rules)),
        ("unknown authors", "PRs with no author login (deleted accounts, some apps) are left out with the bots"),
        ("incident window", f"{linking.incident_window_hours} h"),
        ("change failure rate", modes[linking.cfr_mode]),
        (
            "issues linked to a parent",
            "epics need a parent too"
            if linking.epics_need_parent
            else "epics left out (their parents are rarely tracked)",
        ),
        ("effort allocation", rules.allocation.describe()),
    ]


def _code_origin(rules: Rules) -> str:
    origin, patterns = rules.code_origin, rules.code_origin.patterns()
    accounts = [f"{len(origin.agent_bot_names())} built-in agent bots"] if origin.built_in else []
    accounts += [repr(login) for login in origin.agent_logins]
    labels = ", ".join(repr(label) for label in sorted(origin.labels("ai_assisted"))) or "none"
    parts = [
        f"agentic: PRs opened by {', '.join(accounts) or 'no listed account'}, "
        f"{len(patterns['agent_authors'])} agent commit-author and {len(patterns['agent_lines'])} description patterns",
        f"AI-assisted: {len(patterns['assisted_lines'])} trailer/line and {len(patterns['assisted_authors'])} "
        f"commit-author patterns, labels {labels}",
    ]
    return "; ".join(parts) + ("" if origin.built_in else " (built-in lists off)")
