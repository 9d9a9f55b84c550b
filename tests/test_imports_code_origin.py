"""Imports carry code origin: an `origin` column beside the pull_requests columns, or gh's JSON with body and commits;
a bad origin is refused at its row and column."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from flowgauge.cli.main import app
from flowgauge.loaders.imports import ImportRejected, import_files
from flowgauge.snapshot import open_snapshot

HEADER = "pr_id,repo_id,number,state,is_draft,created_at,origin\n"


def origins(path) -> dict[str, tuple]:
    con = open_snapshot(path)
    try:
        return {pr_id: tuple(rest) for pr_id, *rest in con.execute("SELECT * FROM pr_code_origins").fetchall()}
    finally:
        con.close()


def test_an_origin_column_beside_pull_requests_fills_their_code_origin(tmp_path):
    csv = HEADER + (
        "acme/web#1,acme/web,1,merged,false,2024-03-01 09:00,agentic\n"
        "acme/web#2,acme/web,2,merged,false,2024-03-02 09:00,ai_assisted\n"
        "acme/web#3,acme/web,3,open,false,2024-03-03 09:00,\n"
    )
    target = tmp_path / "org.duckdb"
    import_files([("pull_requests.csv", csv.encode())], target)
    assert origins(target) == {
        "acme/web#1": ("agentic", "import", "origin column of pull_requests.csv"),
        "acme/web#2": ("ai_assisted", "import", "origin column of pull_requests.csv"),
    }  # no value: no row, so the PR is unknown


def test_an_origin_no_one_defines_is_refused_at_its_row(tmp_path):
    csv = HEADER + "acme/web#1,acme/web,1,merged,false,2024-03-01 09:00,robot\n"
    with pytest.raises(ImportRejected) as caught:
        import_files([("pull_requests.csv", csv.encode())], tmp_path / "org.duckdb")
    assert str(caught.value) == (
        "pull_requests.csv: row 2, column origin: 'robot' is not a code origin; "
        "use one of agentic, ai_assisted, unassisted, unknown"
    )
    assert not (tmp_path / "org.duckdb").exists()


def gh_pr(number: int, author: dict, **extra) -> dict:
    return {
        "number": number,
        "url": f"https://github.com/acme/web/pull/{number}",
        "state": "MERGED",
        "createdAt": f"2024-03-0{number}T09:00:00Z",
        "mergedAt": f"2024-03-0{number}T12:00:00Z",
        "author": author,
        **extra,
    }


def test_gh_pr_list_json_with_body_and_commits_is_classified(tmp_path):
    prs = [
        gh_pr(1, {"login": "app/copilot-swe-agent", "is_bot": True}, body="Fixes #3", commits=[]),
        gh_pr(
            2,
            {"login": "ada", "is_bot": False},
            body="Adds retry",
            commits=[
                {
                    "messageHeadline": "Add retry",
                    "messageBody": "Co-Authored-By: Claude <noreply@anthropic.com>",
                    "authors": [{"name": "Ada", "email": "ada@acme.example"}],
                }
            ],
        ),
        gh_pr(3, {"login": "ada", "is_bot": False}, body="Rename", commits=[]),
        gh_pr(4, {"login": "ada", "is_bot": False}),  # listed without --json body,commits
    ]
    target = tmp_path / "org.duckdb"
    import_files([("prs.json", json.dumps(prs).encode())], target)
    assert origins(target) == {
        "acme/web#1": ("agentic", "author login", "copilot-swe-agent[bot]"),
        "acme/web#2": ("ai_assisted", "commit message line", "Co-Authored-By: Claude <noreply@anthropic.com>"),
        "acme/web#3": ("unassisted", None, None),
        "acme/web#4": ("unknown", None, None),
    }


def test_import_classifies_gh_json_with_the_rules_files_code_origin_patterns(tmp_path):
    # A person's PR carrying the team's own tool line, and an account the team's agent runs under: neither is in the
    # built-in lists, so without the rules file both are unassisted.
    prs = [
        gh_pr(1, {"login": "ada", "is_bot": False}, body="Adds retry\n\nAI-Tool: acme-pilot 2.1", commits=[]),
        gh_pr(2, {"login": "acme-devin", "is_bot": False}, body="Bumps the cache size", commits=[]),
    ]
    export = tmp_path / "prs.json"
    export.write_text(json.dumps(prs))
    rules = tmp_path / "team.rules.toml"
    rules.write_text('[code_origin]\nagent_logins = ["acme-devin"]\nassisted_lines = ["(?i)^AI-Tool: "]\n')

    plain = tmp_path / "plain.duckdb"
    result = CliRunner().invoke(app, ["import", str(export), "--into", str(plain), "--rules", str(tmp_path / "none")])
    assert result.exit_code != 0  # a rules file that does not exist is refused, not silently replaced by built-ins
    result = CliRunner().invoke(app, ["import", str(export), "--into", str(plain)])
    assert result.exit_code == 0, result.output
    assert origins(plain) == {"acme/web#1": ("unassisted", None, None), "acme/web#2": ("unassisted", None, None)}

    ruled = tmp_path / "ruled.duckdb"
    result = CliRunner().invoke(app, ["import", str(export), "--into", str(ruled), "--rules", str(rules)])
    assert result.exit_code == 0, result.output
    assert origins(ruled) == {
        "acme/web#1": ("ai_assisted", "description line", "AI-Tool: acme-pilot 2.1"),
        "acme/web#2": ("agentic", "author login", "acme-devin"),
    }
