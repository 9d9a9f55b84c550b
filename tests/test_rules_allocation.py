"""The rules file's [allocation] table: rules read in order before the built-in ones, refusals with file and line."""

from pathlib import Path

import pytest

from flowgauge.rules import BadRules, describe_rules, load_rules
from flowgauge.rules.allocation import BUILT_IN_RULES, AllocationRule

RULES = """\
[allocation]
defaults = true

[[allocation.rules]]
category = "tech_debt"
labels = "(?i)^platform$"
branch = "^infra/"

[[allocation.rules]]
category = "new_features"
epic = "(?i)^roadmap"
item_types = ["Story", "Spike"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "flowgauge.rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_files_rules_come_first_then_the_built_in_ones(tmp_path):
    allocation = load_rules(write(tmp_path, RULES)).allocation
    assert allocation.rules[:2] == (
        AllocationRule("tech_debt", labels="(?i)^platform$", branch="^infra/"),
        AllocationRule("new_features", epic="(?i)^roadmap", item_types=("story", "spike")),
    )
    assert allocation.rules[2:] == BUILT_IN_RULES
    assert allocation.rules[0].applies_to("pull_request") and not allocation.rules[0].applies_to("work_item")
    assert dict(describe_rules(load_rules(write(tmp_path, RULES))))["effort allocation"] == (
        f"2 rules of the rules file, then the {len(BUILT_IN_RULES)} built-in rules, first match wins"
    )


def test_defaults_false_leaves_only_the_files_rules(tmp_path):
    text = RULES.replace("defaults = true", "defaults = false")
    assert len(load_rules(write(tmp_path, text)).allocation.rules) == 2


def test_no_file_means_the_built_in_rules(tmp_path):
    assert load_rules(None).allocation.rules == BUILT_IN_RULES


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('category = "new_features"', 'category = "features"'),
            ":10: [[allocation.rules]] rule 2 category: must be one of new_features, improvements, tech_debt, bugs, "
            "unplanned, not 'features'",
        ),
        (
            ('epic = "(?i)^roadmap"', 'epic = "(?=roadmap)"'),
            ":11: [[allocation.rules]] rule 2 epic: '(?=roadmap)' is not a pattern DuckDB's RE2 can run",
        ),
        (
            ('branch = "^infra/"', 'branches = "^infra/"'),
            ":7: [[allocation.rules]] rule 1 branches: unknown setting; a rule takes category, labels, branch",
        ),
        (
            ('item_types = ["Story", "Spike"]', 'item_types = "Story"'),
            ":12: [[allocation.rules]] rule 2 item_types: must be a list of work item types, not 'Story'",
        ),
        (
            ('labels = "(?i)^platform$"\nbranch = "^infra/"', "linked_item = true"),
            ":6: [[allocation.rules]] rule 1 linked_item: a linked_item rule takes the work item's category",
        ),
        (
            ('epic = "(?i)^roadmap"', 'branch = "^feat/"'),
            ":9: [[allocation.rules]] rule 2: mixes conditions no item has together (branch, item_types)",
        ),
        (("defaults = true", "defaults = 1"), ":2: [allocation] defaults: must be true or false, not 1"),
    ],
)
def test_refusals_name_the_file_line_rule_and_key(tmp_path, change, message):
    path = write(tmp_path, RULES.replace(*change))
    with pytest.raises(BadRules) as refused:
        load_rules(path)
    assert str(refused.value).startswith(f"{path}{message}")


def test_a_rule_without_condition_is_refused(tmp_path):
    path = write(tmp_path, '[[allocation.rules]]\ncategory = "bugs"\n')
    with pytest.raises(BadRules, match=r":1: \[\[allocation.rules\]\] rule 1: sets no condition"):
        load_rules(path)


def test_docs_list_the_built_in_rules_in_their_order():
    docs = (Path(__file__).resolve().parents[1] / "docs" / "rules.md").read_text(encoding="utf-8")
    rows = {}
    for line in docs.splitlines():
        cells = [cell.strip() for cell in line.replace("\\|", "\x00").split("|")]
        if len(cells) == 5 and cells[1].isdigit():
            rows[int(cells[1])] = (cells[2].replace("\x00", "|"), cells[3])
    assert sorted(rows) == list(range(1, len(BUILT_IN_RULES) + 1))
    for number, rule in enumerate(BUILT_IN_RULES, start=1):
        condition, category = rows[number]
        assert category == (rule.category or "the item's"), number
        for pattern in (rule.labels, rule.branch, rule.title, rule.epic, *rule.item_types):
            if pattern:
                assert pattern in condition.replace("\\\\", "\\"), (number, pattern)
        assert ("linked_incident = true" in condition) == rule.linked_incident
        assert ("linked_item = true" in condition) == rule.linked_item
