"""The git loader on awkward histories: branches merged twice, main merged into a branch, odd file
names, binary files, deletions, Latin-1 messages, carriage returns and the CLI's error line."""

from __future__ import annotations

import subprocess
import sys
import threading

from git_repo_builder import RepoBuilder

from flowgauge.loaders.git import load_git_repos
from flowgauge.snapshot import open_snapshot

ANA = "Ana <ana@acme.com>"
BEN = "Ben <ben@acme.com>"


def query(path, sql: str) -> list[tuple]:
    con = open_snapshot(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_branch_merged_twice_gives_each_pr_only_its_new_commits(tmp_path):
    repo = RepoBuilder(tmp_path / "twice")
    repo.write("main.txt", ["m1"])
    c1 = repo.commit(["main.txt"], "Start", ANA, "2024-03-01 10:00:00 +0000")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("f.txt", ["f1"])
    f1 = repo.commit(["f.txt"], "Feature part one", BEN, "2024-03-02 10:00:00 +0000")
    repo.git("checkout", "-q", "main")
    repo.write("main.txt", ["m1", "m2"])
    c2 = repo.commit(["main.txt"], "Main moves on", ANA, "2024-03-03 10:00:00 +0000")
    repo.git("checkout", "-q", "feature")
    sync = repo.merge("main", "Merge branch 'main' into feature", BEN, "2024-03-04 10:00:00 +0000")
    repo.git("checkout", "-q", "main")
    m30 = repo.merge("feature", "Merge pull request #30 from ben/feature\n\nPart one", ANA, "2024-03-05 10:00:00 +0000")
    repo.git("checkout", "-q", "feature")
    repo.write("f.txt", ["f1", "f2"])
    f2 = repo.commit(["f.txt"], "Feature part two", BEN, "2024-03-06 10:00:00 +0000")
    repo.git("checkout", "-q", "main")
    repo.write("main.txt", ["m1", "m2", "m3"])
    c3 = repo.commit(["main.txt"], "Main again", ANA, "2024-03-07 10:00:00 +0000")
    m31 = repo.merge("feature", "Merge pull request #31 from ben/feature\n\nPart two", ANA, "2024-03-08 10:00:00 +0000")
    out = tmp_path / "twice.duckdb"
    load_git_repos([repo.path], out)
    links = query(out, "SELECT pr_id, sha FROM pr_commits")
    assert sorted(links) == sorted([("twice#30", f1), ("twice#30", sync), ("twice#31", f2)])
    assert query(out, "SELECT number, first_commit_at, author_id, lines_added FROM pull_requests ORDER BY number") == [
        (30, query(out, f"SELECT authored_at FROM commits WHERE sha = '{f1}'")[0][0], "ben@acme.com", 1),
        (31, query(out, f"SELECT authored_at FROM commits WHERE sha = '{f2}'")[0][0], "ben@acme.com", 1),
    ]
    # main merged into the branch brought no new work to main: no lines on that merge.
    assert query(out, f"SELECT lines_added, lines_deleted, files_changed FROM commits WHERE sha = '{sync}'") == [
        (0, 0, 0)
    ]
    # Line age follows the first-parent line only: every commit on it, no side commit.
    assert {r[0] for r in query(out, "SELECT sha FROM commit_line_ages")} == {c1, c2, m30, c3, m31}


def test_odd_file_names_binary_files_and_deletions_keep_line_age_exact(tmp_path):
    repo = RepoBuilder(tmp_path / "odd")
    odd = 'dir with space/na\u00efve "quoted".txt'
    repo.write(odd, ["o1", "o2", "o3", "o4"])
    repo.write("gone.txt", ["g1", "g2"])
    (repo.path / "logo.bin").write_bytes(bytes(range(256)))
    (repo.path / "tail.txt").write_text("t1\nt2")  # no newline at end of file
    c1 = repo.commit(["."], "Add files", ANA, "2024-01-01 00:00:00 +0000")
    repo.git("mv", odd, "renamed\u00e9.txt")
    repo.edit("renamed\u00e9.txt", 4, "O4")
    repo.git("rm", "-q", "gone.txt")
    (repo.path / "logo.bin").write_bytes(bytes(range(255, -1, -1)))
    (repo.path / "tail.txt").write_text("t1\nT2\nt3")
    c2 = repo.commit(["."], "Rename, delete, change binary and tail", ANA, "2024-01-05 00:00:00 +0000")
    repo.edit("renamed\u00e9.txt", 1, "O1")
    c3 = repo.commit(["."], "Old line", ANA, "2024-03-01 00:00:00 +0000")
    out = tmp_path / "odd.duckdb"
    load_git_repos([repo.path], out)
    ages = {r[0]: r[1:] for r in query(out, "SELECT sha, lines_new, lines_recent, lines_old FROM commit_line_ages")}
    # c2: O4 replaces a 4-day-old line; gone.txt's 2 lines are deleted (recent); tail: 1 replaced + 1 added.
    assert ages == {c1: (8, 0, 0), c2: (1, 4, 0), c3: (0, 0, 1)}
    commits = dict(query(out, "SELECT sha, files_changed FROM commits"))
    assert commits == {c1: 4, c2: 4, c3: 1}


def test_latin1_messages_and_carriage_returns_are_read_without_crashing(tmp_path):
    repo = RepoBuilder(tmp_path / "enc")
    repo.git("config", "i18n.commitEncoding", "ISO-8859-1")
    repo.write("a.txt", ["a"])
    message_file = tmp_path / "msg"
    message_file.write_bytes("Caf\xe9 r\xe9sum\xe9\r\n\r\nbody\r\n".encode("latin-1"))
    repo.git("add", "a.txt")
    repo.git("commit", "-q", "-F", str(message_file))
    # Raw bytes no git porcelain would write: a Latin-1 author and a message that is not UTF-8, with
    # no encoding header (as in old histories converted from other systems).
    tree, parent = repo.git("rev-parse", "HEAD^{tree}"), repo.head()
    raw = (
        f"tree {tree}\nparent {parent}\n".encode()
        + b"author Jos\xe9 <jose@acme.com> 1700000000 +0100\ncommitter Jos\xe9 <jose@acme.com> 1700000000 +0100\n\n"
        + b"Broken \xff\xfe bytes\r\n"
    )
    object_file = tmp_path / "commit.raw"
    object_file.write_bytes(raw)
    repo.git("update-ref", "HEAD", repo.git("hash-object", "-t", "commit", "-w", str(object_file)))
    out = tmp_path / "enc.duckdb"
    load_git_repos([repo.path], out)
    subjects = sorted(r[0] for r in query(out, "SELECT subject FROM commits"))
    assert subjects == ["Broken \ufffd\ufffd bytes", "Caf\xe9 r\xe9sum\xe9"]
    assert query(out, "SELECT display_name FROM people ORDER BY person_id") == [("Jos\ufffd",), ("Test",)]


def test_cli_reports_a_bad_path_in_one_line(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "flowgauge.cli.main",
            "snapshot",
            "git",
            str(tmp_path),
            "--out",
            str(tmp_path / "s.duckdb"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [f"flowgauge: error: {tmp_path}: not a git repository"]


def test_cli_loads_a_clone_and_summarises_it(tmp_path):
    repo = RepoBuilder(tmp_path / "cli")
    repo.write("a.txt", ["a"])
    repo.commit(["a.txt"], "Add a (#1)", ANA, "2024-01-01 00:00:00 +0000")
    repo.tag("v0.1", repo.head())
    out = tmp_path / "cli.duckdb"
    done = subprocess.run(
        [sys.executable, "-m", "flowgauge.cli.main", "snapshot", "git", str(repo.path), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "cli: 1 commits, 1 PRs, 1 tag deployments, 1 line-age rows" in done.stderr
    assert query(out, "SELECT pr_id, merge_method FROM pull_requests") == [("cli#1", "squash")]


def test_a_rewritten_history_is_read_again_in_full(tmp_path):
    repo = RepoBuilder(tmp_path / "rewrite")
    repo.write("a.txt", ["a1", "a2"])
    repo.commit(["a.txt"], "One", ANA, "2024-01-01 00:00:00 +0000")
    repo.edit("a.txt", 1, "A1")
    repo.commit(["a.txt"], "Two", ANA, "2024-01-02 00:00:00 +0000")
    out = tmp_path / "rewrite.duckdb"
    load_git_repos([repo.path], out)
    repo.git("commit", "-q", "--amend", "-m", "Two, reworded")
    again = load_git_repos([repo.path], out)[0]
    # The old HEAD is no ancestor of the new one: nothing can be resumed.
    assert (again.incremental, again.commits_read, again.line_age_rows) == (False, 2, 2)
    assert query(out, "SELECT count(*) FROM commits") == [(3,)]


def test_stopping_a_line_age_feed_early_ends_its_thread(tmp_path):
    from flowgauge.loaders.git.feeds import LineAgeFeed
    from flowgauge.loaders.git.repository import open_repository

    repo = RepoBuilder(tmp_path / "feed")
    for day in range(1, 4):
        repo.write("a.txt", [f"line {day}"])
        repo.commit(["a.txt"], f"Day {day}", ANA, f"2024-01-0{day} 00:00:00 +0000")
    feed = LineAgeFeed(open_repository(repo.path), None, None, 21)
    feed.close()
    assert [thread for thread in threading.enumerate() if thread.name == "flowgauge-line-age"] == []
    complete = LineAgeFeed(open_repository(repo.path), None, None, 21)
    try:
        rows = [row for table in complete.rest() for row in table.to_pylist()]
    finally:
        complete.close()
    assert [(r["lines_new"], r["lines_recent"], r["lines_old"]) for r in rows] == [(1, 0, 0), (0, 1, 0), (0, 1, 0)]
    assert complete.done == 3
