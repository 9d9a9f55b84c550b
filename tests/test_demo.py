"""The demo organisation generator, checked with SQL over the snapshot it writes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from flowgauge.allocation import allocation, shares
from flowgauge.errors import FlowgaugeError
from flowgauge.loaders.demo import save_demo
from flowgauge.loaders.demo.effort import TECH_DEBT_SHIFT_DAYS
from flowgauge.metrics import DEFAULT_RULES, Filters
from flowgauge.metrics.facts import keep_facts, warm_facts
from flowgauge.snapshot import open_snapshot, snapshot_identity

END = date(2026, 11, 26)
START = END - timedelta(days=547)  # first day of the 548-day history
HISTORY_TABLES = (
    "teams", "people", "person_aliases", "team_memberships", "repositories", "services", "pull_requests", "pr_reviews",
    "commits", "pr_commits", "commit_line_ages", "deployments", "deployment_statuses", "deployment_pull_requests",
    "deployment_commits", "releases", "workflow_runs", "incidents", "work_items", "sprints", "sprint_items",
    "survey_responses",
)  # fmt: skip
# PRs attributed to the team their author belonged to when opening them.
PR_TEAM = """
    CREATE TEMP VIEW pr_team AS
    SELECT p.*, m.team_id FROM pull_requests p JOIN team_memberships m ON m.person_id = p.author_id
     AND p.created_at >= m.valid_from AND (m.valid_to IS NULL OR p.created_at < m.valid_to)
"""


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    counts = save_demo(path, scale=0.5, seed=7, end_on=END)
    return path, counts


@pytest.fixture(scope="module")
def con(snapshot):
    connection = open_snapshot(snapshot[0])
    connection.execute(PR_TEAM)
    yield connection
    connection.close()


def one(con, sql: str, params=()):
    return con.execute(sql, params).fetchone()


def table_digests(path) -> dict[str, str]:
    con = open_snapshot(path)
    try:
        return {
            table: one(
                con, f'SELECT md5(string_agg(CAST(t AS VARCHAR), chr(10) ORDER BY CAST(t AS VARCHAR))) FROM "{table}" t'
            )[0]
            for table in HISTORY_TABLES
        }
    finally:
        con.close()


def test_same_seed_and_end_give_identical_tables_and_another_seed_differs(tmp_path):
    first, again, other = tmp_path / "a.duckdb", tmp_path / "b.duckdb", tmp_path / "c.duckdb"
    save_demo(first, scale=0.05, seed=11, end_on=END)
    save_demo(again, scale=0.05, seed=11, end_on=END)
    save_demo(other, scale=0.05, seed=12, end_on=END)
    digests = table_digests(first)
    assert digests == table_digests(again)
    different = {t for t, d in table_digests(other).items() if d != digests[t]}
    assert {"pull_requests", "commits", "deployments", "incidents", "work_items"} <= different


def test_returned_counts_are_the_rows_in_each_table(snapshot, con):
    _, counts = snapshot
    assert list(counts)[:6] == ["teams", "people", "person_aliases", "team_memberships", "repositories", "services"]
    for table in HISTORY_TABLES:
        assert counts[table] == one(con, f'SELECT count(*) FROM "{table}"')[0], table


def test_every_table_but_the_sync_bookkeeping_has_rows(con):
    empty = [
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
        ).fetchall()
        if one(con, f'SELECT count(*) FROM "{name}"')[0] == 0
    ]
    assert sorted(empty) == ["sync_runs", "sync_state"]  # written by API loaders and `flowgauge sync` only


def test_source_row_names_seed_scale_and_end(con):
    assert one(con, "SELECT source_id, kind, location FROM sources") == (
        "demo",
        "demo",
        "seed 7, scale 0.5, ending 2026-11-26",
    )


def test_organisation_minimums(con):
    assert one(con, "SELECT count(*) FROM teams")[0] >= 6
    assert {"Payments", "Checkout", "Platform", "Mobile", "Data", "Growth"} <= {
        name for (name,) in con.execute("SELECT name FROM teams").fetchall()
    }
    people, bots, unexplained = one(
        con,
        "SELECT count(*), count(*) FILTER (WHERE is_bot), count(*) FILTER (WHERE is_bot AND bot_reason IS NULL) "
        "FROM people",
    )
    assert people >= 60 and bots >= 3 and unexplained == 0
    bot_ids = {p for (p,) in con.execute("SELECT person_id FROM people WHERE is_bot").fetchall()}
    assert {"dependabot[bot]", "renovate[bot]"} <= bot_ids
    assert one(con, "SELECT count(*), count(owner_team_id) FROM repositories") >= (15, 15)
    monorepo, services, prefixed = one(
        con,
        "SELECT repo_id, count(*), count(path_prefix) FROM services GROUP BY repo_id ORDER BY count(*) DESC LIMIT 1",
    )
    assert services >= 3 and prefixed == services
    # Monorepo PRs and deployments name their service; other repositories' never do.
    assert (
        one(con, "SELECT count(*) FILTER (WHERE service_id IS NULL) FROM pull_requests WHERE repo_id = ?", [monorepo])[
            0
        ]
        == 0
    )
    assert one(con, "SELECT count(*) FROM deployments WHERE repo_id = ? AND service_id IS NULL", [monorepo])[0] == 0
    assert (
        one(con, "SELECT count(*) FROM pull_requests WHERE repo_id <> ? AND service_id IS NOT NULL", [monorepo])[0] == 0
    )


def test_history_spans_the_18_months_ending_on_end_on(con):
    first, last = one(con, "SELECT min(created_at), max(created_at) FROM pull_requests")
    assert first.date() >= START and first.date() <= START + timedelta(days=7)
    assert last.date() <= END and last.date() >= END - timedelta(days=4)


def test_people_have_a_login_and_one_or_two_emails(con):
    per_person = con.execute(
        "SELECT p.person_id, count(*) FILTER (WHERE alias_kind = 'login'), "
        "count(*) FILTER (WHERE alias_kind = 'email') "
        "FROM people p JOIN person_aliases a USING (person_id) WHERE NOT p.is_bot GROUP BY 1"
    ).fetchall()
    assert len(per_person) >= 55
    assert all(logins == 1 and 1 <= emails <= 2 for _, logins, emails in per_person)
    assert sum(emails == 2 for _, _, emails in per_person) >= 3


def test_some_people_change_team_part_way(con):
    movers = con.execute(
        "SELECT a.person_id FROM team_memberships a JOIN team_memberships b "
        "ON a.person_id = b.person_id AND a.valid_to = b.valid_from AND a.team_id <> b.team_id "
        "WHERE a.valid_to BETWEEN ? AND ?",
        [START, END],
    ).fetchall()
    assert len(movers) >= 3


def test_pr_phase_times_are_plausible_and_right_skewed(con):
    pickup_median, pickup_mean, cycle_median, cycle_mean = one(
        con,
        "SELECT median(h_pickup), avg(h_pickup), median(h_cycle), avg(h_cycle) FROM ("
        " SELECT date_diff('second', ready_for_review_at, first_review_at) / 3600 AS h_pickup,"
        "        date_diff('second', first_commit_at, merged_at) / 3600 AS h_cycle"
        " FROM pull_requests p JOIN people a ON a.person_id = p.author_id WHERE NOT a.is_bot AND state = 'merged')",
    )
    assert 0.5 <= pickup_median <= 24 and pickup_mean > 1.3 * pickup_median
    assert 6 <= cycle_median <= 120 and cycle_mean > 1.3 * cycle_median
    size_median, size_mean, size_max = one(
        con,
        "SELECT median(lines_added + lines_deleted), avg(lines_added + lines_deleted), "
        "max(lines_added + lines_deleted) FROM pull_requests",
    )
    assert 20 <= size_median <= 120 and size_mean > 1.6 * size_median and size_max > 20 * size_median


def quarter_median(con, team: str, measure: str, quarter: str) -> float:
    window = "created_at < ? + INTERVAL 91 DAY" if quarter == "first" else "created_at >= ? - INTERVAL 91 DAY"
    anchor = START if quarter == "first" else END + timedelta(days=1)
    return one(
        con,
        f"SELECT median(date_diff('second', {measure}) / 3600) FROM pr_team "
        f"WHERE team_id = ? AND state = 'merged' AND {window}",
        [team, anchor],
    )[0]


def test_checkout_improves_and_data_regresses(con):
    cycle = "first_commit_at, merged_at"
    pickup = "ready_for_review_at, first_review_at"
    assert quarter_median(con, "checkout", cycle, "last") < 0.6 * quarter_median(con, "checkout", cycle, "first")
    assert quarter_median(con, "checkout", pickup, "last") < 0.6 * quarter_median(con, "checkout", pickup, "first")
    assert quarter_median(con, "data", cycle, "last") > 1.4 * quarter_median(con, "data", cycle, "first")
    steady = quarter_median(con, "platform", cycle, "last") / quarter_median(con, "platform", cycle, "first")
    assert 0.6 < steady < 1.6


def test_checkout_turns_toward_tech_debt_in_its_last_nine_months(con):
    shift = END + timedelta(days=1) - timedelta(days=TECH_DEBT_SHIFT_DAYS)
    before = allocation(con, Filters(shift - timedelta(days=TECH_DEBT_SHIFT_DAYS), shift))
    after = allocation(con, Filters(shift, END + timedelta(days=1)))

    def tech_debt_percent(result, team: str) -> float:
        team_shares = shares(result.by_team, "engineer_weeks", ["team_id"])[(team,)]
        return next(share.percent for share in team_shares if share.category == "tech_debt")

    assert tech_debt_percent(after, "checkout") > tech_debt_percent(before, "checkout") + 15
    assert abs(tech_debt_percent(after, "payments") - tech_debt_percent(before, "payments")) < 8
    # Every PR and work item of the demo carries something the built-in rules read, and every category occurs.
    overall = {share.category: share.value for share in shares(after.all_teams, "prs")[()]}
    assert overall["unclassified"] == 0 and all(overall[c] > 0 for c in overall if c != "unclassified")


def test_teams_differ_in_level(con):
    medians = dict(
        con.execute(
            "SELECT team_id, median(date_diff('second', first_commit_at, merged_at)) FROM pr_team "
            "WHERE state = 'merged' GROUP BY 1"
        ).fetchall()
    )
    assert medians["payments"] < 0.5 * medians["mobile"]
    assert min(medians, key=medians.get) == "payments"


def test_prs_are_mostly_created_on_weekdays(con):
    assert one(con, "SELECT avg(CASE WHEN isodow(created_at) <= 5 THEN 1 ELSE 0 END) FROM pull_requests")[0] > 0.85


def test_pr_states_outcomes_and_bot_prs(con):
    states = dict(con.execute("SELECT state, count(*) FROM pull_requests GROUP BY 1").fetchall())
    assert states["merged"] > 0.8 * sum(states.values()) and states["closed"] > 0 and states["open"] > 0
    methods = {
        m for (m,) in con.execute("SELECT DISTINCT merge_method FROM pull_requests WHERE state = 'merged'").fetchall()
    }
    assert methods == {"squash", "merge", "rebase"}
    unreviewed = one(
        con, "SELECT avg(CASE WHEN first_review_at IS NULL THEN 1 ELSE 0 END) FROM pull_requests WHERE state = 'merged'"
    )[0]
    assert 0.01 < unreviewed < 0.2
    bot_size, human_size = one(
        con,
        "SELECT median(lines_added + lines_deleted) FILTER (WHERE a.is_bot), "
        "median(lines_added + lines_deleted) FILTER (WHERE NOT a.is_bot) "
        "FROM pull_requests p JOIN people a ON a.person_id = p.author_id",
    )
    assert bot_size < human_size / 3
    keyed = one(con, "SELECT avg(CASE WHEN len(issue_keys) > 0 THEN 1 ELSE 0 END) FROM pull_requests")[0]
    assert 0.5 < keyed < 0.95
    assert (
        one(con, "SELECT count(*) FROM pull_requests WHERE ready_for_review_at > created_at")[0] > 0
    )  # opened as drafts


def test_first_review_and_approval_match_reviews_by_other_people(con):
    mismatches = one(
        con,
        "SELECT count(*) FROM pull_requests p LEFT JOIN ("
        " SELECT r.pr_id, min(r.submitted_at) AS first_review,"
        "  min(r.submitted_at) FILTER (WHERE r.state = 'approved') AS first_approval"
        " FROM pr_reviews r JOIN pull_requests q USING (pr_id) JOIN people who ON who.person_id = r.reviewer_id"
        " WHERE NOT who.is_bot AND r.reviewer_id <> q.author_id GROUP BY 1) x USING (pr_id)"
        " WHERE p.first_review_at IS DISTINCT FROM x.first_review"
        " OR p.first_approval_at IS DISTINCT FROM x.first_approval",
    )[0]
    assert mismatches == 0
    self_comments, bot_reviews = one(
        con,
        "SELECT count(*) FILTER (WHERE r.reviewer_id = p.author_id), count(*) FILTER (WHERE who.is_bot) "
        "FROM pr_reviews r JOIN pull_requests p USING (pr_id) JOIN people who ON who.person_id = r.reviewer_id",
    )
    assert self_comments > 0 and bot_reviews > 0
    states = {s for (s,) in con.execute("SELECT DISTINCT state FROM pr_reviews").fetchall()}
    assert states == {"commented", "changes_requested", "approved"}


def test_commits_agree_with_their_prs(con):
    bad_first_commit, authored_late = one(
        con,
        "SELECT count(*) FILTER (WHERE p.first_commit_at <> c.first_authored), "
        "count(*) FILTER (WHERE c.last_authored >= p.ready_for_review_at) FROM pull_requests p JOIN ("
        " SELECT pr_id, min(authored_at) AS first_authored, max(authored_at) AS last_authored"
        " FROM pr_commits JOIN commits USING (repo_id, sha) GROUP BY 1) c USING (pr_id)",
    )
    assert bad_first_commit == 0 and authored_late == 0
    assert (
        one(
            con,
            "SELECT count(*) FROM pull_requests p "
            "WHERE NOT EXISTS (SELECT 1 FROM pr_commits c WHERE c.pr_id = p.pr_id)",
        )[0]
        == 0
    )
    missing_merge_commit = one(
        con,
        "SELECT count(*) FROM pull_requests p WHERE state = 'merged' AND NOT EXISTS ("
        " SELECT 1 FROM commits c WHERE c.repo_id = p.repo_id AND c.sha = p.merge_commit_sha)",
    )[0]
    assert missing_merge_commit == 0
    assert one(con, "SELECT count(*) FROM commits WHERE len(parent_shas) = 2")[0] > 0  # merge commits


def test_rework_and_refactor_shares(con):
    rework, refactor = one(
        con,
        "SELECT sum(lines_recent) / sum(lines_new + lines_recent + lines_old), "
        "sum(lines_old) / sum(lines_new + lines_recent + lines_old) "
        "FROM commit_line_ages WHERE recent_days = 21",
    )
    assert 0.03 <= rework <= 0.10 and 0.10 <= refactor <= 0.25


def test_production_deployments_ship_prs_merged_before_them(con):
    late = one(
        con,
        "SELECT count(*) FROM deployment_pull_requests l JOIN deployments d USING (deployment_id) "
        "JOIN pull_requests p USING (pr_id) "
        "WHERE p.merged_at IS NULL OR p.merged_at > d.started_at OR l.link_rule <> 'merged_since_previous'",
    )[0]
    assert late == 0
    shipping, linked = one(
        con,
        "SELECT count(*), count(*) FILTER (WHERE EXISTS ("
        " SELECT 1 FROM deployment_pull_requests l WHERE l.deployment_id = d.deployment_id)) "
        "FROM deployments d WHERE environment = 'production' AND deploy_kind <> 'rollback'",
    )
    assert linked >= 0.97 * shipping
    # A PR shipped successfully to production goes out once.
    twice = one(
        con,
        "SELECT count(*) FROM (SELECT pr_id FROM deployment_pull_requests JOIN deployments USING (deployment_id) "
        "WHERE environment = 'production' AND status = 'success' GROUP BY pr_id HAVING count(*) > 1)",
    )[0]
    assert twice == 0
    kinds = set(con.execute("SELECT DISTINCT environment, deploy_kind, status FROM deployments").fetchall())
    assert {
        ("production", "regular", "success"),
        ("production", "regular", "failure"),
        ("production", "hotfix", "success"),
        ("production", "rollback", "success"),
        ("staging", "regular", "success"),
    } <= kinds
    assert one(con, "SELECT count(*) FROM deployments WHERE is_approximate")[0] == 0
    statuses = {s for (s,) in con.execute("SELECT DISTINCT status FROM deployment_statuses").fetchall()}
    assert {"queued", "in_progress", "success", "failure"} <= statuses


def test_incidents_mostly_follow_a_deployment_of_the_same_service(con):
    total, preceded, linked, open_ = one(
        con,
        "SELECT count(*), count(*) FILTER (WHERE EXISTS ("
        "  SELECT 1 FROM deployments d WHERE d.environment = 'production' AND d.repo_id = i.repo_id"
        "  AND d.service_id IS NOT DISTINCT FROM i.service_id"
        "  AND d.started_at <= i.opened_at AND d.started_at > i.opened_at - INTERVAL 48 HOUR)),"
        " count(deployment_id), count(*) FILTER (WHERE resolved_at IS NULL) FROM incidents i",
    )
    assert 0.65 * total <= preceded < total
    assert 0 < linked < preceded
    assert 1 <= open_ <= 3
    wrong_links = one(
        con,
        "SELECT count(*) FROM incidents i JOIN deployments d USING (deployment_id) WHERE d.environment <> 'production' "
        "OR d.repo_id <> i.repo_id OR d.started_at > i.opened_at OR d.started_at < i.opened_at - INTERVAL 48 HOUR",
    )[0]
    assert wrong_links == 0
    assert {s for (s,) in con.execute("SELECT DISTINCT severity FROM incidents").fetchall()} == {"SEV1", "SEV2", "SEV3"}
    assert one(con, "SELECT count(*) FROM incidents WHERE repo_id IS NULL")[0] > 0  # infrastructure


def test_sprint_completion_is_believable_per_team(con):
    rates = con.execute(
        "SELECT s.team_id, avg(CASE WHEN i.completed_in_sprint THEN 1 ELSE 0 END) "
        "FROM sprint_items i JOIN sprints s USING (sprint_id) "
        "WHERE s.state = 'closed' AND NOT i.added_after_start GROUP BY 1"
    ).fetchall()
    assert len(rates) >= 6 and all(0.6 <= rate <= 0.95 for _, rate in rates)
    assert one(con, "SELECT count(*) FROM sprint_items WHERE added_after_start")[0] > 0
    assert one(con, "SELECT count(DISTINCT state) FROM sprints")[0] == 3
    inconsistent = one(
        con,
        "SELECT count(*) FROM work_items WHERE (status_category = 'done') <> (resolved_at IS NOT NULL) "
        "OR (status_category = 'todo' AND started_at IS NOT NULL) "
        "OR (status_category <> 'todo' AND started_at IS NULL)",
    )[0]
    assert inconsistent == 0
    out_of_order = one(
        con, "SELECT count(*) FROM work_items WHERE started_at < created_at OR resolved_at < started_at"
    )[0]
    assert out_of_order == 0
    types = {t for (t,) in con.execute("SELECT DISTINCT item_type FROM work_items").fetchall()}
    assert types == {"Story", "Bug", "Task", "Sub-task", "Epic"}
    stories, with_parent, with_points = one(
        con, "SELECT count(*), count(parent_key), count(story_points) FROM work_items WHERE item_type = 'Story'"
    )
    assert with_parent > 0.7 * stories and with_points > 0.8 * stories


def test_survey_scores_of_the_improving_team_rise(con):
    questions, low, high, top = one(
        con, "SELECT count(DISTINCT question), min(score), max(score), max(scale_max) FROM survey_responses"
    )
    assert 6 <= questions <= 8 and low >= 1 and high <= 5 and top == 5
    rounds = con.execute(
        "SELECT avg(score) FROM survey_responses WHERE team_id = 'checkout' GROUP BY survey_id ORDER BY survey_id"
    ).fetchall()
    assert len(rounds) >= 5 and rounds[-1][0] > rounds[0][0] + 0.4


def test_scale_must_be_positive(tmp_path):
    with pytest.raises(FlowgaugeError):
        save_demo(tmp_path / "x.duckdb", scale=0, end_on=END)
    assert not (tmp_path / "x.duckdb").exists()


def test_cli_demo_writes_the_snapshot_it_names(tmp_path):
    from typer.testing import CliRunner

    from flowgauge.cli.main import app

    out = tmp_path / "cli.duckdb"
    result = CliRunner().invoke(
        app, ["demo", "--out", str(out), "--scale", "0.02", "--seed", "3", "--end", "2026-01-31"]
    )
    assert result.exit_code == 0, result.output
    assert "pull_requests" in result.output
    con = open_snapshot(out)
    try:
        assert one(con, "SELECT location FROM sources") == ("seed 3, scale 0.02, ending 2026-01-31",)
        assert one(con, "SELECT max(created_at) < TIMESTAMP '2026-02-01' FROM pull_requests") == (True,)
    finally:
        con.close()
    # The dashboard's facts were prepared with it: its first view attaches them, it builds nothing.
    assert "Prepared the dashboard's facts" in result.output
    reader = open_snapshot(out)
    try:
        assert keep_facts(reader, snapshot_identity(out))
        assert warm_facts(reader, DEFAULT_RULES, build=False)
    finally:
        reader.close()


def test_agents_prs_are_merged_less_often_and_wait_longer_for_pickup(con):
    rows = con.execute(
        """
        SELECT o.origin,
            avg((p.state = 'merged')::INTEGER) FILTER (WHERE p.state IN ('merged', 'closed')) AS accepted,
            median(epoch(p.first_review_at) - epoch(p.ready_for_review_at)) / 3600 AS pickup_hours,
            median(epoch(p.merged_at) - epoch(p.first_review_at)) / 3600 AS review_hours
        FROM pull_requests p JOIN pr_code_origins o USING (pr_id)
        GROUP BY 1
        """
    ).fetchall()
    by_origin = {origin: (accepted, pickup, review) for origin, accepted, pickup, review in rows}
    assert set(by_origin) == {"agentic", "ai_assisted", "unassisted"}
    agentic, assisted, unassisted = by_origin["agentic"], by_origin["ai_assisted"], by_origin["unassisted"]
    assert 0.25 < agentic[0] < 0.5 < 0.85 < unassisted[0]  # LinearB 2026: about a third against 84 %
    assert agentic[0] < assisted[0] < unassisted[0] - 0.03
    assert agentic[1] > 3 * unassisted[1] and unassisted[1] < assisted[1] < agentic[1]
    assert agentic[2] < unassisted[2]  # reviewed faster once picked up


def test_ai_assisted_share_grows_and_one_team_adopts_an_agent_half_way(con):
    shares = dict(
        con.execute(
            """
            SELECT p.created_at >= ?::TIMESTAMP AS last_quarter, avg((o.origin = 'ai_assisted')::INTEGER)
            FROM pull_requests p JOIN pr_code_origins o USING (pr_id)
            WHERE p.created_at < ?::TIMESTAMP OR p.created_at >= ?::TIMESTAMP
            GROUP BY 1
            """,
            [END - timedelta(days=90), START + timedelta(days=90), END - timedelta(days=90)],
        ).fetchall()
    )
    assert shares[True] > 2 * shares[False]  # first 90 days against the last 90
    growth = con.execute(
        """
        SELECT min(p.created_at), count(*) FROM pr_team p JOIN pr_code_origins o USING (pr_id)
        WHERE p.team_id = 'growth' AND o.origin = 'agentic' AND o.evidence = 'copilot-swe-agent[bot]'
        """
    ).fetchone()
    half_way = START + timedelta(days=274)
    assert growth[1] > 20 and half_way <= growth[0].date() <= half_way + timedelta(days=30)
    evidence = con.execute("SELECT count(*) FROM pr_code_origins WHERE origin <> 'unassisted' AND evidence IS NULL")
    assert evidence.fetchone()[0] == 0
