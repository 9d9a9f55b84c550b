"""Issues linked to a parent: epics are left out unless the rule epics_need_parent says they count."""

from __future__ import annotations

from datetime import date

import pytest

from flowgauge.loaders.imports import import_files
from flowgauge.metrics import Filters, compute
from flowgauge.metrics.filters import LinkingRules
from flowgauge.snapshot import open_snapshot

# In progress in March 2024: an epic without a parent (its parent would be an initiative), a story under the epic,
# a story without a parent, and a sub-task (always left out).
JIRA = (
    "Summary,Issue key,Issue Type,Status,Status Category,Created,Parent\n"
    "Checkout revamp,PAY-1,Epic,In Progress,In Progress,2024-03-01 09:00,\n"
    "Card form,PAY-2,Story,In Progress,In Progress,2024-03-02 09:00,PAY-1\n"
    "Refund flow,PAY-3,Story,In Progress,In Progress,2024-03-03 09:00,\n"
    "Tests,PAY-4,Sub-task,In Progress,In Progress,2024-03-04 09:00,PAY-2\n"
)
MARCH = Filters(date(2024, 3, 1), date(2024, 4, 1))


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("hygiene") / "jira.duckdb"
    import_files([("jira.csv", JIRA.encode())], path)
    connection = open_snapshot(path)
    yield connection
    connection.close()


def test_epics_are_left_out_by_default_and_counted_as_such(con):
    result = compute(con, "pm_issues_linked_to_parent", MARCH)
    assert result.value == pytest.approx(50.0)  # PAY-2 of PAY-2 and PAY-3
    assert result.exclusions == ((1, "epics: left out by the rule epics_need_parent = false"),)
    assert result.rules["epics_need_parent"] is False
    assert "so are epics unless the rule epics_need_parent is true" in result.definition


def test_epics_count_when_the_rule_says_they_need_a_parent(con):
    result = compute(con, "pm_issues_linked_to_parent", MARCH, LinkingRules(epics_need_parent=True))
    assert result.value == pytest.approx(100 / 3)  # PAY-2 of PAY-1, PAY-2 and PAY-3
    assert result.exclusions == ()
