"""DORA metrics and incident/deployment linking on the hand-built March 2024 snapshot."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from flowgauge.loaders.store import write_snapshot
from flowgauge.metrics import Filters, LinkingRules, compute, dora_bucket, trend
from flowgauge.metrics.filters import BadLinkingRule
from flowgauge.snapshot import open_snapshot

FIXTURE = Path(__file__).parent / "fixtures" / "metrics" / "march_2024.sql"
MARCH = Filters(date(2024, 3, 1), date(2024, 4, 1))
WEEKS = 31 / 7
# Production deployments started in March (DS is staging; 'prod-eu' and 'live' match the default regex):
#   acme/pay: D1 03-05, D1b 03-06, D2 03-07 (prod-eu), D3 03-12, D3b 03-14 failure, D3c 03-14 hotfix,
#             D4 03-21, D4r 03-21 rollback;  acme/web: D6 03-26, D5 03-31 (live)  -> 10 deployments.
# Failed: D3 (INC5 names it), D3b (status failure), D4 (INC1 and INC2, then rolled back by D4r) -> 3.


def test_deploy_frequency_per_week_per_developer_and_bucket(march):
    assert march["deploy_frequency"].value == pytest.approx(10 / WEEKS)  # 2.26 a week
    assert march["deploy_frequency"].details["dora_bucket"] == "daily"
    # Developers = people who merged a PR in the window: alice, bob, carol.
    assert march["deploy_frequency_per_dev"].value == pytest.approx(10 / 3 / WEEKS)


@pytest.mark.parametrize(
    ("per_week", "bucket"),
    [
        (7.0, "on-demand"),
        (6.99, "daily"),
        (1.0, "daily"),
        (0.99, "weekly"),
        (7 / 30.4375, "weekly"),
        (0.2, "monthly"),
        (7 / 182.625, "monthly"),
        (0.03, "less"),
        (None, None),
    ],
)
def test_dora_bucket_boundaries(per_week, bucket):
    assert dora_bucket(per_week) == bucket


def test_change_failure_rate_counts_each_failed_deployment_once(march):
    assert march["change_failure_rate"].value == pytest.approx(30.0)  # 3 of 10
    assert march["change_failure_rate"].n_used == 10


def test_two_incidents_on_one_deployment_never_push_cfr_past_100(con):
    # 03-21 in acme/pay: D4 (INC1 at 12:00 and INC2 at 15:00 both link to it) and its rollback D4r.
    day = Filters(date(2024, 3, 21), date(2024, 3, 22), repos=("acme/pay",))
    assert compute(con, "change_failure_rate", day).value == 50.0  # D4 failed once; D4r did not fail
    incidents_rule = LinkingRules(cfr_mode="incidents")
    assert compute(con, "change_failure_rate", day, incidents_rule).value == 100.0  # 2 incidents / 2 deployments


def test_incidents_rule_alternative_over_the_month(con):
    result = compute(con, "change_failure_rate", MARCH, LinkingRules(cfr_mode="incidents"))
    assert result.value == pytest.approx(40.0)  # INC1, INC2, INC3, INC5 / 10 deployments
    assert result.rules["cfr_mode"] == "incidents"


def test_incident_links_are_recorded_with_their_rule(march):
    # INC1, INC2 -> D4 (latest deployment within 48 h); INC5 names D3; INC3 (web, 03-29) is 3 days after D6.
    assert march["change_failure_rate"].details["link_rules"] == {
        "latest_deployment_in_window": 2,
        "source": 1,
        "unlinked: no production deployment within the window": 1,
    }
    assert march["mttr"].rules["incident_window_hours"] == 48


def test_a_wider_link_window_links_the_lonely_incident(con):
    wide = LinkingRules(incident_window_hours=96)
    result = compute(con, "change_failure_rate", MARCH, wide)
    assert result.value == pytest.approx(40.0)  # INC3 now fails D6: D3, D3b, D4, D6 of 10


def test_failed_deployment_recovery_time(march):
    # D3 03-12 10:30 -> D3c done 03-14 12:30 = 50 h (D3b failed in between); D3b 10:00 -> 12:30 = 2.5 h;
    # D4 09:00 -> D4r done 16:30 = 7.5 h.
    result = march["failed_deployment_recovery_time"]
    assert (result.value, result.n_used) == (7.5, 3)


def test_mttr_mean_and_median(con, march):
    # INC1 4.5 h, INC2 1 h, INC3 4 h, INC5 1 h.
    assert march["mttr"].statistic == "mean"
    assert march["mttr"].value == pytest.approx(10.5 / 4)
    assert compute(con, "mttr", MARCH, statistic="median").value == 2.5


def test_deployment_rework_rate(march):
    assert march["deployment_rework_rate"].value == pytest.approx(20.0)  # D3c hotfix, D4r rollback of 10


def test_production_regex_and_environment_filter(con):
    only_production = LinkingRules(production_env_regex="^production$")
    assert compute(con, "deploy_frequency", MARCH, only_production).value == pytest.approx(8 / WEEKS)
    eu = Filters(MARCH.start, MARCH.end, environments=("prod-eu",))
    assert compute(con, "deploy_frequency", eu).value == pytest.approx(1 / WEEKS)


def test_deployments_belong_to_the_owning_team(con):
    payments = Filters(MARCH.start, MARCH.end, teams=("payments",))
    assert compute(con, "deploy_frequency", payments).value == pytest.approx(8 / WEEKS)
    assert compute(con, "change_failure_rate", payments).value == pytest.approx(3 / 8 * 100)
    web = Filters(MARCH.start, MARCH.end, teams=("web",))
    assert compute(con, "mttr", web).value == 4.0  # INC3 only


def test_lead_time_ignores_prs_without_deployment_data(march):
    assert (1, "no deployment data for their repository/service: lead time unknown") in march[
        "lead_time_for_changes"
    ].exclusions


def test_no_deployments_in_snapshot_says_why(tmp_path):
    path = tmp_path / "empty.duckdb"
    with write_snapshot(path, fresh=True):
        pass
    connection = open_snapshot(path)
    try:
        result = compute(connection, "deploy_frequency", MARCH)
        mttr = compute(connection, "mttr", MARCH)
    finally:
        connection.close()
    assert result.value is None
    assert result.empty_reason.startswith("no production deployments in this snapshot match the environment rule")
    assert mttr.empty_reason == "no incidents in this snapshot: import incidents"


def test_one_deployment_carrying_many_prs(con):
    # D4 (03-21 09:00) shipped PR4 (merged 03-20 10:00), PR5 (12:00) and bot PR6 (07:30).
    day = Filters(date(2024, 3, 20), date(2024, 3, 21), repos=("acme/pay",), include_bots=True)
    result = compute(con, "deploy_time", day, statistic="mean")
    assert result.n_used == 3
    assert result.value == pytest.approx((23 + 21 + 25.5) / 3)
    assert result.details["link_rules"] == {"merged_since_previous": 3}


def test_user_values_are_bound_never_spliced_into_sql(con):
    hostile = LinkingRules(production_env_regex="prod'; DROP TABLE deployments; --")
    assert compute(con, "deploy_frequency", MARCH, hostile).value is None  # matches nothing, breaks nothing
    odd_team = Filters(MARCH.start, MARCH.end, teams=("x' OR '1'='1",))
    assert compute(con, "deploy_frequency", odd_team).value == 0.0
    assert compute(con, "deploy_frequency", MARCH).value == pytest.approx(10 / WEEKS)


def test_unusable_rules_are_refused_in_one_line():
    with pytest.raises(BadLinkingRule, match="production environment regex 'prod\\(': missing \\)"):
        LinkingRules(production_env_regex="prod(")
    with pytest.raises(BadLinkingRule, match="cfr_mode must be failed_deployments or incidents"):
        LinkingRules(cfr_mode="incident")


def test_a_lone_deployment_with_no_successor_counts_as_not_failed(tmp_path):
    # The newest deployment of a service has no next deployment to be a fix for it: CFR is 0%, not an error.
    path = tmp_path / "lone.duckdb"
    with write_snapshot(path, fresh=True) as writer:
        writer.upsert("repositories", [{"repo_id": "acme/api", "name": "api", "source": "demo", "is_archived": False}])
        writer.upsert(
            "deployments",
            [
                {
                    "deployment_id": "only", "repo_id": "acme/api", "environment": "production", "status": "success",
                    "deploy_kind": "regular", "started_at": datetime(2024, 3, 5, 10), "detection_rule": "demo",
                    "is_approximate": False,
                }
            ],
        )  # fmt: skip
    con = open_snapshot(path)
    window = Filters(date(2024, 3, 4), date(2024, 3, 11))
    result = compute(con, "change_failure_rate", window)
    assert (result.value, result.n_used) == (0.0, 1)
    assert trend(con, "change_failure_rate", window, grain="week").column("value").to_pylist() == [0.0]
    con.close()


def test_a_fix_shipped_from_another_repository_still_marks_the_deployment_failed(tmp_path):
    # Service acme/api:billing ships from two repositories. A hotfix of the service from acme/jobs two hours after
    # a regular deployment from acme/api makes that deployment failed, whichever repository the selection keeps:
    # the next deployment of a service is the next one whoever made it.
    path = tmp_path / "two_repos.duckdb"
    with write_snapshot(path, fresh=True) as writer:
        writer.upsert(
            "repositories",
            [
                {"repo_id": repo, "name": repo.split("/")[1], "source": "demo", "is_archived": False}
                for repo in ("acme/api", "acme/jobs")
            ],
        )
        writer.upsert("services", [{"service_id": "acme/api:billing", "repo_id": "acme/api", "name": "billing"}])
        writer.upsert(
            "deployments",
            [
                {
                    "deployment_id": deployment_id, "repo_id": repo, "service_id": "acme/api:billing",
                    "environment": "production", "status": "success", "deploy_kind": kind, "started_at": started,
                    "detection_rule": "demo", "is_approximate": False,
                }
                for deployment_id, repo, kind, started in (
                    ("regular", "acme/api", "regular", datetime(2024, 3, 5, 10)),
                    ("fix", "acme/jobs", "hotfix", datetime(2024, 3, 5, 12)),
                )
            ],
        )  # fmt: skip
    con = open_snapshot(path)
    try:
        api_only = Filters(date(2024, 3, 4), date(2024, 3, 11), repos=("acme/api",))
        everything = Filters(date(2024, 3, 4), date(2024, 3, 11))
        assert compute(con, "change_failure_rate", api_only).value == 100.0  # 1 deployment, failed
        assert compute(con, "change_failure_rate", everything).value == 50.0  # the fix itself did not fail
    finally:
        con.close()
