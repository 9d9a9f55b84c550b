"""Each merged PR and resolved work item's category under the allocation rules, in one statement over a snapshot.

The rules are user values, so the statement is written from them with every pattern and list bound as a parameter
($r3_labels), never written into the SQL text; the statement's shape (which condition, in which order) comes from
this module alone.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import duckdb

from flowgauge.metrics.filters import Filters
from flowgauge.metrics.runner import parameters_of
from flowgauge.rules import DEFAULTS, Rules
from flowgauge.rules.allocation import UNCLASSIFIED, AllocationRule, AllocationRules, ItemKind

CLASSIFIED_TABLE = "fg_allocation"  # the connection-local table classify() writes; its name is fixed here

# Why a counted item has no category: the source gave the rules nothing to read, or nothing matched.
NOTHING_TO_READ = {
    "pull_request": "PRs whose source gives no labels, head branch or linked work item",
    "work_item": "work items whose source gives no type, labels or epic",
}
NO_RULE_MATCHED = {
    "pull_request": "PRs no rule matched (labels, branch, title or linked work item)",
    "work_item": "work items no rule matched (type, labels, summary or epic)",
}


@cache
def _items_sql() -> str:
    return resources.files("flowgauge.allocation").joinpath("sql", "allocation_items.sql").read_text(encoding="utf-8")


def _condition(rule: AllocationRule, number: int, params: dict[str, Any]) -> str:
    """The SQL test of one rule over a row of allocation_items.sql, its values bound in params."""
    tests = []
    if rule.labels:
        params[f"r{number}_labels"] = rule.labels
        tests.append(
            f"coalesce(list_bool_or(list_transform(labels, lambda l: regexp_matches(l, $r{number}_labels))), false)"
        )
    if rule.branch:
        params[f"r{number}_branch"] = rule.branch
        tests.append(f"coalesce(regexp_matches(branch, $r{number}_branch), false)")
    if rule.title:
        params[f"r{number}_title"] = rule.title
        tests.append(f"coalesce(regexp_matches(title, $r{number}_title), false)")
    if rule.item_types:
        params[f"r{number}_types"] = [t.lower() for t in rule.item_types]
        tests.append(f"coalesce(list_contains($r{number}_types::VARCHAR[], lower(item_type)), false)")
    if rule.epic:
        params[f"r{number}_epic"] = rule.epic
        tests.append(
            f"coalesce(regexp_matches(epic_key, $r{number}_epic) OR regexp_matches(epic_name, $r{number}_epic), false)"
        )
    if rule.linked_incident:
        tests.append("incident_fix")
    if rule.linked_item:
        tests.append("linked_category IS NOT NULL")
    return " AND ".join(tests)


def _rule_number_case(rules: tuple[AllocationRule, ...], kind: ItemKind, params: dict[str, Any]) -> str:
    """CASE giving the 1-based number of the first rule (of all of them) matching a row of this kind, else NULL."""
    whens = [
        f"WHEN {_condition(rule, number, params)} THEN {number}"
        for number, rule in enumerate(rules, start=1)
        if rule.applies_to(kind)
    ]
    return f"CASE {' '.join(whens)} END" if whens else "NULL::INTEGER"


def classification_sql(rules: AllocationRules, params: dict[str, Any]) -> str:
    """The statement classifying every row of allocation_items.sql; adds the rules' values to params."""
    chosen = rules.rules
    params["categories"] = [rule.category or "" for rule in chosen]
    params["linked_rules"] = [number for number, rule in enumerate(chosen, start=1) if rule.linked_item]
    item_case = _rule_number_case(chosen, "work_item", params)
    pr_case = _rule_number_case(chosen, "pull_request", params)
    return f"""
WITH features AS (
{_items_sql()}
),
item_rules AS (SELECT item_id, {item_case} AS rule_no FROM features WHERE kind = 'work_item'),
item_categories AS (
    SELECT item_id, list_extract($categories::VARCHAR[], rule_no) AS category FROM item_rules WHERE rule_no IS NOT NULL
),
pr_keys AS (
    SELECT item_id AS pr_id, unnest(issue_keys) AS item_key, generate_subscripts(issue_keys, 1) AS position
    FROM features WHERE kind = 'pull_request'
),
linked AS (
    SELECT k.pr_id, arg_min(c.category, k.position) AS linked_category
    FROM pr_keys k JOIN item_categories c ON c.item_id = k.item_key
    GROUP BY k.pr_id
),
pr_rules AS (
    SELECT item_id, linked_category, {pr_case} AS rule_no
    FROM (SELECT f.*, l.linked_category FROM features f LEFT JOIN linked l ON l.pr_id = f.item_id)
    WHERE kind = 'pull_request'
),
matched AS (
    SELECT 'work_item' AS kind, item_id, rule_no, NULL::VARCHAR AS linked_category FROM item_rules
    UNION ALL
    SELECT 'pull_request', item_id, rule_no, linked_category FROM pr_rules
)
SELECT
    f.kind, f.item_id, f.done_at, f.month, f.team_ids, f.author_id, f.author_kind, f.story_points, f.engineer_weeks,
    f.left_out,
    m.rule_no,
    CASE
        WHEN m.rule_no IS NULL THEN '{UNCLASSIFIED}'
        WHEN list_contains($linked_rules::INTEGER[], m.rule_no) THEN m.linked_category
        ELSE list_extract($categories::VARCHAR[], m.rule_no)
    END AS category,
    CASE
        WHEN m.rule_no IS NOT NULL THEN NULL
        WHEN f.kind = 'pull_request' AND len(f.labels) = 0 AND f.branch IS NULL AND len(f.issue_keys) = 0
            THEN '{NOTHING_TO_READ["pull_request"]}'
        WHEN f.kind = 'work_item' AND len(f.labels) = 0 AND f.item_type IS NULL AND f.epic_key IS NULL
            THEN '{NOTHING_TO_READ["work_item"]}'
        WHEN f.kind = 'pull_request' THEN '{NO_RULE_MATCHED["pull_request"]}'
        ELSE '{NO_RULE_MATCHED["work_item"]}'
    END AS unclassified_reason
FROM features f
JOIN matched m ON m.kind = f.kind AND m.item_id = f.item_id
WHERE f.counted
"""


def classify(con: duckdb.DuckDBPyConnection, filters: Filters, rules: Rules = DEFAULTS) -> None:
    """Write CLASSIFIED_TABLE on con (a private cursor): one row per merged PR and resolved work item of the selection
    with its category (or 'unclassified' and why) and its weights, and left_out set for those not counted."""
    params: dict[str, Any] = {**filters.params(), **rules.linking.params()}
    text = classification_sql(rules.allocation, params)
    used = {key: params[key] for key in parameters_of(text)}
    con.execute(f"CREATE OR REPLACE TEMP TABLE {CLASSIFIED_TABLE} AS {text}", used)
