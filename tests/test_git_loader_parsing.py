"""Pure parsing in the git loader: log records, PR and issue-key recognition, remotes, bots."""

from __future__ import annotations

import io
from datetime import datetime

import pytest

from flowgauge.loaders.git.identities import IdentityResolver, bot_reason, normalized_name
from flowgauge.loaders.git.line_age import parse_line_ages
from flowgauge.loaders.git.log_reader import IncompleteLog, parse_log
from flowgauge.loaders.git.pr_detection import issue_keys, merge_request_ref, names_a_number
from flowgauge.loaders.git.repository import remote_identity

SHA_A = "a" * 40
SHA_B = "b" * 40


def record(sha: str, parents: str, name: bytes, message: bytes, numstat: bytes, stamp: bytes = b"1700000000") -> bytes:
    """One commit as git log -z --numstat with the loader's format prints it."""
    head = b"\0".join([b"\x1e" + sha.encode(), parents.encode(), name, b"x@y", name, b"x@y", stamp, stamp, message])
    return head + b"\0" + numstat


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/acme/shop.git", ("acme/shop", "https://github.com/acme/shop")),
        ("https://bob:ghp_secret@github.com/acme/shop.git", ("acme/shop", "https://github.com/acme/shop")),
        (
            "https://oauth2:glpat-xyz@gitlab.example.com:8443/g/sub/p",
            ("g/sub/p", "https://gitlab.example.com:8443/g/sub/p"),
        ),
        ("git@github.com:acme/shop.git", ("acme/shop", "https://github.com/acme/shop")),
        ("ssh://git@gitlab.com:2222/group/sub/proj.git", ("group/sub/proj", "https://gitlab.com/group/sub/proj")),
        ("git://example.org/tools/gauge.git/", ("tools/gauge", "https://example.org/tools/gauge")),
        ("/home/eduardo/input", (None, None)),
        ("file:///srv/git/shop.git", (None, None)),
        ("../shop", (None, None)),
        ("", (None, None)),
    ],
)
def test_remote_identity_strips_credentials_and_ssh_ports(url, expected):
    assert remote_identity(url) == expected


def test_merge_messages_name_github_and_gitlab_prs():
    github = merge_request_ref("Merge pull request #412 from octo/feature/PAY-9-x\n\nAdd export\r\n")
    assert (github.number, github.head_branch, github.title) == (412, "feature/PAY-9-x", "Add export")
    gitlab = merge_request_ref(
        "Merge branch 'fix/login' into 'main'\n\nFix login\n\nCloses #3\n\nSee merge request platform/web/shop!77\n"
    )
    assert (gitlab.number, gitlab.head_branch, gitlab.title) == (77, "fix/login", "Fix login")
    assert merge_request_ref("Merge branch 'lzp'\n\nConflicts:\n\taaa/otherthing\n") is None
    assert merge_request_ref("Merge tag 'for-linus-v4.8' of git://github.com/martinbrandenburg/linux") is None


def test_pr_title_subjects_and_their_look_alikes():
    titled = merge_request_ref("Fix crash in parser (#8)")
    assert (titled.number, titled.form, titled.title, titled.head_branch) == (
        8,
        "pr_title",
        "Fix crash in parser",
        None,
    )
    assert merge_request_ref('Revert "Fix crash in parser (#8)"') is None
    assert merge_request_ref("Bump version to 1.2 (see #8)") is None


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "Merged in feature/pay-3 (pull request #21)\n\nAdd pay\n\nApproved-by: Ana",
            (21, "bitbucket", "feature/pay-3", "Add pay"),
        ),
        (
            "Merge pull request #22 in SHOP/web from feature/x to master\n\n* commit 'abc'",
            (22, "bitbucket", "feature/x", "* commit 'abc'"),
        ),
        ("Merged PR 23: Add search to the catalogue", (23, "azure", None, "Add search to the catalogue")),
        ("Add search (!24)\n\nSee merge request shop/web!24", (24, "gitlab", None, "Add search (!24)")),
        ("Merge branch 'fix/x' into 'main'\n\nFix x\n\nCloses !25 and #3", (25, "gitlab", "fix/x", "Fix x")),
    ],
)
def test_each_hosts_merge_message_names_its_pr(message, expected):
    ref = merge_request_ref(message)
    assert (ref.number, ref.form, ref.head_branch, ref.title) == expected


def test_numbers_in_forms_no_host_writes_are_noticed_not_recognised():
    for subject in (
        'Revert "Fix crash (#8)"',
        "Fix #12 properly",
        "Backport !7 to 1.x",
        "Merge branch 'x' into 'main'",
    ):
        assert merge_request_ref(subject) is None
    assert [names_a_number(s) for s in ('Revert "Fix crash (#8)"', "Backport !7", "Wow!7", "Plain fix")] == [
        True,
        True,
        False,
        False,
    ]


def test_issue_keys_come_from_branches_and_messages_without_standards():
    assert issue_keys(
        "feature/PAY-12_OPS-7-login", "PAY-12: add login\n\nAlso fixes WEB-3. UTF-8 and SHA-256 safe"
    ) == [
        "PAY-12",
        "OPS-7",
        "WEB-3",
    ]
    assert issue_keys("fix-2-things", "lower-case pay-12 is not a key; neither is ABC-0") == []


def test_bots_are_recognised_by_suffix_and_by_list():
    assert bot_reason("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com") == "[bot] suffix"
    assert bot_reason("Renovate Bot", "renovate@whitesourcesoftware.com") == "configured list"
    assert bot_reason("github-actions", "41898282+github-actions[bot]@users.noreply.github.com") == "[bot] suffix"
    assert bot_reason("Ada Lovelace", "ada@example.com") is None


def test_identity_resolver_keeps_known_ids_and_folds_names():
    resolver = IdentityResolver([("email", "ada@old.example", "ada"), ("name", "grace hopper", "grace")])
    assert resolver.resolve("Ada L", "ADA@old.example") == "ada"
    assert resolver.resolve("Grace  HOPPER", "grace@new.example") == "grace"
    assert resolver.resolve("Octo Cat", "583231+octocat@users.noreply.github.com") == "octocat"
    assert normalized_name("  José   Núñez ") == "jose nunez"


def test_parse_log_survives_bad_bytes_carriage_returns_and_renames():
    latin1_name = "Jos\xe9".encode("latin-1")
    stream = record(SHA_A, SHA_B, latin1_name, b"[PATCH] fix SIGBUS\r\n\r)\n", b"\n36\t44\tarch/arm/mm/fault.c\0")
    stream += record(SHA_B, "", b"Zhongpeng", b"rename\n", b"\n0\t0\t\0aaa/thing\0aaa/thing renamed\0-\t-\tlogo.png\0")
    commits = list(parse_log([stream[:7], stream[7:50], stream[50:]]))
    assert [c.sha for c in commits] == [SHA_A, SHA_B]
    first, second = commits
    assert first.name == "Jos\ufffd" and first.subject == "[PATCH] fix SIGBUS"
    assert (first.lines_added, first.lines_deleted, first.files_changed, first.parents) == (36, 44, 1, (SHA_B,))
    assert (second.lines_added, second.lines_deleted, second.files_changed, second.parents) == (0, 0, 2, ())
    assert first.authored_at == datetime(2023, 11, 14, 22, 13, 20)


def test_parse_log_of_nothing_is_no_commits_and_a_cut_log_is_an_error():
    assert list(parse_log([b""])) == []
    whole = record(SHA_A, "", b"A", b"msg\n", b"\n1\t0\tf\0")
    with pytest.raises(IncompleteLog):
        list(parse_log([whole[:30]]))
    with pytest.raises(IncompleteLog):
        list(parse_log([b"garbage that is no log\0"]))


def test_line_ages_from_a_hand_written_patch_stream():
    day = 86400
    stream = (
        b"\x1e" + SHA_A.encode() + b"\x00" + str(0).encode() + b"\n\n"
        b"diff --git a/x b/x\nnew file mode 100644\n--- /dev/null\n+++ b/x\n@@ -0,0 +1,3 @@\n+a\n+--- b\n+c\n"
        b"\\ No newline at end of file\n"
        b"\x1e" + SHA_B.encode() + b"\x00" + str(30 * day).encode() + b"\n\n"
        b'diff --git a/x "b/y\\303\\251"\nsimilarity index 60%\nrename from x\nrename to "y\\303\\251"\n'
        b'--- a/x\n+++ "b/y\\303\\251"\n@@ -2 +2,2 @@\n---- b\n+B\n+B2\n@@ -3,0 +5 @@\n+d\n'
    )
    ages = list(parse_line_ages(io.BytesIO(stream)))
    assert [(a.sha, a.lines_new, a.lines_recent, a.lines_old) for a in ages] == [(SHA_A, 3, 0, 0), (SHA_B, 2, 0, 1)]


SAVED_LOG = (
    b"commit "
    + b" ".join([b"1" * 40, b"2" * 40, b"3" * 40])
    + b""" (HEAD -> refs/heads/main)
Merge: 2222222 3333333
Author:     Ren\xe9e Dupont <renee@example.org>
AuthorDate: Mon Mar 4 09:00:00 2024 +0100
Commit:     GitHub <noreply@github.com>
CommitDate: Mon Mar 4 09:05:00 2024 +0100

    Merge pull request #5 from acme/fix\r
    \n    Fix it

10\t2\tsrc/{old => new}/a.py
::100644 100644 100644 aaaaaaa bbbbbbb ccccccc MM\tsrc/new/a.py

commit 2222222222222222222222222222222222222222
Author:     Bot <bot@example.org>
AuthorDate: Sun Mar 3 23:30:00 2024 -0130
Commit:     Bot <bot@example.org>
CommitDate: Sun Mar 3 23:30:00 2024 -0130

    Binary change

:100644 100644 ddddddd eeeeeee M\tlogo.png
-\t-\tlogo.png
"""
)


def test_saved_fuller_log_reads_merges_latin1_cr_and_binary_changes():
    from flowgauge.loaders.git.saved_log import parse_saved_log

    merge, binary = parse_saved_log(SAVED_LOG.split(b"\n"))
    assert merge.parents == ("2" * 40, "3" * 40)
    assert (merge.name, merge.email) == ("Ren\ufffde Dupont", "renee@example.org")
    assert (merge.authored_at, merge.committed_at) == (datetime(2024, 3, 4, 8, 0), datetime(2024, 3, 4, 8, 5))
    assert merge.message == "Merge pull request #5 from acme/fix\r\n\nFix it\n"
    assert merge_request_ref(merge.message).title == "Fix it"
    assert (merge.lines_added, merge.lines_deleted, merge.files_changed) == (10, 2, 1)
    assert (binary.authored_at, binary.lines_added, binary.files_changed) == (datetime(2024, 3, 4, 1, 0), 0, 1)
