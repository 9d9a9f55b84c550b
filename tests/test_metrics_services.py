"""Service scoping in a monorepo (tests/fixtures/metrics/monorepo.sql): deployments, PR links and incidents."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from flowgauge.loaders.store import write_snapshot
from flowgauge.metrics import DEFAULT_RULES, Filters, breakdown, compute
from flowgauge.metrics.facts import keep_facts, warm_facts
from flowgauge.snapshot import open_snapshot

FIXTURE = Path(__file__).parent / "fixtures" / "metrics" / "monorepo.sql"
MAY = Filters(date(2024, 5, 1), date(2024, 6, 1))


@pytest.fixture(scope="module", params=["per_call", "kept"])
def con(request, tmp_path_factory):
    """The monorepo fixture, with facts built per call (the CLI) and kept on the connection (the app)."""
    path = tmp_path_factory.mktemp("metrics") / "mono.duckdb"
    with write_snapshot(path, fresh=True) as writer:
        writer.con.execute(FIXTURE.read_text())
    connection = open_snapshot(path)
    if request.param == "kept":
        assert keep_facts(connection) and warm_facts(connection, DEFAULT_RULES)
    yield connection
    connection.close()


def test_deploy_time_prefers_the_prs_own_service(con):
    # #1 api 10:00 -> DA 14:00 = 4 h (not DR at 12:30); #2 web 11:00 -> DW next day 10:00 = 23 h;
    # #3 (no service) 12:00 -> repo-level DR 12:30 = .5 h; #4 batch (never deployed alone) 12:15 -> DR = .25 h.
    rows = breakdown(con, "deploy_time", MAY, by="service").to_pylist()
    assert [(row["key"], row["value"]) for row in rows] == [
        ("acme/mono", 0.5),
        ("acme/mono:api", 4.0),
        ("acme/mono:batch", 0.25),
        ("acme/mono:web", 23.0),
    ]


def test_service_filter_scopes_prs_and_deployments(con):
    api = Filters(MAY.start, MAY.end, services=("acme/mono:api",))
    assert compute(con, "deploy_time", api).value == 4.0
    assert compute(con, "deploy_frequency", api).value == pytest.approx(1 / (31 / 7))  # DA only


def test_incidents_link_within_their_service_else_to_repo_level_deployments(con):
    web = Filters(MAY.start, MAY.end, services=("acme/mono:web",))
    assert compute(con, "change_failure_rate", web).value == 100.0  # DW, followed by INC-W an hour later
    result = compute(con, "change_failure_rate", MAY)
    # DR failed through INC-B (repo-level fallback), DW through INC-W; DA did not: 2 of 3.
    assert result.value == pytest.approx(2 / 3 * 100)
    assert result.details["link_rules"] == {"latest_deployment_in_window": 1, "latest_repo_deployment_in_window": 1}
