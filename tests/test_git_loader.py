"""The git loader over real repositories built in tmp_path: merge, squash and rebase PRs, renames,
tags as deployments, a bot, aliases, line age and incremental re-runs."""

from __future__ import annotations

from datetime import datetime

import pytest
from git_repo_builder import RepoBuilder

from flowgauge.loaders.git import load_git_repos
from flowgauge.loaders.git.repository import NotAGitRepository
from flowgauge.snapshot import open_snapshot

ALICE = "Alice Adams <alice@acme.com>"
BOB = "Bob Builder <bob@acme.com>"
BOB_AT_HOME = "Bobby <bob@personal.example>"
CAROL = "Carol Chen <carol@acme.com>"
CAROL_AT_HOME = "carol  chen <carol.chen@home.example>"
DEPENDABOT = "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>"


def day(text: str) -> datetime:
    """A naive UTC time in 2024 from 'MM-DD HH:MM'."""
    return datetime.fromisoformat(f"2024-{text}")


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> tuple[RepoBuilder, dict[str, str]]:
    """acme/shop: two merge PRs (GitHub, GitLab), a squash PR, a rebase PR, a rename, a bot, three tags."""
    repo = RepoBuilder(tmp_path_factory.mktemp("clones") / "shop")
    repo.git("remote", "add", "origin", "https://bob:s3cret-token@github.com/acme/shop.git")
    (repo.path / ".mailmap").write_text("Bob Builder <bob@acme.com> <bob@personal.example>\n")
    sha: dict[str, str] = {}
    repo.write("app.py", [f"a{n}" for n in range(1, 11)])
    # Only named files are committed: the .mailmap stays local, as a user's own mailmap would.
    sha["c1"] = repo.commit(["app.py"], "Initial", ALICE, "2024-01-01 12:00:00 +0200")
    repo.git("checkout", "-q", "-b", "feature/PAY-12-login")
    repo.edit("app.py", 1, "b1")
    repo.edit("app.py", 2, "b2")
    sha["b1"] = repo.commit(["app.py"], "Start login", BOB, "2024-01-02 10:00:00 +0000")
    repo.write("login.py", [f"l{n}" for n in range(1, 6)])
    sha["b2"] = repo.commit(["login.py"], "Login form", BOB, "2024-01-03 10:00:00 +0000")
    repo.git("checkout", "-q", "main")
    sha["m7"] = repo.merge(
        "feature/PAY-12-login",
        "Merge pull request #7 from acme/feature/PAY-12-login\n\nAdd login",
        ALICE,
        "2024-01-04 10:00:00 +0000",
    )
    repo.tag("v1.0", sha["m7"])
    repo.edit("app.py", 5, "s5")
    sha["s8"] = repo.commit(
        ["app.py"], "Fix crash in parser (#8)", BOB_AT_HOME, "2024-02-09 10:00:00 +0000", "2024-02-10 10:00:00 +0000"
    )
    repo.tag("nightly-2024", sha["s8"])
    repo.write("config.py", ["c1", "c2", "c3"])
    sha["r9a"] = repo.commit(["config.py"], "Refactor config (#9)", CAROL_AT_HOME, "2024-02-11 10:00:00 +0000")
    repo.edit("config.py", 1, "x1")
    repo.write("test_config.py", ["t1", "t2"])
    sha["r9b"] = repo.commit(
        ["config.py", "test_config.py"], "Add config tests (#9)", CAROL_AT_HOME, "2024-02-12 10:00:00 +0000"
    )
    repo.git("mv", "app.py", "core.py")
    repo.edit("core.py", 5, "r5")
    sha["ren"] = repo.commit(["core.py"], "Rename app to core", ALICE, "2024-02-20 10:00:00 +0000")
    repo.write("requirements.txt", ["lib==2"])
    sha["bot"] = repo.commit(["requirements.txt"], "Bump lib from 1 to 2", DEPENDABOT, "2024-02-21 10:00:00 +0000")
    repo.git("checkout", "-q", "-b", "feature/OPS-3-deploy")
    repo.write("deploy.sh", ["#!/bin/sh", "echo deploy"])
    sha["g1"] = repo.commit(["deploy.sh"], "Add deploy script", CAROL, "2024-02-22 10:00:00 +0000")
    repo.git("checkout", "-q", "main")
    sha["m15"] = repo.merge(
        "feature/OPS-3-deploy",
        "Merge branch 'feature/OPS-3-deploy' into 'main'\n\nDeploy script\n\nSee merge request acme/shop!15",
        ALICE,
        "2024-02-23 10:00:00 +0000",
    )
    repo.tag("v1.1", sha["m15"], "2024-02-24 10:00:00 +0000")
    repo.edit("core.py", 2, "h2")
    sha["hf"] = repo.commit(["core.py"], "Hotfix typo", ALICE, "2024-02-25 10:00:00 +0000")
    repo.tag("v1.1.1", sha["hf"], "2024-02-25 12:00:00 +0000")
    return repo, sha


@pytest.fixture(scope="module")
def loaded(shop, tmp_path_factory):
    repo, sha = shop
    out = tmp_path_factory.mktemp("snap") / "shop.duckdb"
    results = load_git_repos([repo.path], out)
    con = open_snapshot(out)
    yield con, sha, results
    con.close()


def rows(con, sql: str, params=()) -> list[tuple]:
    return con.execute(sql, params).fetchall()


def test_repository_identity_comes_from_origin_without_credentials(loaded):
    con, _, results = loaded
    assert results[0].repo_id == "acme/shop"
    assert rows(con, "SELECT repo_id, name, source, url, default_branch, is_archived FROM repositories") == [
        ("acme/shop", "shop", "git", "https://github.com/acme/shop", "main", False)
    ]
    text = " ".join(
        str(v)
        for table in ("repositories", "sources", "sync_state")
        for r in rows(con, f"SELECT * FROM {table}")
        for v in r
    )
    assert "s3cret" not in text and "bob:" not in text


def test_commits_hold_every_commit_in_utc_with_numstat(loaded):
    con, sha, results = loaded
    assert results[0].commits_read == 12
    found = {
        r[0]: r[1:]
        for r in rows(
            con,
            "SELECT sha, author_id, authored_at, committed_at, lines_added, lines_deleted, files_changed, subject "
            "FROM commits",
        )
    }
    assert len(found) == 12
    assert found[sha["c1"]] == ("alice@acme.com", day("01-01 10:00"), day("01-01 10:00"), 10, 0, 1, "Initial")
    # A merge carries its diff against the first parent: the whole PR as it landed.
    assert found[sha["m7"]][3:6] == (7, 2, 2)
    assert found[sha["s8"]] == (
        "bob@acme.com",
        day("02-09 10:00"),
        day("02-10 10:00"),
        1,
        1,
        1,
        "Fix crash in parser (#8)",
    )
    assert found[sha["ren"]][3:6] == (1, 1, 1)
    # The merge pass's numstat reached the merge through a temporary table that is not in the file.
    assert rows(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'git_merge_diffs'") == [(0,)]
    parents = dict(rows(con, "SELECT sha, parent_shas FROM commits"))
    assert parents[sha["m7"]] == [sha["c1"], sha["b2"]]
    assert parents[sha["c1"]] == []


def test_pull_requests_from_merge_squash_and_rebase(loaded):
    con, sha, _ = loaded
    prs = {
        r[0]: r[1:]
        for r in rows(
            con,
            "SELECT pr_id, merge_method, merge_commit_sha, title, head_branch, base_branch, author_id, created_at, "
            "first_commit_at, merged_at, lines_added, lines_deleted, files_changed, issue_keys, state, "
            "ready_for_review_at FROM pull_requests ORDER BY number",
        )
    }
    assert prs == {
        "acme/shop#7": ("merge", sha["m7"], "Add login", "feature/PAY-12-login", "main", "bob@acme.com",
                       day("01-02 10:00"), day("01-02 10:00"), day("01-04 10:00"), 7, 2, 2, ["PAY-12"], "merged", None),
        "acme/shop#8": ("squash", sha["s8"], "Fix crash in parser", None, "main", "bob@acme.com",
                        day("02-09 10:00"), day("02-09 10:00"), day("02-10 10:00"), 1, 1, 1, [], "merged", None),
        "acme/shop#9": ("rebase", sha["r9b"], "Add config tests", None, "main", "carol@acme.com",
                        day("02-11 10:00"), day("02-11 10:00"), day("02-12 10:00"), 6, 1, 3, [], "merged", None),
        "acme/shop#15": ("merge", sha["m15"], "Deploy script", "feature/OPS-3-deploy", "main", "carol@acme.com",
                        day("02-22 10:00"), day("02-22 10:00"), day("02-23 10:00"), 2, 0, 1, ["OPS-3"], "merged", None),
    }  # fmt: skip
    links = rows(con, "SELECT pr_id, sha FROM pr_commits ORDER BY pr_id, sha")
    expected = [("acme/shop#15", "g1"), ("acme/shop#7", "b1"), ("acme/shop#7", "b2"), ("acme/shop#8", "s8"),
                ("acme/shop#9", "r9a"), ("acme/shop#9", "r9b")]  # fmt: skip
    assert links == sorted((pr_id, sha[name]) for pr_id, name in expected)
    assert rows(con, "SELECT url FROM pull_requests WHERE number = 7") == [("https://github.com/acme/shop/pull/7",)]


def test_version_tags_become_production_deployments(loaded):
    con, sha, _ = loaded
    assert rows(
        con,
        "SELECT deployment_id, environment, sha, ref, status, deploy_kind, started_at, detection_rule, is_approximate "
        "FROM deployments ORDER BY started_at",
    ) == [
        ("acme/shop:tag:v1.0", "production",
         sha["m7"], "v1.0", "success", "regular", day("01-04 10:00"), "tag", False),
        ("acme/shop:tag:v1.1", "production",
         sha["m15"], "v1.1", "success", "regular", day("02-24 10:00"), "tag", False),
        ("acme/shop:tag:v1.1.1", "production",
         sha["hf"], "v1.1.1", "success", "hotfix", day("02-25 12:00"), "tag", False),
    ]  # fmt: skip
    shipped = {}
    for deployment_id, commit in rows(con, "SELECT deployment_id, sha FROM deployment_commits"):
        shipped.setdefault(deployment_id, set()).add(commit)
    assert shipped == {
        "acme/shop:tag:v1.0": {sha[k] for k in ("c1", "b1", "b2", "m7")},
        "acme/shop:tag:v1.1": {sha[k] for k in ("s8", "r9a", "r9b", "ren", "bot", "g1", "m15")},
        "acme/shop:tag:v1.1.1": {sha["hf"]},
    }
    assert rows(con, "SELECT deployment_id, pr_id, link_rule FROM deployment_pull_requests ORDER BY pr_id") == [
        ("acme/shop:tag:v1.1", "acme/shop#15", "commit_ancestry"),
        ("acme/shop:tag:v1.0", "acme/shop#7", "commit_ancestry"),
        ("acme/shop:tag:v1.1", "acme/shop#8", "commit_ancestry"),
        ("acme/shop:tag:v1.1", "acme/shop#9", "commit_ancestry"),
    ]
    releases = "SELECT tag_name, sha, published_at, is_prerelease, is_bare_tag FROM releases ORDER BY published_at"
    assert rows(con, releases) == [
        ("v1.0", sha["m7"], day("01-04 10:00"), False, True),
        ("nightly-2024", sha["s8"], day("02-10 10:00"), False, True),
        ("v1.1", sha["m15"], day("02-24 10:00"), False, True),
        ("v1.1.1", sha["hf"], day("02-25 12:00"), False, True),
    ]  # fmt: skip


def test_people_merge_aliases_by_mailmap_and_name_and_flag_bots(loaded):
    con, _, _ = loaded
    people = "SELECT person_id, display_name, primary_email, is_bot, bot_reason FROM people ORDER BY person_id"
    assert rows(con, people) == [
        ("alice@acme.com", "Alice Adams", "alice@acme.com", False, None),
        ("bob@acme.com", "Bob Builder", "bob@acme.com", False, None),
        ("carol@acme.com", "Carol Chen", "carol@acme.com", False, None),
        ("dependabot[bot]", "dependabot[bot]", DEPENDABOT[17:-1], True, "[bot] suffix"),
    ]  # fmt: skip
    aliases = rows(con, "SELECT alias_kind, alias FROM person_aliases WHERE person_id = 'bob@acme.com' ORDER BY ALL")
    assert aliases == [
        ("email", "bob@acme.com"),
        ("email", "bob@personal.example"),
        ("name", "bob builder"),
        ("name", "bobby"),
    ]
    aliases = rows(con, "SELECT alias_kind, alias FROM person_aliases WHERE person_id = 'carol@acme.com' ORDER BY ALL")
    assert aliases == [("email", "carol.chen@home.example"), ("email", "carol@acme.com"), ("name", "carol chen")]


def test_line_age_counts_recent_and_old_lines_through_renames(loaded):
    con, sha, results = loaded
    ages = {
        r[0]: r[1:]
        for r in rows(con, "SELECT sha, lines_new, lines_recent, lines_old, recent_days FROM commit_line_ages")
    }
    assert results[0].line_age_rows == 9
    assert ages == {
        sha["c1"]: (10, 0, 0, 21),
        sha["m7"]: (5, 2, 0, 21),  # app.py lines 1-2 were 3 days old when the PR landed
        sha["s8"]: (0, 0, 1, 21),  # line 5 unchanged for 40 days
        sha["r9a"]: (3, 0, 0, 21),
        sha["r9b"]: (2, 1, 0, 21),
        sha["ren"]: (0, 1, 0, 21),  # line 5 changed 10 days before, under its old name
        sha["bot"]: (1, 0, 0, 21),
        sha["m15"]: (2, 0, 0, 21),
        sha["hf"]: (0, 0, 1, 21),  # line 2 landed with PR #7, 52 days before
    }


def test_rerun_reads_only_new_commits_and_links_a_new_tag(shop, tmp_path):
    source, sha = shop
    repo = RepoBuilder(tmp_path / "copy")
    repo.git("pull", "-q", str(source.path), "main")
    repo.git("fetch", "-q", "--tags", str(source.path))
    repo.git("remote", "add", "origin", "git@github.com:acme/shop.git")
    (repo.path / ".mailmap").write_text((source.path / ".mailmap").read_text())
    out = tmp_path / "shop.duckdb"
    first = load_git_repos([repo.path], out)[0]
    again = load_git_repos([repo.path], out)[0]
    assert (first.commits_read, first.incremental) == (12, False)
    assert (again.commits_read, again.line_age_rows, again.incremental) == (0, 0, True)
    repo.edit("core.py", 5, "n5")
    new = repo.commit(["core.py"], "Tune parser (#21)", BOB, "2024-03-01 10:00:00 +0000")
    repo.tag("v1.2", new)
    third = load_git_repos([repo.path], out)[0]
    assert (third.commits_read, third.pull_requests, third.line_age_rows, third.incremental) == (1, 1, 1, True)
    con = open_snapshot(out)
    try:
        assert rows(con, "SELECT count(*) FROM commits") == [(13,)]
        assert rows(con, "SELECT lines_new, lines_recent, lines_old FROM commit_line_ages WHERE sha = ?", [new]) == [
            (0, 1, 0)
        ]
        assert rows(con, "SELECT count(*) FROM commit_line_ages") == [(10,)]
        assert rows(con, "SELECT sha FROM deployment_commits WHERE deployment_id = 'acme/shop:tag:v1.2'") == [(new,)]
        assert rows(con, "SELECT pr_id FROM deployment_pull_requests WHERE deployment_id = 'acme/shop:tag:v1.2'") == [
            ("acme/shop#21",)
        ]
        assert rows(con, "SELECT cursor FROM sync_state WHERE source_id = 'git:acme/shop' AND stream = 'commits'") == [
            (new,)
        ]
        assert rows(con, "SELECT count(*) FROM people") == [(4,)]
    finally:
        con.close()


def test_since_keeps_only_recent_commits_and_their_line_ages(shop, tmp_path):
    source, sha = shop
    out = tmp_path / "since.duckdb"
    result = load_git_repos([source.path], out, since=day("02-20 00:00"), deploy_tags=r"^never$")[0]
    con = open_snapshot(out)
    try:
        assert {r[0] for r in rows(con, "SELECT sha FROM commits")} == {
            sha[k] for k in ("ren", "bot", "g1", "m15", "hf")
        }
        assert {r[0] for r in rows(con, "SELECT sha FROM commit_line_ages")} == {
            sha[k] for k in ("ren", "bot", "m15", "hf")
        }
        assert rows(con, "SELECT count(*) FROM deployments") == [(0,)]
    finally:
        con.close()
    assert result.commits_read == 5


def test_without_line_age_no_rows_are_written(shop, tmp_path):
    source, _ = shop
    out = tmp_path / "fast.duckdb"
    assert load_git_repos([source.path], out, line_age=False)[0].line_age_rows == 0
    con = open_snapshot(out)
    try:
        assert rows(con, "SELECT count(*) FROM commit_line_ages") == [(0,)]
        assert rows(con, "SELECT count(*) FROM commits") == [(12,)]
    finally:
        con.close()


def test_bad_paths_fail_with_one_line_before_writing(tmp_path):
    out = tmp_path / "never.duckdb"
    with pytest.raises(NotAGitRepository, match="not a folder"):
        load_git_repos([tmp_path / "missing"], out)
    (tmp_path / "plain").mkdir()
    with pytest.raises(NotAGitRepository, match="plain: not a git repository"):
        load_git_repos([tmp_path / "plain"], out)
    assert not out.exists()


def test_empty_repository_writes_only_the_repository(tmp_path):
    RepoBuilder(tmp_path / "empty")
    out = tmp_path / "empty.duckdb"
    result = load_git_repos([tmp_path / "empty"], out)[0]
    assert (result.repo_id, result.commits_read) == ("empty", 0)
    con = open_snapshot(out)
    try:
        assert rows(con, "SELECT repo_id, url, default_branch FROM repositories") == [("empty", None, "main")]
        assert rows(con, "SELECT count(*) FROM commits") == [(0,)]
    finally:
        con.close()


def test_a_new_deploy_pattern_or_window_replaces_what_the_old_one_wrote(shop, tmp_path):
    source, sha = shop
    out = tmp_path / "settings.duckdb"
    load_git_repos([source.path], out)
    again = load_git_repos([source.path], out, deploy_tags=r"^nightly-", recent_days=30)[0]
    assert (again.commits_read, again.line_age_rows) == (12, 9)
    con = open_snapshot(out)
    try:
        assert rows(con, "SELECT deployment_id, sha FROM deployments") == [("acme/shop:tag:nightly-2024", sha["s8"])]
        shipped = {r[0] for r in rows(con, "SELECT sha FROM deployment_commits")}
        assert shipped == {sha[k] for k in ("c1", "b1", "b2", "m7", "s8")}
        assert rows(con, "SELECT deployment_id, pr_id FROM deployment_pull_requests ORDER BY pr_id") == [
            ("acme/shop:tag:nightly-2024", "acme/shop#7"),
            ("acme/shop:tag:nightly-2024", "acme/shop#8"),
        ]
        assert rows(con, "SELECT DISTINCT recent_days FROM commit_line_ages") == [(30,)]
        assert rows(con, "SELECT count(*) FROM commit_line_ages") == [(9,)]
    finally:
        con.close()


def test_progress_reports_commits_and_line_age_against_their_totals(shop, tmp_path):
    source, _ = shop
    events = []
    load_git_repos([source.path], tmp_path / "p.duckdb", progress=lambda *event: events.append(event))
    assert events == [("acme/shop", "commits", 12, 12), ("acme/shop", "line age", 9, 9)]
