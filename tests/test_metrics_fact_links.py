"""The PR facts' deployment links and review rules on a hand-built snapshot (tests/fixtures/metrics/fact_links.sql):
a PR no deployment's list names is linked by the commits a deployment carries, only its own repository's; a service
that never deployed falls back to its repository's deployments; PRs open across the window or merged before it are
listed; reviews by bots named by rule never count, a deleted account's do. The same whether facts are built per
call (the CLI), for the first view's window, or for the whole snapshot (the app)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from facts_paths import FACTS_PATHS, connection_with_facts, fixture_snapshot

from flowgauge.metrics import DEFAULT_RULES, Filters, compute_all
from flowgauge.ui.lists import deployment_rows, pull_request_rows

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "metrics" / "fact_links.sql"
MAY = Filters(date(2024, 5, 1), date(2024, 6, 1))


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory) -> Path:
    return fixture_snapshot(tmp_path_factory.mktemp("fact_links"), FIXTURE)


@pytest.fixture(scope="module", params=FACTS_PATHS)
def con(request, snapshot):
    connection = connection_with_facts(snapshot, request.param, (datetime(2024, 5, 1), datetime(2024, 6, 1)))
    yield connection
    connection.close()


def test_each_pr_is_linked_by_its_list_its_commits_or_time(con):
    rows = pull_request_rows(con, MAY, DEFAULT_RULES).to_pylist()
    linked = {row["pr_id"]: (row["deployed_at"], row["deploy_link_rule"], row["deploy_hours"]) for row in rows}
    assert linked == {
        # DB1 carries its merge commit a day after the merge.
        "acme/api#10": (datetime(2024, 5, 3, 12), "commit_ancestry", 24.0),
        # DL1's commit with its sha is acme/lib's: DB2 (Live-EU, production by name), api's next, two days on.
        "acme/api#11": (datetime(2024, 5, 6, 12), "merged_since_previous", 48.0),
        # The jobs service never deployed: api's DB3 the next day, not the staging deployment an hour after the merge.
        "acme/api#12": (datetime(2024, 5, 8, 12), "merged_since_previous", 24.0),
        # Open across the window.
        "acme/api#13": (None, None, None),
        # Merged on 04-28, closed in the window; DB1's list names it five days later.
        "acme/api#14": (datetime(2024, 5, 3, 12), "source", 120.0),
    }


def test_bot_reviews_never_count_and_a_deleted_accounts_do(con):
    rows = pull_request_rows(con, MAY, DEFAULT_RULES).to_pylist()
    pickup = {row["pr_id"]: row["pickup_hours"] for row in rows}
    # api#10: Deploy-Helper[Bot], Renovate and Robo come before Ben at 11:00; api#11: the deleted account at 10:00;
    # api#12: only Robo reviewed it, so it has no first review (not the one its source reported).
    assert pickup == {"acme/api#10": 3.0, "acme/api#11": 2.0, "acme/api#12": None, "acme/api#13": None,
                      "acme/api#14": None}  # fmt: skip
    pickup_time = compute_all(con, MAY, statistic="median")["pickup_time"]
    assert (pickup_time.value, pickup_time.n_used) == (2.5, 2)


def test_deploy_and_lead_times_of_the_windows_merges(con):
    results = compute_all(con, MAY, statistic="median")
    # Merged in May: api#10 (24 h), api#11 (48 h), api#12 (24 h); first commit to deployment 28 h, 52 h and 28 h.
    assert (results["deploy_time"].value, results["deploy_time"].n_used) == (24.0, 3)
    assert (results["lead_time_for_changes"].value, results["lead_time_for_changes"].n_used) == (28.0, 3)
    # Four production deployments (the staging one is not), one of them in an environment named only in May.
    assert [row["deployment_id"] for row in deployment_rows(con, MAY, DEFAULT_RULES).to_pylist()] == [
        "DB3",
        "DB2",
        "DL1",
        "DB1",
    ]
