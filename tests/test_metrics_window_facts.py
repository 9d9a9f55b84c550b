"""A never-prepared snapshot's first view: facts kept for its window and the previous one give exactly the numbers
of facts staged per call, and selections they cannot serve (a team, outside the span) still stage their own."""

from __future__ import annotations

import contextlib
import shutil
import threading
from dataclasses import replace
from datetime import date, datetime

import duckdb
import pytest

from flowgauge.loaders.demo import save_demo
from flowgauge.metrics import DEFAULT_RULES, METRICS, Filters, breakdown, compute_all, facts, trend
from flowgauge.metrics.engine import facts_read, sources_of
from flowgauge.metrics.facts import keep_facts, release_facts, warm_facts, warm_window
from flowgauge.metrics.runner import private_cursor
from flowgauge.snapshot import open_snapshot

END = date(2026, 7, 1)
VIEW = Filters(date(2026, 4, 1), END)  # the first view (91 days); the previous window starts on 2025-12-31
SPAN = (VIEW.previous().params()["start"], VIEW.params()["end"])  # what the dashboard keeps for it


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("window") / "demo.duckdb"
    save_demo(path, scale=0.1, seed=11, end_on=date(2026, 6, 30))
    return path


@pytest.fixture(scope="module")
def per_call(demo_path):
    connection = open_snapshot(demo_path)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def windowed(demo_path):
    connection = open_snapshot(demo_path)
    assert keep_facts(connection)
    assert warm_window(connection, DEFAULT_RULES, (), *SPAN)
    yield connection
    release_facts(connection)
    connection.close()


# Rows at the edges of the kept span (2025-12-31 to 2026-07-01) and of the view (from 2026-04-01), written into a
# copy of the demo: what a window's facts could get wrong if they selected items by the window alone.
EDGES = """
-- A PR opened before the span and merged in the view, with a review before the span and one in it; shipped by a
-- deployment after the span (and the data) ends, named by the deployment's own list.
INSERT INTO pull_requests BY NAME SELECT * REPLACE (
    'edge/straddle#1' AS pr_id, TIMESTAMP '2025-11-19 09:00' AS first_commit_at,
    TIMESTAMP '2025-11-20 09:00' AS created_at, TIMESTAMP '2025-11-21 09:00' AS ready_for_review_at,
    NULL AS first_review_at, NULL AS first_approval_at, TIMESTAMP '2026-04-03 10:00' AS merged_at,
    TIMESTAMP '2026-04-03 10:00' AS closed_at, 'edge-straddle-sha' AS merge_commit_sha)
FROM pull_requests WHERE pr_id = (SELECT min(pr_id) FROM pull_requests WHERE merged_at >= DATE '2026-04-01');
INSERT INTO pr_reviews BY NAME SELECT * REPLACE ('edge/straddle#1' AS pr_id, review_id || '-edge' AS review_id,
    CASE WHEN submitted_at < DATE '2026-01-01' THEN TIMESTAMP '2025-12-01 09:00' ELSE TIMESTAMP '2026-04-02 09:00'
    END AS submitted_at, 'approved' AS state)
FROM (SELECT * FROM pr_reviews WHERE reviewer_id NOT LIKE '%[bot]' ORDER BY pr_id, review_id LIMIT 2);
INSERT INTO deployments BY NAME SELECT * REPLACE ('edge-after-span' AS deployment_id,
    TIMESTAMP '2026-07-02 09:00' AS started_at, TIMESTAMP '2026-07-02 09:10' AS finished_at, 'success' AS status)
FROM deployments WHERE environment = 'production' ORDER BY deployment_id LIMIT 1;
UPDATE deployments SET repo_id = (SELECT repo_id FROM pull_requests WHERE pr_id = 'edge/straddle#1'),
    service_id = (SELECT service_id FROM pull_requests WHERE pr_id = 'edge/straddle#1')
WHERE deployment_id = 'edge-after-span';
INSERT INTO deployment_pull_requests VALUES ('edge-after-span', 'edge/straddle#1', 'source');
-- A PR open across the whole span, never merged.
INSERT INTO pull_requests BY NAME SELECT * REPLACE (
    'edge/open#1' AS pr_id, 'open' AS state, TIMESTAMP '2025-12-20 09:00' AS created_at,
    NULL AS ready_for_review_at, NULL AS merged_at, NULL AS closed_at, NULL AS first_review_at,
    NULL AS first_approval_at)
FROM pull_requests WHERE pr_id = 'edge/straddle#1';
-- A PR merged in the view whose only deployment naming it started the day before it merged.
INSERT INTO deployments BY NAME SELECT * REPLACE ('edge-before-merge' AS deployment_id,
    TIMESTAMP '2026-05-04 09:00' AS started_at, TIMESTAMP '2026-05-04 09:10' AS finished_at, 'success' AS status)
FROM deployments WHERE deployment_id = 'edge-after-span';
INSERT INTO pull_requests BY NAME SELECT * REPLACE (
    'edge/named-early#1' AS pr_id, TIMESTAMP '2026-05-04 12:00' AS created_at,
    TIMESTAMP '2026-05-04 12:00' AS ready_for_review_at, TIMESTAMP '2026-05-05 10:00' AS merged_at,
    TIMESTAMP '2026-05-05 10:00' AS closed_at, TIMESTAMP '2026-05-04 08:00' AS first_commit_at,
    'edge-early-sha' AS merge_commit_sha)
FROM pull_requests WHERE pr_id = 'edge/straddle#1';
INSERT INTO deployment_pull_requests VALUES ('edge-before-merge', 'edge/named-early#1', 'source');
-- A review in the view of a PR merged long before the span.
INSERT INTO pr_reviews BY NAME SELECT * REPLACE (review_id || '-late' AS review_id,
    TIMESTAMP '2026-04-10 09:00' AS submitted_at)
FROM (SELECT r.* FROM pr_reviews r JOIN pull_requests p USING (pr_id)
      WHERE p.merged_at < DATE '2025-10-01' AND r.reviewer_id NOT LIKE '%[bot]' ORDER BY r.pr_id, r.review_id LIMIT 1);
-- A failed production deployment just before the span, and the one after it in the view.
INSERT INTO deployments BY NAME SELECT * REPLACE ('edge-failed-before-span' AS deployment_id,
    TIMESTAMP '2025-12-30 22:00' AS started_at, TIMESTAMP '2025-12-30 22:10' AS finished_at, 'failure' AS status)
FROM deployments WHERE deployment_id = 'edge-after-span';
-- Work items without a team of their own: their assignee's teams stand in.
UPDATE work_items SET team_id = NULL
WHERE item_key IN (SELECT item_key FROM work_items WHERE assignee_id IS NOT NULL AND started_at >= DATE '2026-04-01'
                   ORDER BY item_key LIMIT 5);
-- A sprint ending in the view without scope events: its sprint items are read instead.
DELETE FROM sprint_scope_events
WHERE sprint_id = (
    SELECT min(sprint_id) FROM sprints WHERE ends_at >= DATE '2026-04-01' AND ends_at < DATE '2026-07-01'
);
"""


@pytest.fixture(scope="module")
def edges_path(demo_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("edges") / "edges.duckdb"
    shutil.copy(demo_path, path)
    with duckdb.connect(str(path)) as con:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(EDGES)
        assert con.execute("SELECT count(*) FROM pull_requests WHERE pr_id LIKE 'edge/%'").fetchall() == [(3,)]
    return path


@pytest.fixture
def staged(monkeypatch):
    """The fact files staged per call during a test."""
    names: list[str] = []
    original = facts.stage_as
    monkeypatch.setattr(
        facts,
        "stage_as",
        lambda con, target, name, *rest, **kw: names.append(name) or original(con, target, name, *rest, **kw),
    )
    return names


def _plain(results):
    return {metric_id: result.as_dict() for metric_id, result in results.items()}


def _expected(results):
    # Values within float rounding: DuckDB sums in parallel, in an order that may differ run to run.
    return {
        metric_id: {
            **result.as_dict(),
            "value": None if result.value is None else pytest.approx(result.value, rel=1e-12),
        }
        for metric_id, result in results.items()
    }


def test_both_windows_of_the_first_view_read_the_window_facts_with_the_per_call_numbers(windowed, per_call, staged):
    repo = per_call.execute("SELECT repo_id FROM pull_requests GROUP BY ALL ORDER BY count(*) DESC LIMIT 1").fetchall()
    for filters in (
        VIEW,
        VIEW.previous(),
        Filters(date(2026, 2, 1), date(2026, 5, 1), repos=(repo[0][0],), include_bots=True),
    ):
        expected = _expected(compute_all(per_call, filters))
        assert any(result["value"] is not None for result in expected.values())
        staged.clear()
        assert _plain(compute_all(windowed, filters)) == expected, filters
        assert staged == [], filters  # served by the window's facts: nothing staged per call
    assert trend(windowed, "cycle_time", VIEW) == trend(per_call, "cycle_time", VIEW)


def test_selections_the_window_cannot_serve_stage_their_own(windowed, per_call, staged):
    team = per_call.execute("SELECT team_id FROM teams ORDER BY team_id LIMIT 1").fetchall()[0][0]
    one_team = Filters(date(2026, 4, 1), END, teams=(team,))  # the window's facts carry no team lists
    outside = Filters(date(2025, 10, 1), date(2026, 1, 1))  # before the span
    for filters in (one_team, outside):
        expected = _expected(compute_all(per_call, filters))
        staged.clear()
        assert _plain(compute_all(windowed, filters)) == expected, filters
        assert "pr_facts" in staged, filters
    staged.clear()
    assert breakdown(windowed, "cycle_time", VIEW, by="team") == breakdown(per_call, "cycle_time", VIEW, by="team")
    assert "pr_facts" in staged


def test_one_span_per_connection_and_the_whole_facts_take_over(demo_path, per_call, staged):
    connection = open_snapshot(demo_path)
    try:
        assert keep_facts(connection)
        assert warm_window(connection, DEFAULT_RULES, (), *SPAN)
        assert warm_window(connection, DEFAULT_RULES, (), datetime(2026, 3, 1), END_AT := datetime(2026, 7, 1))
        assert not warm_window(connection, DEFAULT_RULES, (), datetime(2025, 1, 1), END_AT)  # another span: none
        assert warm_facts(connection, DEFAULT_RULES)
        assert warm_window(connection, DEFAULT_RULES, (), datetime(2025, 1, 1), END_AT)  # the whole facts cover it
        outside = Filters(date(2025, 10, 1), date(2026, 1, 1))
        expected = _expected(compute_all(per_call, outside))
        staged.clear()
        assert _plain(compute_all(connection, outside)) == expected
        assert staged == []
    finally:
        release_facts(connection)
        connection.close()


def test_items_at_the_edges_of_the_span_get_the_per_call_and_the_whole_snapshots_numbers(edges_path, staged):
    """PRs straddling the span's and the view's edges, deployments before the span, before a merge and after the
    span, reviews in the view of PRs long merged, items without a team, a sprint without scope events: every
    selection the window's facts serve gives the numbers of facts staged per call and of the whole snapshot's."""
    per_call, windowed, whole = (open_snapshot(edges_path) for _ in range(3))
    try:
        assert keep_facts(windowed) and warm_window(windowed, DEFAULT_RULES, (), *SPAN)
        assert keep_facts(whole) and warm_facts(whole, DEFAULT_RULES)
        origins = per_call.execute("SELECT DISTINCT origin FROM pr_code_origins ORDER BY origin").fetchall()
        assert len(origins) >= 2
        for filters in (
            VIEW,
            VIEW.previous(),
            replace(VIEW, include_bots=True),
            replace(VIEW.previous(), include_bots=True),
            replace(VIEW, origins=(origins[0][0],)),
            replace(VIEW, origins=(origins[-1][0],), include_bots=True),
            Filters(date(2025, 12, 31), date(2026, 1, 1)),  # the span's first day alone
            Filters(date(2026, 6, 30), END),  # and its last
        ):
            expected = _expected(compute_all(per_call, filters))
            staged.clear()
            assert _plain(compute_all(windowed, filters)) == expected, filters
            assert staged == [], filters
            assert _plain(compute_all(whole, filters)) == expected, filters
        team = per_call.execute(
            "SELECT m.team_id FROM work_items w JOIN team_memberships m ON m.person_id = w.assignee_id "
            "WHERE w.team_id IS NULL ORDER BY m.team_id LIMIT 1"
        ).fetchall()[0][0]
        one_team = replace(VIEW, teams=(team,))  # the window's facts carry no team lists: staged per call
        assert _plain(compute_all(windowed, one_team)) == _expected(compute_all(per_call, one_team))
        assert _plain(compute_all(whole, one_team)) == _expected(compute_all(per_call, one_team))
    finally:
        for connection in (per_call, windowed, whole):
            release_facts(connection)
            connection.close()


def test_each_window_fact_table_is_readable_as_soon_as_it_is_staged(demo_path, per_call, staged):
    """warm_window hands each table, once staged, to after_staged on the thread that staged it, before that thread
    takes the next: the metrics reading only the tables staged so far are then computed from the window's facts
    (nothing staged per call), with the per-call numbers, while the other thread may still be staging."""
    connection = open_snapshot(demo_path)
    so_far: list[str] = []
    computed: dict[str, dict] = {}
    threads: set[str] = set()
    lock = threading.Lock()

    def aggregate_ready(table: str) -> None:
        with lock:
            so_far.append(table)
            ready = set(so_far)
            metric_ids = [
                metric_id
                for metric_id in METRICS
                if metric_id not in computed and all(facts_read(source) <= ready for source in sources_of([metric_id]))
            ]
            computed.update(dict.fromkeys(metric_ids))
            threads.add(threading.current_thread().name)
            # Made under the lock, as the app's connection pool makes its cursors: private_cursor runs a statement on
            # the shared connection, which refuses a second thread at the same moment.
            cursors = contextlib.ExitStack()
            cursor = cursors.enter_context(private_cursor(connection))
        with cursors:
            results = _plain(compute_all(cursor, VIEW, metric_ids=metric_ids))
        with lock:
            computed.update(results)

    try:
        assert keep_facts(connection)
        assert warm_window(connection, DEFAULT_RULES, (), *SPAN, after_staged=aggregate_ready)
    finally:
        release_facts(connection)
        connection.close()
    assert sorted(so_far) == sorted(facts.FACT_FILES)  # each table once
    assert len(threads) == 2  # on the thread that staged it: both took tables
    # Only the window's own staging, one fg_bots per thread: no metric staged a fact file of its own.
    assert sorted(staged) == sorted(["stage_bots", "stage_bots", *facts.FACT_FILES.values()])
    assert set(computed) == set(METRICS)
    assert computed == _expected(compute_all(per_call, VIEW))
    assert computed["cycle_time"]["value"] is not None and computed["rework_rate"]["value"] is not None


def test_a_window_whose_staging_fails_keeps_none_of_its_tables(demo_path, monkeypatch, staged):
    """A table that fails to stage leaves no table of the span readable, even those staged before it: every
    selection then stages its own, as before the window."""
    connection = open_snapshot(demo_path)
    original = facts.stage_as

    def failing(cursor, target, name, *rest, **kw):
        if name == "sprint_item_facts":
            raise duckdb.OutOfMemoryException("out of memory")
        return original(cursor, target, name, *rest, **kw)

    try:
        assert keep_facts(connection)
        monkeypatch.setattr(facts, "stage_as", failing)
        assert not warm_window(connection, DEFAULT_RULES, (), *SPAN, after_staged=lambda table: None)
        monkeypatch.setattr(facts, "stage_as", original)
        staged.clear()
        compute_all(connection, VIEW, metric_ids=["cycle_time"])
        assert "pr_facts" in staged  # the PR facts staged before the failure are not read
    finally:
        release_facts(connection)
        connection.close()
