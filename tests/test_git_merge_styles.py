"""Every merge style the common hosts write, in one repository built in tmp_path: each PR with its number, merge
time, size and first commit time, and the load summary's count per style, repeated and unrecognised numbers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from git_repo_builder import RepoBuilder
from streamlit.testing.v1 import AppTest

from flowgauge.loaders.git import load_git_repos
from flowgauge.snapshot import open_snapshot

ROOT = Path(__file__).resolve().parents[1]
ANA = "Ana <ana@acme.com>"
BEN = "Ben <ben@acme.com>"
CARA = "Cara <cara@acme.com>"
SUMMARY = (
    "2 merge commits, 1 titled merges, 1 squash, 2 GitLab merge requests, 2 Bitbucket pull requests, "
    "2 Azure DevOps pull requests; 2 unrecognised (first-parent commits naming #N or !N in no known merge form, "
    "not loaded as PRs); 1 repeated (a PR number found again; the newest commit kept)"
)


def at(text: str) -> datetime:
    """A naive UTC time in May 2024 from 'DD HH:MM'."""
    return datetime.fromisoformat(f"2024-05-{text}")


def when(text: str) -> str:
    return f"2024-05-{text}:00 +0000"


def branch_merge(
    repo: RepoBuilder, branch: str, commits: list[tuple[str, list[str], str, str]], message: str, merged: str
) -> dict[str, str]:
    """Commit (file, lines, author, time) on a new branch, then merge it into main with message (two parents)."""
    repo.git("checkout", "-q", "-b", branch)
    shas = {}
    for name, lines, author, time in commits:
        repo.write(name, lines)
        shas[f"{name}@{time}"] = repo.commit([name], f"Work on {name}", author, when(time))
    repo.git("checkout", "-q", "main")
    shas["merge"] = repo.merge(branch, message, ANA, when(merged))
    return shas


@pytest.fixture(scope="module")
def styles(tmp_path_factory) -> tuple[RepoBuilder, dict[str, dict[str, str]]]:
    repo = RepoBuilder(tmp_path_factory.mktemp("clones") / "styles")
    repo.write("base.md", ["base"])
    repo.commit(["base.md"], "Initial", ANA, when("01 09:00"))
    prs: dict[str, dict[str, str]] = {}
    # GitHub's merge commit.
    prs["1"] = branch_merge(
        repo,
        "feat-a",
        [("a.txt", ["a1", "a2", "a3"], BEN, "02 10:00"), ("a.txt", ["a1", "a2", "a3", "a4"], BEN, "02 12:00")],
        "Merge pull request #1 from acme/feat-a\n\nAdd a",
        "03 10:00",
    )
    # GitHub's 'merge commit, PR title' message: two parents, subject ending '(#N)'.
    prs["2"] = branch_merge(repo, "feat-b", [("b.txt", ["b1", "b2"], CARA, "04 08:00")], "Add b (#2)", "05 10:00")
    # GitHub's squash: one parent, authored before it was committed.
    repo.write("c.txt", [f"c{n}" for n in range(5)])
    prs["3"] = {"squash": repo.commit(["c.txt"], "Add c (#3)", BEN, when("06 09:00"), when("06 11:00"))}
    # GitLab's merge commit, with 'See merge request' in the body.
    prs["4"] = branch_merge(
        repo,
        "fix-a",
        [("a.txt", ["A1", "a2", "a3", "a4"], CARA, "07 10:00")],
        "Merge branch 'fix-a' into 'main'\n\nFix a\n\nSee merge request acme/styles!4",
        "08 10:00",
    )
    # GitLab's 'Merge branch' subject with a '!N' reference elsewhere in the message (a custom template).
    prs["5"] = branch_merge(
        repo,
        "feat-e",
        [("e.txt", ["e1"], BEN, "09 10:00")],
        "Merge branch 'feat-e' into 'main'\n\nAdd e\n\nRelated to !5",
        "10 10:00",
    )
    # Bitbucket Cloud and Bitbucket Server merge commits.
    prs["6"] = branch_merge(
        repo,
        "feat-f",
        [("f.txt", ["f1", "f2"], ANA, "11 10:00")],
        "Merged in feat-f (pull request #6)\n\nAdd f\n\nApproved-by: Ben",
        "12 10:00",
    )
    # Azure DevOps: a merge commit of two commits, then a squash of one.
    prs["7"] = branch_merge(
        repo,
        "feat-g",
        [("g.txt", ["g1", "g2"], CARA, "13 10:00"), ("g.txt", ["g1", "g2", "g3"], CARA, "13 15:00")],
        "Merged PR 7: Add g",
        "14 10:00",
    )
    repo.write("g.txt", ["g1", "g2"])
    prs["8"] = {"squash": repo.commit(["g.txt"], "Merged PR 8: Tidy g", BEN, when("15 10:00"))}
    prs["9"] = branch_merge(
        repo,
        "feat-h",
        [("h.txt", ["h1"], ANA, "16 10:00")],
        "Merge pull request #9 in ACME/styles from feat-h to main\n\nAdd h",
        "17 10:00",
    )
    # Numbers in forms no host writes: counted as unrecognised. A side commit naming one is not on the line.
    repo.write("base.md", ["base", "fixed"])
    prs["unrecognised"] = {"fix": repo.commit(["base.md"], "Fix #12 properly", ANA, when("18 10:00"))}
    repo.git("checkout", "-q", "-b", "side")
    repo.write("s.txt", ["s1"])
    repo.commit(["s.txt"], "Side work for #99", BEN, when("19 10:00"))
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge branch 'side'", "side")
    repo.write("c.txt", [f"c{n}" for n in range(4)])
    repo.commit(["c.txt"], 'Revert "Add c (#3)"', ANA, when("20 10:00"))
    # One number twice on the line: an early squash '(#11)', then the merge of PR #11 itself; the newest is kept.
    repo.write("k.txt", ["k0"])
    prs["11-early"] = {"squash": repo.commit(["k.txt"], "Start k (#11)", BEN, when("21 10:00"))}
    prs["11"] = branch_merge(
        repo,
        "feat-k",
        [("k.txt", ["k0", "k1", "k2"], CARA, "22 09:00")],
        "Merge pull request #11 from acme/feat-k\n\nAdd k",
        "23 10:00",
    )
    return repo, prs


@pytest.fixture(scope="module")
def loaded(styles, tmp_path_factory):
    repo, prs = styles
    out = tmp_path_factory.mktemp("snap") / "styles.duckdb"
    results = load_git_repos([repo.path], out, line_age=False)
    con = open_snapshot(out)
    yield con, prs, results[0], out
    con.close()


def test_every_style_is_a_pr_with_its_number_merge_time_size_and_first_commit(loaded):
    con, prs, _, _ = loaded
    found = con.execute(
        "SELECT number, merge_method, title, head_branch, author_id, merged_at, first_commit_at, lines_added, "
        "lines_deleted, files_changed FROM pull_requests ORDER BY number"
    ).fetchall()
    assert found == [
        (1, "merge", "Add a", "feat-a", "ben@acme.com", at("03 10:00"), at("02 10:00"), 4, 0, 1),
        (2, "merge", "Add b", None, "cara@acme.com", at("05 10:00"), at("04 08:00"), 2, 0, 1),
        (3, "squash", "Add c", None, "ben@acme.com", at("06 11:00"), at("06 09:00"), 5, 0, 1),
        (4, "merge", "Fix a", "fix-a", "cara@acme.com", at("08 10:00"), at("07 10:00"), 1, 1, 1),
        (5, "merge", "Add e", "feat-e", "ben@acme.com", at("10 10:00"), at("09 10:00"), 1, 0, 1),
        (6, "merge", "Add f", "feat-f", "ana@acme.com", at("12 10:00"), at("11 10:00"), 2, 0, 1),
        (7, "merge", "Add g", None, "cara@acme.com", at("14 10:00"), at("13 10:00"), 3, 0, 1),
        (8, "squash", "Tidy g", None, "ben@acme.com", at("15 10:00"), at("15 10:00"), 0, 1, 1),
        (9, "merge", "Add h", "feat-h", "ana@acme.com", at("17 10:00"), at("16 10:00"), 1, 0, 1),
        (11, "merge", "Add k", "feat-k", "cara@acme.com", at("23 10:00"), at("22 09:00"), 2, 0, 1),
    ]
    merge_shas = dict(con.execute("SELECT number, merge_commit_sha FROM pull_requests").fetchall())
    assert merge_shas == {int(n): shas.get("merge", shas.get("squash")) for n, shas in prs.items() if n.isdigit()}
    # git records no opening time: a PR is taken to open with its first commit.
    assert con.execute("SELECT count(*) FROM pull_requests WHERE created_at <> first_commit_at").fetchone() == (0,)


def test_a_merge_prs_commits_are_those_its_second_parent_brought_in(loaded):
    con, prs, _, _ = loaded
    links: dict[int, set[str]] = {}
    for number, sha in con.execute(
        "SELECT p.number, c.sha FROM pr_commits c JOIN pull_requests p USING (pr_id)"
    ).fetchall():
        links.setdefault(number, set()).add(sha)
    expected = {int(n): {sha for key, sha in shas.items() if key != "merge"} for n, shas in prs.items() if n.isdigit()}
    assert links == expected
    # The early '(#11)' squash lost to the newer merge of PR #11: it belongs to no PR.
    assert prs["11-early"]["squash"] not in links[11]


def test_the_load_summary_counts_each_style_and_what_was_not_recognised(loaded):
    con, _, result, _ = loaded
    assert result.pull_requests == 10
    assert result.pr_summary() == SUMMARY
    assert result.unrecognised_examples == [
        f"{sha[:10]}: {subject}"
        for sha, subject in con.execute(
            "SELECT sha, subject FROM commits WHERE subject IN ('Fix #12 properly', 'Revert \"Add c (#3)\"') "
            "ORDER BY committed_at DESC"
        ).fetchall()
    ]
    detail = json.loads(con.execute("SELECT detail FROM sources WHERE kind = 'git'").fetchone()[0])
    assert detail["pull_requests_by_style"] == {
        "merge commits": 2,
        "titled merges": 1,
        "squash": 1,
        "GitLab merge requests": 2,
        "Bitbucket pull requests": 2,
        "Azure DevOps pull requests": 2,
    }
    assert (detail["pr_numbers_unrecognised"], detail["pr_numbers_repeated"]) == (2, 1)
    assert detail["summary"] == f"10 PRs in the commits read: {SUMMARY}"


def test_the_cli_prints_the_summary_and_the_data_page_shows_it(styles, tmp_path):
    repo, _ = styles
    out = tmp_path / "data" / "styles.duckdb"
    out.parent.mkdir()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "flowgauge.cli.main",
            "snapshot",
            "git",
            str(repo.path),
            "--out",
            str(out),
            "--no-line-age",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "400"},
    )
    assert done.returncode == 0, done.stderr
    assert f"styles: PRs found: {SUMMARY}" in done.stderr
    assert "  unrecognised: " in done.stderr and "Fix #12 properly" in done.stderr
    info = subprocess.run(
        [sys.executable, "-m", "flowgauge.cli.main", "info", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "400"},
    )
    assert info.returncode == 0, info.stderr
    assert f"git:styles: 10 PRs in the commits read: {SUMMARY}" in info.stdout
    page = AppTest.from_file(str(ROOT / "flowgauge" / "dashboard" / "pages" / "data.py"), default_timeout=60)
    page.session_state["fg_data_dir"] = str(out.parent)
    page.query_params["snapshot"] = "styles"
    page.run()
    assert not page.exception, page.exception
    sources = [frame.value for frame in page.dataframe if "load summary" in frame.value.columns]
    assert list(sources[0]["load summary"]) == [f"10 PRs in the commits read: {SUMMARY}"]
