"""The git loader on the real repositories in ../shared/testdata/perceval_testdata/git (skipped when absent)."""

from __future__ import annotations

import tarfile
from datetime import datetime
from pathlib import Path

import pytest

from flowgauge.loaders.git import load_git_repos
from flowgauge.loaders.git.history import HistoryWalk
from flowgauge.loaders.git.log_reader import IncompleteLog
from flowgauge.loaders.git.saved_log import parse_saved_log
from flowgauge.snapshot import open_snapshot

GIT_TESTDATA = Path(__file__).parents[2] / "shared" / "testdata" / "perceval_testdata" / "git"

pytestmark = pytest.mark.skipif(not GIT_TESTDATA.is_dir(), reason="../shared/testdata is not present")

MERGE = "456a68ee1407a77f3e804a30dff245bb6c6b872f"
SIDE = "51a3b654f252210572297f47597b31527c475fb8"
ORIGIN_MASTER = "589bb080f059834829a2a5955bebfd7c2baa110a"


def extract(name: str, into: Path) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(GIT_TESTDATA / f"{name}.tar.gz") as archive:
        # The 'data' filter drops the archive's owner, so git does not refuse a foreign-owned clone.
        archive.extractall(into, filter="data")
    return into / name


def load(paths: list[Path], out: Path) -> tuple[list, object]:
    results = load_git_repos(paths, out)
    return results, open_snapshot(out)


def test_gittest_history_with_a_rename_and_a_plain_merge(tmp_path):
    results, con = load([extract("gittest", tmp_path)], tmp_path / "s.duckdb")
    try:
        assert (results[0].repo_id, results[0].commits_read, results[0].pull_requests) == ("gittest", 9, 0)
        # origin is a path on the recording machine, so the folder names the repository and there is no URL.
        assert con.execute("SELECT repo_id, url, default_branch FROM repositories").fetchall() == [
            ("gittest", None, "master")
        ]
        merge = con.execute(
            "SELECT parent_shas, lines_added, lines_deleted, files_changed, authored_at, subject FROM commits "
            "WHERE sha = ?",
            [MERGE],
        ).fetchone()
        assert merge == (
            ["ce8e0b86a1e9877f42fe9453ede418519115f367", SIDE],
            1,
            0,
            1,
            datetime(2014, 2, 12, 6, 10, 39),
            "Merge branch 'lzp'",
        )
        assert con.execute("SELECT display_name FROM people ORDER BY 1").fetchall() == [
            ("Eduardo Morais",),
            ("Zhongpeng Lin (林中鹏)",),
        ]
        # A merge of a plain branch is not a PR: nothing in its message names one.
        assert con.execute("SELECT count(*) FROM pull_requests").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM commit_line_ages").fetchone() == (8,)
        assert con.execute(
            "SELECT sum(lines_new), sum(lines_recent), sum(lines_old) FROM commit_line_ages"
        ).fetchone() == (
            2,
            0,
            0,
        )
    finally:
        con.close()


def test_detached_head_submodules_packed_refs_and_empty_repositories(tmp_path):
    paths = [
        extract("gitdetached", tmp_path / "a"),
        extract("gittest-top-sub", tmp_path / "b"),
        extract("gittest-sub", tmp_path / "c"),
        extract("gittest_no_refs", tmp_path / "d"),
        extract("gittestempty", tmp_path / "e"),
    ]
    results, con = load(paths, tmp_path / "s.duckdb")
    try:
        assert [(r.repo_id, r.commits_read) for r in results] == [
            ("gitdetached", 6),
            ("gittest-top-sub", 9),
            ("gittest-sub", 10),
            ("gittest_no_refs", 1),
            ("gittestempty", 0),
        ]
        branches = dict(con.execute("SELECT repo_id, default_branch FROM repositories").fetchall())
        assert branches == {
            "gitdetached": None,
            "gittest-top-sub": "master",
            "gittest-sub": "master",
            "gittest_no_refs": None,
            "gittestempty": "master",
        }
        cursors = dict(con.execute("SELECT repo_id, cursor FROM sync_state WHERE stream = 'commits'").fetchall())
        assert cursors["gitdetached"] == ORIGIN_MASTER
        assert cursors["gittestempty"] is None
    finally:
        con.close()


def test_bare_repository_with_alternates_and_no_branch_yet_loads_as_empty(tmp_path):
    extract("gittest", tmp_path)
    alternates = extract("gitalternates", tmp_path / "nested")
    results, con = load([alternates], tmp_path / "s.duckdb")
    try:
        assert (results[0].repo_id, results[0].commits_read) == ("gitalternates", 0)
        assert con.execute("SELECT repo_id, default_branch FROM repositories").fetchall() == [
            ("gitalternates", "master")
        ]
    finally:
        con.close()


def saved(name: str) -> list:
    return list(parse_saved_log((GIT_TESTDATA / name).read_bytes().split(b"\n")))


def summary(commit) -> tuple:
    return (commit.sha[:7], len(commit.parents), commit.lines_added, commit.lines_deleted, commit.files_changed)


def test_saved_logs_with_carriage_returns_and_bad_encodings():
    (cr,) = saved("git_bad_cr.txt")
    assert summary(cr) == ("2d137c2", 1, 36, 44, 1)
    assert cr.message == "[PATCH] arm: fix SIGBUS handling\n\n\r)\n"
    assert (cr.name, cr.authored_at) == ("akpm@osdl.org", datetime(2005, 4, 16, 22, 23, 55))
    (bad,) = saved("git_bad_encoding.txt")
    assert summary(bad) == ("cb24e4f", 1, 12, 1, 2)
    assert bad.subject == "Calling \ufffdOpen Type\ufffd (CTRL+SHIFT+T) after startup - performance improvement."


def test_saved_logs_with_merges_renames_and_special_file_names():
    history = saved("git_log.txt")
    assert [summary(c) for c in history[:3]] == [
        ("456a68e", 2, 1, 0, 1),  # the combined-diff '::' line is skipped, its numstat counted
        ("51a3b65", 1, 1, 0, 1),
        ("ce8e0b8", 1, 0, 0, 1),  # a rename in '{a => b}' notation is one file
    ]
    assert history[0].name == "Zhongpeng Lin (林中鹏)"
    assert [summary(c) for c in saved("git_log_merge.txt")] == [("8cbdd85", 2, 53, 7, 3), ("456a68e", 2, 1, 0, 1)]
    assert [summary(c) for c in saved("git_log_merge_moved.txt")] == [
        ("f864da5", 2, 18, 12, 3),
        ("456a68e", 2, 1, 0, 1),
    ]
    assert [summary(c) for c in saved("git_log_moved.txt")] == [("1e62509", 1, 4, 4, 2)]
    assert [summary(c) for c in saved("git_log_moved_special_files.txt")] == [("7441fd4", 1, 113, 242, 10)]
    assert [summary(c) for c in saved("git_log_brackets.txt")] == [("d79655d", 0, 0, 0, 1)]


def test_saved_logs_with_trailers_empty_and_cut_short():
    trailers = saved("git_log_trailers.txt")
    assert [summary(c) for c in trailers] == [("7debcf8", 1, 0, 0, 1), ("8778312", 1, 0, 0, 1), ("bc57a92", 0, 0, 0, 3)]
    assert trailers[0].message.splitlines()[-1] == "Reported-by: Jane Doe <jane@example.com>"
    assert saved("git_log_empty.txt") == []
    # The recording stops after the second commit's dates: the header is whole, the message is missing.
    cut = saved("git_log_incompleted.txt")
    assert [(c.sha[:7], c.message) for c in cut] == [
        ("456a68e", "Merge branch 'lzp'\n\nConflicts:\n\taaa/otherthing\n"),
        ("51a3b65", ""),
    ]
    header_cut = (GIT_TESTDATA / "git_log_incompleted.txt").read_bytes().split(b"\n")[:17]
    with pytest.raises(IncompleteLog):
        list(parse_saved_log(header_cut))


def test_the_walk_places_a_real_merge_and_its_side_commit():
    history = saved("git_log.txt")
    walk = HistoryWalk(history[0].sha, {})
    placed = [(c.sha[:7], walk.place(c).on_first_parent) for c in history]
    assert placed[:4] == [("456a68e", True), ("51a3b65", False), ("ce8e0b8", True), ("589bb08", True)]
    assert all(on_line for _, on_line in placed[2:9])
    # The recording ends with a commit from another history: reachable from nothing walked, so no line.
    assert placed[9] == ("49345fe", False)
