"""The snapshot store: schema, round trips, atomic swaps, interrupted writes and version checks."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from flowgauge.errors import NotASnapshot, SchemaMismatch, SnapshotBusy, SnapshotNotFound
from flowgauge.loaders import migrations
from flowgauge.loaders.store import write_snapshot
from flowgauge.snapshot import SCHEMA_VERSION, open_snapshot, schema_sql

REQUIRED_TABLES = {
    "snapshot_meta", "sources", "sync_state", "sync_runs", "people", "person_aliases", "teams", "team_memberships",
    "repositories", "services", "pull_requests", "pr_code_origins", "pr_reviews", "commits", "pr_commits",
    "commit_line_ages", "deployments", "deployment_statuses", "deployment_pull_requests", "deployment_commits",
    "releases", "workflow_runs", "incidents", "work_items", "sprints", "sprint_items", "sprint_scope_events",
    "survey_responses",
}  # fmt: skip


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_people(path: Path, *names: str, fresh: bool = False) -> None:
    with write_snapshot(path, fresh=fresh) as writer:
        writer.upsert("people", [{"person_id": name, "display_name": name.title(), "is_bot": False} for name in names])


def people_in(path: Path) -> list[str]:
    con = open_snapshot(path)
    try:
        return [row[0] for row in con.execute("SELECT person_id FROM people ORDER BY person_id").fetchall()]
    finally:
        con.close()


def test_schema_creates_cleanly_and_is_idempotent():
    con = duckdb.connect(":memory:")
    con.execute(schema_sql())
    con.execute(schema_sql())  # a second run must be a no-op
    tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert tables == REQUIRED_TABLES


def test_every_schema_column_has_a_comment():
    missing = []
    for line in schema_sql().splitlines():
        stripped = line.strip()
        is_column = re.match(r"^[a-z_]+ [A-Z]", stripped) and not stripped.startswith(("CREATE", "PRIMARY"))
        if is_column and "--" not in stripped:
            missing.append(stripped)
    assert missing == []


def test_round_trip_keeps_values_and_types(tmp_path):
    path = tmp_path / "snap.duckdb"
    opened = datetime(2025, 3, 30, 0, 30)  # the night European clocks went forward: stored as plain UTC
    with write_snapshot(path) as writer:
        writer.upsert("repositories", [{"repo_id": "acme/pay", "name": "pay", "source": "demo", "is_archived": False}])
        writer.upsert(
            "pull_requests",
            [
                {
                    "pr_id": "acme/pay#1",
                    "repo_id": "acme/pay",
                    "number": 1,
                    "state": "merged",
                    "is_draft": False,
                    "created_at": opened,
                    "lines_added": 12,
                    "labels": ["bug", "hotfix"],
                    "issue_keys": ["PAY-7"],
                }
            ],
        )
        writer.record_source("demo", "demo", "hand-made")
    con = open_snapshot(path)
    row = con.execute("SELECT created_at, lines_added, labels, issue_keys FROM pull_requests").fetchone()
    assert row == (opened, 12, ["bug", "hotfix"], ["PAY-7"])
    version, tool = con.execute("SELECT schema_version, tool_version FROM snapshot_meta").fetchone()
    assert version == SCHEMA_VERSION and tool
    assert con.execute("SELECT kind, location, rows_written FROM sources").fetchone() == ("demo", "hand-made", 2)
    con.close()


def test_upsert_replaces_rows_with_the_same_key(tmp_path):
    path = tmp_path / "snap.duckdb"
    write_people(path, "ana", "bo")
    with write_snapshot(path) as writer:
        writer.upsert("people", [{"person_id": "ana", "display_name": "Ana Renamed", "is_bot": False}])
    con = open_snapshot(path)
    assert con.execute("SELECT display_name FROM people ORDER BY person_id").fetchall() == [("Ana Renamed",), ("Bo",)]
    con.close()


def test_exception_mid_write_leaves_the_old_snapshot_byte_identical(tmp_path):
    path = tmp_path / "snap.duckdb"
    write_people(path, "ana")
    before = digest(path)
    with pytest.raises(RuntimeError, match="source went away"), write_snapshot(path) as writer:
        writer.upsert("people", [{"person_id": "bo", "is_bot": False}])
        raise RuntimeError("source went away")
    assert digest(path) == before
    assert people_in(path) == ["ana"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".snap.duckdb.lock", "snap.duckdb"]  # no work file left


def test_killed_writer_process_leaves_the_old_snapshot_readable(tmp_path):
    path = tmp_path / "snap.duckdb"
    write_people(path, "ana")
    before = digest(path)
    script = textwrap.dedent(
        f"""
        import os, signal
        from flowgauge.loaders.store import write_snapshot
        with write_snapshot({str(path)!r}) as writer:
            writer.upsert("people", [{{"person_id": "bo", "is_bot": False}}])
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert result.returncode == -9
    assert digest(path) == before
    assert people_in(path) == ["ana"]
    write_people(path, "cy")  # the next load is not blocked by the dead one
    assert people_in(path) == ["ana", "cy"]


def test_open_reader_does_not_block_a_new_snapshot_and_keeps_its_view(tmp_path):
    path = tmp_path / "snap.duckdb"
    write_people(path, "ana")
    reader = open_snapshot(path)
    write_people(path, "bo")  # swapped in while the reader holds the old file
    assert reader.execute("SELECT count(*) FROM people").fetchone()[0] == 1
    assert people_in(path) == ["ana", "bo"]
    reader.close()


def test_reader_in_another_process_does_not_block_the_swap(tmp_path):
    path = tmp_path / "snap.duckdb"
    write_people(path, "ana")
    script = textwrap.dedent(
        f"""
        import sys
        from flowgauge.snapshot import open_snapshot
        con = open_snapshot({str(path)!r})
        print(con.execute("SELECT count(*) FROM people").fetchone()[0], flush=True)
        sys.stdin.readline()
        print(con.execute("SELECT count(*) FROM people").fetchone()[0], flush=True)
        """
    )
    reader = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "1"
        write_people(path, "bo", "cy")
        out, _ = reader.communicate("\n", timeout=60)
    finally:
        reader.kill()
    assert out.strip() == "1"  # the reader kept its consistent view
    assert people_in(path) == ["ana", "bo", "cy"]


def test_fresh_write_replaces_everything(tmp_path):
    path = tmp_path / "snap.duckdb"
    write_people(path, "ana")
    write_people(path, "zoe", fresh=True)
    assert people_in(path) == ["zoe"]


def test_second_concurrent_writer_is_refused_clearly(tmp_path):
    path = tmp_path / "snap.duckdb"
    with write_snapshot(path) as writer:
        writer.upsert("people", [{"person_id": "ana", "is_bot": False}])
        with pytest.raises(SnapshotBusy, match="another load is writing this snapshot"), write_snapshot(path):
            pass
    assert people_in(path) == ["ana"]


def test_resumable_write_keeps_progress_after_a_failure(tmp_path):
    path = tmp_path / "snap.duckdb"
    write_people(path, "ana")
    before = digest(path)
    with pytest.raises(ConnectionError), write_snapshot(path, resumable=True) as writer:
        writer.upsert("people", [{"person_id": "page1", "is_bot": False}])
        writer.save_cursor("github:acme", "acme/pay", "pull_requests", "cursor-after-page-1", complete=False)
        raise ConnectionError("network dropped")
    assert digest(path) == before  # the published snapshot is untouched
    with write_snapshot(path, resumable=True) as writer:
        stored = writer.cursor("github:acme", "acme/pay", "pull_requests")
        assert stored.cursor == "cursor-after-page-1" and stored.complete is False
        writer.upsert("people", [{"person_id": "page2", "is_bot": False}])
    assert people_in(path) == ["ana", "page1", "page2"]


def test_resumable_work_is_dropped_when_the_snapshot_changed_meanwhile(tmp_path):
    path = tmp_path / "snap.duckdb"
    write_people(path, "ana")
    with pytest.raises(ConnectionError), write_snapshot(path, resumable=True) as writer:
        writer.upsert("people", [{"person_id": "stale", "is_bot": False}])
        raise ConnectionError("network dropped")
    write_people(path, "bo")  # another load published in between
    with write_snapshot(path, resumable=True) as writer:
        assert writer.cursor("github:acme", "acme/pay", "pull_requests") is None
    assert people_in(path) == ["ana", "bo"]


def make_snapshot_with_version(path: Path, version: int) -> None:
    write_people(path, "ana")
    con = duckdb.connect(str(path))
    con.execute("UPDATE snapshot_meta SET schema_version = ?", [version])
    con.close()


def test_newer_schema_is_refused_for_reading_and_writing(tmp_path):
    path = tmp_path / "future.duckdb"
    make_snapshot_with_version(path, SCHEMA_VERSION + 1)
    before = digest(path)
    with pytest.raises(SchemaMismatch, match=f"version {SCHEMA_VERSION + 1} is newer than this Flowgauge reads"):
        open_snapshot(path)
    with pytest.raises(SchemaMismatch, match="newer than this Flowgauge writes"), write_snapshot(path):
        pass
    assert digest(path) == before


def test_older_schema_without_migration_is_refused(tmp_path):
    path = tmp_path / "old.duckdb"
    make_snapshot_with_version(path, 0)  # no schema before version 1 has a migration
    with pytest.raises(SchemaMismatch, match="older than this Flowgauge reads .*`flowgauge upgrade "):
        open_snapshot(path)
    with pytest.raises(SchemaMismatch, match="cannot be migrated"), write_snapshot(path):
        pass


def test_older_schema_is_migrated_when_a_migration_exists(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    make_snapshot_with_version(path, SCHEMA_VERSION - 1)
    monkeypatch.setitem(
        migrations.MIGRATIONS, SCHEMA_VERSION - 1, "UPDATE people SET display_name = 'migrated ' || person_id"
    )
    with write_snapshot(path):
        pass
    con = open_snapshot(path)
    assert con.execute("SELECT schema_version FROM snapshot_meta").fetchone()[0] == SCHEMA_VERSION
    assert con.execute("SELECT display_name FROM people").fetchone()[0] == "migrated ana"
    con.close()


def test_a_version_1_snapshot_says_a_csv_exports_sprint_items_are_not_known_planned(tmp_path):
    path = tmp_path / "v1.duckdb"
    make_snapshot_with_version(path, 1)
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE sprint_items ALTER COLUMN added_after_start SET NOT NULL")  # as version 1 had it
    con.execute(
        "INSERT INTO sprint_items (sprint_id, item_key, added_after_start) VALUES "
        "('jira:name:PAY 12', 'PAY-1', false), ('jira:31', 'PAY-1', false), ('jira:31', 'PAY-2', true)"
    )
    con.close()
    with write_snapshot(path) as writer:
        writer.con.execute("INSERT INTO sprint_items (sprint_id, item_key) VALUES ('jira:name:PAY 13', 'PAY-1')")
    con = open_snapshot(path)
    assert con.execute("SELECT schema_version FROM snapshot_meta").fetchone()[0] == SCHEMA_VERSION
    rows = con.execute("SELECT sprint_id, item_key, added_after_start FROM sprint_items ORDER BY ALL").fetchall()
    con.close()
    # The CSV export's false meant "cannot tell"; the Jira JSON sprint's values were known and stay.
    assert rows == [("jira:31", "PAY-1", False), ("jira:31", "PAY-2", True), ("jira:name:PAY 12", "PAY-1", None),
                    ("jira:name:PAY 13", "PAY-1", None)]  # fmt: skip


def test_a_version_2_snapshot_gains_sprint_scope_events(tmp_path):
    path = tmp_path / "v2.duckdb"
    make_snapshot_with_version(path, 2)
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE sprint_scope_events")
    con.close()
    with write_snapshot(path):
        pass
    con = open_snapshot(path)
    assert con.execute("SELECT schema_version FROM snapshot_meta").fetchone()[0] == SCHEMA_VERSION
    assert con.execute("SELECT count(*) FROM sprint_scope_events").fetchone()[0] == 0
    assert con.execute("SELECT display_name FROM people").fetchone()[0] == "Ana"  # the rest kept
    con.close()


def test_bad_paths_and_files_are_named_in_the_error(tmp_path):
    with pytest.raises(SnapshotNotFound, match="missing.duckdb: no such snapshot file"):
        open_snapshot(tmp_path / "missing.duckdb")
    text_file = tmp_path / "notes.duckdb"
    text_file.write_text("not a database")
    with pytest.raises(NotASnapshot, match="notes.duckdb: not a DuckDB file"):
        open_snapshot(text_file)
    plain = tmp_path / "plain.duckdb"
    duckdb.connect(str(plain)).execute("CREATE TABLE t (x INTEGER)").close()
    with pytest.raises(NotASnapshot, match="not a Flowgauge snapshot"):
        open_snapshot(plain)
    with pytest.raises(NotASnapshot, match="not a Flowgauge snapshot"), write_snapshot(plain):
        pass
    with pytest.raises(SnapshotNotFound, match="folder does not exist"), write_snapshot(tmp_path / "nope" / "x.duckdb"):
        pass


def test_unknown_table_is_a_programming_error(tmp_path):
    with pytest.raises(ValueError, match="'peeple' is not a table"), write_snapshot(tmp_path / "s.duckdb") as w:
        w.upsert("peeple", [{"person_id": "x"}])


def test_a_freshly_opened_snapshot_accepts_arrow_queries_at_once(tmp_path):
    path = tmp_path / "snap.duckdb"
    write_people(path, "ana", "bo")
    con = open_snapshot(path)  # must leave no unfinished result behind (DuckDB 2 would refuse the next call)
    assert con.sql("SELECT count(*) AS n FROM people").to_arrow_table().column("n").to_pylist() == [2]
    con.close()
