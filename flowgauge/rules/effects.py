"""What the rules in force leave out of a snapshot, in words: never silent, on the Data page and after a load."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

import duckdb

from flowgauge.rules.linking import LinkingRules


@cache
def _sql() -> str:
    return resources.files("flowgauge.rules").joinpath("sql", "rule_effects.sql").read_text(encoding="utf-8")


def rule_effects(con: duckdb.DuckDBPyConnection, rules: LinkingRules) -> list[str]:
    """One line per thing the rules leave out of the metrics of the snapshot con reads (stored items only)."""
    params = rules.params()
    rows = con.execute(
        _sql(), {"prod_regex": params["prod_regex"], "bot_title_regex": params["bot_title_regex"]}
    ).fetchall()
    lines = []
    for kind, subject, items in rows:
        if kind == "environment":
            lines.append(
                f"{_count(items, 'deployment')} in environment {subject!r} not production under the rule "
                f"{rules.production_env_regex!r}"
            )
        elif kind == "unknown_author":
            lines.append(
                f"{_count(items, 'PR')} with no known author (no login or a deleted account): left out with the bots"
            )
        elif kind == "bot_commits":
            lines.append(f"{_count(items, 'commit')} by bot accounts (not coding agents): left out with the bots")
        elif kind == "agent_prs":
            lines.append(
                f"not left out: {_count(items, 'PR')} by coding agents ({subject}) count as their work, never as a "
                "developer's"
            )
        elif kind == "agent_commits":
            lines.append(f"not left out: {_count(items, 'commit')} by coding agents count in rework and refactor rate")
        else:
            patterns = ", ".join(repr(p) for p in rules.bot_title_patterns)
            lines.append(f"{_count(items, 'PR')} titled like a bot's ({patterns}): left out with the bots")
    return lines


def counted(n: int, what: str) -> str:
    """'3 deployments in ...', '1 deployment in ...': what starts with its noun in the plural."""
    noun, _, rest = what.partition(" ")
    return f"{n:,} {noun[:-1] if n == 1 and noun.endswith('s') else noun} {rest}"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def recorded_drops(con: duckdb.DuckDBPyConnection) -> list[str]:
    """What loads left out by rule before storing (e.g. deployments outside production), as their sources recorded."""
    lines = []
    for source_id, detail in con.execute("SELECT source_id, detail FROM sources ORDER BY source_id").fetchall():
        dropped = (json.loads(detail) if detail else {}).get("dropped") or {}
        lines += [f"{source_id}: {counted(n, what)} (not loaded)" for what, n in sorted(dropped.items())]
    return lines
