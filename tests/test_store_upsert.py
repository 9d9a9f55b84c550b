"""SnapshotWriter.upsert and insert_new on whole pages: repeated keys, changed rows, pages of new and stored keys
mixed, and a page that fails part-way."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from flowgauge.loaders.store import write_snapshot
from flowgauge.snapshot import open_snapshot


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def table(path: Path, sql: str) -> list[tuple]:
    con = open_snapshot(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def person(person_id: str, name: str, **more) -> dict:
    return {"person_id": person_id, "display_name": name, "is_bot": False, **more}


def pr(number: int, title: str, **more) -> dict:
    return {
        "pr_id": f"acme/web#{number}",
        "repo_id": "acme/web",
        "number": number,
        "title": title,
        "state": "open",
        "is_draft": False,
        "created_at": datetime(2026, 3, number),
        "labels": ["frontend"],
        **more,
    }


def commit(sha: str, parents: list[str], subject: str) -> dict:
    at = datetime(2026, 3, 2, 9, 30)
    return {"repo_id": "acme/web", "sha": sha, "authored_at": at, "committed_at": at, "parent_shas": parents,
            "subject": subject}  # fmt: skip


@pytest.mark.parametrize("stored", [[], [person("ana", "Ana Before")]], ids=["first load", "key stored"])
def test_a_page_repeating_a_key_keeps_its_last_row_and_counts_it_once(tmp_path, stored):
    path = tmp_path / "snap.duckdb"
    with write_snapshot(path) as writer:
        writer.upsert("people", stored)
    page = [person("ana", "Ana One"), person("bo", "Bo"), person("ana", "Ana Two")]
    with write_snapshot(path) as writer:
        assert writer.upsert("people", page) == 2
        assert writer.rows_written == 2
    assert table(path, "SELECT person_id, display_name FROM people ORDER BY 1") == [("ana", "Ana Two"), ("bo", "Bo")]


def test_a_repeated_key_in_an_arrow_page_keeps_its_last_row(tmp_path):
    path = tmp_path / "snap.duckdb"
    page = pa.Table.from_pylist([commit("c1", [], "first"), commit("c2", ["c1"], "second"), commit("c1", [], "again")])
    with write_snapshot(path) as writer:
        assert writer.upsert("commits", page) == 2
    assert table(path, "SELECT sha, subject FROM commits ORDER BY 1") == [("c1", "again"), ("c2", "second")]


def test_upserting_a_changed_row_replaces_the_columns_given_and_keeps_the_others(tmp_path):
    path = tmp_path / "snap.duckdb"
    with write_snapshot(path) as writer:
        writer.upsert("people", [person("ana", "Ana", primary_email="ana@acme.test", bot_reason=None)])
        writer.upsert("pull_requests", [pr(1, "Fix login", service_id="acme/web:auth")])
    with write_snapshot(path) as writer:
        writer.upsert("people", [person("ana", "Ana Lima")])  # no primary_email: the stored one stays
        writer.upsert("pull_requests", [pr(1, "Fix login (v2)", state="merged", labels=[])])
    assert table(path, "SELECT display_name, primary_email FROM people") == [("Ana Lima", "ana@acme.test")]
    assert table(path, "SELECT title, state, labels, service_id FROM pull_requests") == [
        ("Fix login (v2)", "merged", [], "acme/web:auth")
    ]


def test_a_page_of_stored_and_new_keys_is_written_whole_and_again_changes_nothing(tmp_path):
    path = tmp_path / "snap.duckdb"
    with write_snapshot(path) as writer:
        writer.upsert("pull_requests", [pr(1, "Old title"), pr(4, "Untouched")])
    page = [pr(1, "New title"), pr(2, "Second"), pr(3, "Third")]
    with write_snapshot(path) as writer:
        assert writer.upsert("pull_requests", page) == 3
    expected = [(1, "New title"), (2, "Second"), (3, "Third"), (4, "Untouched")]
    assert table(path, "SELECT number, title FROM pull_requests ORDER BY 1") == expected
    with write_snapshot(path) as writer:
        writer.upsert("pull_requests", page)  # idempotent: the same page again
    assert table(path, "SELECT number, title FROM pull_requests ORDER BY 1") == expected


@pytest.mark.parametrize("stored_key", [False, True], ids=["all keys new", "one key stored"])
def test_a_page_failing_part_way_writes_none_of_its_rows(tmp_path, stored_key):
    path = tmp_path / "snap.duckdb"
    with write_snapshot(path) as writer:
        writer.upsert("people", [person("ana", "Ana")])
    before = digest(path)
    page = [person("ana", "Ana Renamed")] if stored_key else []
    page += [person("bo", "Bo"), {"person_id": "cy", "display_name": "Cy", "is_bot": None}]  # is_bot is NOT NULL
    with pytest.raises(duckdb.ConstraintException, match="is_bot"), write_snapshot(path) as writer:
        with pytest.raises(duckdb.ConstraintException, match="is_bot"):
            writer.upsert("people", page)
        # The failed page left nothing in the work copy either: the load could go on from the rows before it.
        assert writer.con.execute("SELECT person_id, display_name FROM people").fetchall() == [("ana", "Ana")]
        assert writer.rows_written == 0
        writer.upsert("people", page)  # the load fails
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".snap.duckdb.lock", "snap.duckdb"]  # no work file left


def test_a_table_without_a_key_refuses_a_bad_row_rather_than_replacing(tmp_path):
    path = tmp_path / "snap.duckdb"
    answer = {"survey_id": "2026-Q1", "responded_on": None, "question": "Ease of release", "score": 4.0,
              "scale_max": 5.0, "respondent": "r1"}  # fmt: skip
    with pytest.raises(duckdb.ConstraintException, match="responded_on"), write_snapshot(path) as writer:
        writer.upsert("survey_responses", [answer])
    assert not path.exists()


def test_insert_new_keeps_stored_rows_and_inserts_the_others(tmp_path):
    path = tmp_path / "snap.duckdb"
    with write_snapshot(path) as writer:
        writer.upsert("commits", [commit("c1", ["c0"], "from git, with its parent")])
    with write_snapshot(path) as writer:
        page = [commit("c1", [], "from the API"), commit("c2", [], "new"), commit("c2", [], "new, seen twice")]
        assert writer.insert_new("commits", page) == 1
        assert writer.insert_new("commits", page) == 0
        assert writer.rows_written == 1
    assert table(path, "SELECT sha, parent_shas, subject FROM commits ORDER BY 1") == [
        ("c1", ["c0"], "from git, with its parent"),
        ("c2", [], "new, seen twice"),
    ]


def cursor_of(path: Path) -> list[tuple]:
    return table(path, "SELECT cursor, complete FROM sync_state")


def test_a_page_in_one_transaction_saves_its_rows_and_cursor_together(tmp_path):
    path = tmp_path / "snap.duckdb"
    with write_snapshot(path) as writer:
        writer.upsert("pull_requests", [pr(1, "Stored")])

    def page(writer):
        writer.upsert("pull_requests", [pr(1, "Changed"), pr(2, "New")])  # a stored key: the page is written again
        writer.insert_new("commits", [commit("c1", [], "first")])
        writer.save_cursor("github:acme", "acme/web", "pull_requests", '{"after": "2"}', complete=False)
        return "saved"

    with write_snapshot(path) as writer:
        assert writer.in_one_transaction(page) == "saved"
        assert writer.rows_written == 3  # counted once, not again for the page's second writing
    assert table(path, "SELECT number, title FROM pull_requests ORDER BY 1") == [(1, "Changed"), (2, "New")]
    assert table(path, "SELECT sha FROM commits") == [("c1",)]
    assert cursor_of(path) == [('{"after": "2"}', False)]


def fail_api(writer):
    raise ConnectionError("the API went away mid-page")


def fail_bad_row(writer):
    writer.upsert("commits", [commit("c9", [], "no time") | {"authored_at": None}])  # authored_at is NOT NULL


@pytest.mark.parametrize("stored_key", [False, True], ids=["all keys new", "one key stored"])
@pytest.mark.parametrize("failure", [fail_api, fail_bad_row], ids=["API fails", "a row is refused"])
def test_a_page_failing_in_one_transaction_saves_neither_rows_nor_cursor(tmp_path, stored_key, failure):
    path = tmp_path / "snap.duckdb"
    with write_snapshot(path, resumable=True) as writer:
        writer.upsert("pull_requests", [pr(1, "Stored")])
        writer.save_cursor("github:acme", "acme/web", "pull_requests", '{"after": "1"}', complete=False)
    before = digest(path)

    def page(writer):
        writer.upsert("pull_requests", [pr(1, "Changed")] if stored_key else [pr(2, "New")])
        writer.save_cursor("github:acme", "acme/web", "pull_requests", '{"after": "2"}', complete=False)
        failure(writer)

    error = ConnectionError if failure is fail_api else duckdb.ConstraintException
    with pytest.raises(error), write_snapshot(path, resumable=True) as writer:
        writer.upsert("people", [person("ana", "Ana")])  # an earlier page, saved
        with pytest.raises(error):
            writer.in_one_transaction(page)
        assert writer.con.execute("SELECT number, title FROM pull_requests").fetchall() == [(1, "Stored")]
        assert writer.con.execute("SELECT cursor FROM sync_state").fetchall() == [('{"after": "1"}',)]
        assert writer.rows_written == 1
        writer.in_one_transaction(page)  # the load fails
    assert digest(path) == before
    assert cursor_of(path) == [('{"after": "1"}', False)]
