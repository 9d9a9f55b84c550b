"""Large tables kept in time order: a load that leaves them out of order publishes them in order, with the same rows,
keys and metric values, and a failure while ordering loses nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from test_cli import flowgauge
from test_store import digest

from flowgauge.loaders import time_order
from flowgauge.loaders.demo import save_demo
from flowgauge.loaders.store import write_snapshot
from flowgauge.metrics import Filters, compute_all
from flowgauge.snapshot import open_snapshot

START = datetime(2026, 1, 1)


@pytest.fixture
def small_row_groups(monkeypatch):
    """Row groups of 4 rows, so a test's few rows span several (DuckDB's own are 122,880 rows)."""
    monkeypatch.setattr(time_order, "ROW_GROUP_ROWS", 4)


def pr(repo: str, number: int, day: int) -> dict:
    at = START + timedelta(days=day)
    return {
        "pr_id": f"acme/{repo}#{number}",
        "repo_id": f"acme/{repo}",
        "number": number,
        "state": "merged",
        "is_draft": False,
        "created_at": at - timedelta(hours=5),
        "merged_at": at,
        "closed_at": at,
        "updated_at": at,
    }


def reviews_of(row: dict) -> list[dict]:
    return [
        {
            "pr_id": row["pr_id"],
            "review_id": f"{row['pr_id']}/{n}",
            "state": "approved",
            "submitted_at": row["created_at"] + timedelta(hours=n),
            "comment_count": n,
        }
        for n in (1, 2)
    ]


def load_repository_after_repository(path: Path, repos: tuple[str, ...] = ("api", "web")) -> list[dict]:
    """A first load as the GitHub loader writes it: each repository's PRs from its first to its last, one
    repository after another, every PR with its reviews; all repositories span the same 30 days."""
    prs = [pr(repo, number, 3 * number) for repo in repos for number in range(10)]
    with write_snapshot(path) as writer:
        for row in prs:
            writer.upsert("pull_requests", [row])
            writer.upsert("pr_reviews", reviews_of(row))
    return prs


def stored(path: Path, table: str, columns: str) -> list[tuple]:
    con = open_snapshot(path)
    try:
        return con.execute(f"SELECT {columns} FROM {table} ORDER BY rowid").fetchall()
    finally:
        con.close()


def test_a_first_load_is_published_in_time_order_with_its_reviews_beside_their_pr(tmp_path, small_row_groups):
    path = tmp_path / "s.duckdb"
    prs = load_repository_after_repository(path)

    in_order = sorted(prs, key=lambda row: (row["created_at"], row["pr_id"]))
    assert stored(path, "pull_requests", "pr_id") == [(row["pr_id"],) for row in in_order]
    assert [pr_id for (pr_id,) in stored(path, "pr_reviews", "pr_id")] == [
        row["pr_id"] for row in in_order for _ in (1, 2)
    ]
    # The same rows, every column, and nothing else.
    assert sorted(stored(path, "pull_requests", "pr_id, merged_at, closed_at, created_at")) == sorted(
        (row["pr_id"], row["merged_at"], row["closed_at"], row["created_at"]) for row in prs
    )
    assert sorted(stored(path, "pr_reviews", "review_id, comment_count")) == sorted(
        (review["review_id"], review["comment_count"]) for row in prs for review in reviews_of(row)
    )
    assert not [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name or p.name.endswith(".wal")]


def test_the_writer_names_the_tables_it_put_in_order_and_the_primary_keys_still_hold(tmp_path, small_row_groups):
    path = tmp_path / "s.duckdb"
    with write_snapshot(path) as writer:
        for row in [pr(repo, number, 3 * number) for repo in ("api", "web") for number in range(10)]:
            writer.upsert("pull_requests", [row])
    assert writer.tables_put_in_time_order == ["pull_requests"]

    # A later upsert of a stored PR replaces it: the rewritten table kept its primary key.
    with write_snapshot(path) as writer:
        writer.upsert("pull_requests", [{**pr("api", 3, 9), "state": "closed"}])
    con = open_snapshot(path)
    assert con.execute("SELECT count(*), count(*) FILTER (state = 'closed') FROM pull_requests").fetchall() == [(20, 1)]
    con.close()


def test_a_sync_appending_newer_rows_keeps_the_order_and_rewrites_nothing(tmp_path, small_row_groups):
    path = tmp_path / "s.duckdb"
    prs = load_repository_after_repository(path)
    newer = [pr("api", 100 + n, 40 + n) for n in range(6)]
    with write_snapshot(path) as writer:
        writer.upsert("pull_requests", newer)
        for row in newer:
            writer.upsert("pr_reviews", reviews_of(row))
    assert writer.tables_put_in_time_order == []
    ordered = sorted(prs, key=lambda row: (row["created_at"], row["pr_id"])) + newer
    assert stored(path, "pull_requests", "pr_id") == [(row["pr_id"],) for row in ordered]


def test_updated_prs_and_a_few_first_seen_late_do_not_make_the_table_out_of_order(tmp_path, small_row_groups):
    """An upserted PR is updated where it is stored, and its opening time never changes: it stays in place. A PR
    opened long ago but first seen now is appended after newer ones; its row group counts as misplaced, and one such
    row in forty is far below the share worth a rewrite."""
    path = tmp_path / "s.duckdb"
    with write_snapshot(path) as writer:
        writer.upsert("pull_requests", [pr("api", number, number) for number in range(40)])
    with write_snapshot(path) as writer:
        writer.upsert(
            "pull_requests", [{**pr("api", 1, 1), "state": "closed", "updated_at": START + timedelta(days=39)}]
        )
        writer.upsert("pull_requests", [pr("web", 1, 2)])
    assert writer.tables_put_in_time_order == []
    expected = [f"acme/api#{number}" for number in range(40)] + ["acme/web#1"]
    assert [pr_id for (pr_id,) in stored(path, "pull_requests", "pr_id")] == expected
    con = open_snapshot(path)
    placement = time_order.placement(con, "pull_requests")
    con.close()
    assert (placement.rows, placement.misplaced, placement.worth_reordering) == (41, 1, False)


def test_tables_of_one_row_group_are_left_as_written(tmp_path):
    """With DuckDB's own row groups, a test's few rows fit in one: there is nothing a window could skip."""
    path = tmp_path / "s.duckdb"
    prs = load_repository_after_repository(path)
    assert stored(path, "pull_requests", "pr_id") == [(row["pr_id"],) for row in prs]


def test_a_failure_while_ordering_leaves_the_snapshot_as_it_was_and_no_files(tmp_path, monkeypatch, small_row_groups):
    path = tmp_path / "s.duckdb"
    with write_snapshot(path) as writer:
        writer.upsert("pull_requests", [pr("api", number, 3 * number) for number in range(8)])
    before = digest(path)
    real_copy = time_order.copy_in_time_order

    def copy_then_fail(con, destination, reorder):
        real_copy(con, destination, reorder)
        raise KeyboardInterrupt  # Ctrl-C with the ordered copy written, not yet published

    monkeypatch.setattr("flowgauge.loaders.store.copy_in_time_order", copy_then_fail)
    with pytest.raises(KeyboardInterrupt), write_snapshot(path) as writer:
        writer.upsert("pull_requests", [pr("web", number, 3 * number) for number in range(8)])
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".s.duckdb.lock", "s.duckdb"]


def test_a_resumed_load_orders_the_rows_of_its_earlier_runs(tmp_path, monkeypatch, small_row_groups):
    """An interrupted API load keeps its work file; the run that finishes it wrote few rows itself, and the save
    still checks every table."""
    path = tmp_path / "s.duckdb"

    def interrupted(con, destination, reorder):
        raise KeyboardInterrupt

    monkeypatch.setattr("flowgauge.loaders.store.copy_in_time_order", interrupted)
    prs = [pr(repo, number, 3 * number) for repo in ("api", "web") for number in range(10)]
    with pytest.raises(KeyboardInterrupt), write_snapshot(path, resumable=True) as writer:
        writer.upsert("pull_requests", prs)
    assert (tmp_path / ".s.duckdb.partial").exists()

    monkeypatch.undo()
    monkeypatch.setattr(time_order, "ROW_GROUP_ROWS", 4)
    with write_snapshot(path, resumable=True) as writer:
        writer.upsert("teams", [{"team_id": "payments", "name": "Payments"}])
    assert writer.tables_put_in_time_order == ["pull_requests"]
    in_order = sorted(prs, key=lambda row: (row["created_at"], row["pr_id"]))
    assert stored(path, "pull_requests", "pr_id") == [(row["pr_id"],) for row in in_order]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".s.duckdb.lock", "s.duckdb"]


def test_every_metric_has_the_same_value_once_the_tables_are_in_order(tmp_path, monkeypatch):
    written = tmp_path / "written.duckdb"
    save_demo(written, scale=0.05, seed=5, end_on=date(2026, 6, 30))
    ordered = tmp_path / "ordered.duckdb"
    ordered.write_bytes(written.read_bytes())
    monkeypatch.setattr(time_order, "ROW_GROUP_ROWS", 500)
    with write_snapshot(ordered, check_time_order=True) as writer:
        pass
    # The demo writes PRs and deployments in time order already; their children come grouped otherwise.
    assert writer.tables_put_in_time_order == [
        "pr_reviews", "pr_commits", "commits", "commit_line_ages", "deployment_pull_requests", "deployment_commits"
    ]  # fmt: skip

    results = []
    for path in (written, ordered):
        con = open_snapshot(path)
        results.append(
            {
                filters: {k: v.as_dict() for k, v in compute_all(con, filters).items()}
                for filters in (
                    Filters(date(2026, 4, 1), date(2026, 6, 30)),
                    Filters(date(2026, 1, 1), date(2026, 3, 1)),
                )
            }
        )
        con.close()
    assert results[1] == results[0]
    assert any(
        result["value"] is not None for result in results[0][Filters(date(2026, 4, 1), date(2026, 6, 30))].values()
    )


def test_upgrade_puts_an_older_snapshot_in_time_order_and_says_so(tmp_path):
    """At DuckDB's own row group size: 150,000 PRs written repository after repository, as an earlier Flowgauge left
    them (this Flowgauge checks only what a write wrote)."""
    path = tmp_path / "old.duckdb"
    repos, per_repo = 15, 10_000
    numbers = pa.array([n for _ in range(repos) for n in range(per_repo)], pa.int32())
    times = pa.array(
        [START + timedelta(minutes=50 * n) for _ in range(repos) for n in range(per_repo)], pa.timestamp("us")
    )
    prs = pa.table(
        {
            "pr_id": [f"acme/r{r}#{n}" for r in range(repos) for n in range(per_repo)],
            "repo_id": [f"acme/r{r}" for r in range(repos) for _ in range(per_repo)],
            "number": numbers,
            "state": ["merged"] * (repos * per_repo),
            "is_draft": [False] * (repos * per_repo),
            "created_at": times,
            "merged_at": times,
            "closed_at": times,
        }
    )
    with write_snapshot(path) as writer:
        # Past the writer's upsert, which would have the save check the table: as an older writer left it.
        writer.con.register("given", prs)
        writer.con.execute("INSERT INTO pull_requests BY NAME SELECT * FROM given")
    assert stored(path, "pull_requests", "pr_id")[per_repo] == ("acme/r1#0",)

    result = flowgauge("upgrade", str(path))
    assert result.returncode == 0, result.stderr
    assert "Wrote pull_requests again in time order" in result.stdout
    ids = [pr_id for (pr_id,) in stored(path, "pull_requests", "pr_id")]
    assert ids[:3] == ["acme/r0#0", "acme/r1#0", "acme/r10#0"]  # the same minute: by pr_id
    assert len(ids) == len(set(ids)) == repos * per_repo


def test_a_disk_refusing_the_ordered_copy_publishes_the_load_as_is(tmp_path, monkeypatch, small_row_groups, caplog):
    """Time order only makes reads faster: a load is never lost to it. The ordered copy needs room for a third copy
    of the snapshot; when the disk refuses, the work copy is published as written, with a one-line warning."""
    path = tmp_path / "s.duckdb"
    real_copy = time_order.copy_in_time_order

    def disk_full(con, destination, reorder):
        real_copy(con, destination, [])  # a partial file left behind, as a full disk would
        raise duckdb.IOException(f'Could not write file "{destination}": No space left on device')

    monkeypatch.setattr("flowgauge.loaders.store.copy_in_time_order", disk_full)
    prs = [pr(repo, number, 3 * number) for repo in ("api", "web") for number in range(10)]
    with caplog.at_level("WARNING", logger="flowgauge.loaders.store"), write_snapshot(path) as writer:
        writer.upsert("pull_requests", prs)
    assert writer.tables_put_in_time_order == []
    assert writer.time_order_failure == "no space left on device"
    assert [record.getMessage() for record in caplog.records] == [
        f"{path}: saved with its tables in the order they were written: time order failed (no space left on device)"
    ]
    assert stored(path, "pull_requests", "pr_id") == [(row["pr_id"],) for row in prs]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".s.duckdb.lock", "s.duckdb"]


def test_orphan_children_and_a_table_the_schema_does_not_name_are_kept(tmp_path, small_row_groups):
    """A snapshot can come from anyone: reviews whose PR is not in it have no time and go last, and a table outside
    the schema, named with quotes and SQL, is copied as it is, never run."""
    path = tmp_path / "s.duckdb"
    hostile = 'evil"; DROP TABLE pull_requests; --'
    prs = [pr(repo, number, 3 * number) for repo in ("api", "web") for number in range(10)]
    orphans = reviews_of(pr("gone", 1, 0))
    with write_snapshot(path) as writer:
        writer.upsert("pr_reviews", orphans)
        for row in prs:
            writer.upsert("pull_requests", [row])
            writer.upsert("pr_reviews", reviews_of(row))
        writer.con.execute(f'CREATE TABLE "{hostile.replace(chr(34), chr(34) * 2)}" AS SELECT 42 AS answer')
    assert writer.tables_put_in_time_order == ["pull_requests", "pr_reviews"]
    assert writer.time_order_failure is None
    review_ids = [review_id for (review_id,) in stored(path, "pr_reviews", "review_id")]
    assert len(review_ids) == 2 * len(prs) + 2
    assert review_ids[-2:] == [review["review_id"] for review in orphans]
    con = open_snapshot(path)
    try:
        quoted_name = '"' + hostile.replace('"', '""') + '"'
        assert con.execute(f"SELECT answer FROM {quoted_name}").fetchall() == [(42,)]
        assert con.execute("SELECT count(*) FROM pull_requests").fetchall() == [(20,)]
    finally:
        con.close()
