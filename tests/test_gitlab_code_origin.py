"""The GitLab loader tells each MR's code origin from its author, description, labels and commit messages and
authors; an MR whose description and commits the API did not give is unknown."""

from __future__ import annotations

import random

from fixtures.gitlab.fake_gitlab import FakeGitLab, FakeProject, gl_user, merge_request
from fixtures.gitlab.scenario import gl_commit

from flowgauge.loaders.gitlab.sync import sync_gitlab
from flowgauge.loaders.http.retry import RetryPolicy
from flowgauge.loaders.http.session import ApiSession
from flowgauge.loaders.store import write_snapshot
from flowgauge.rules import rules_from_text
from flowgauge.snapshot import open_snapshot

PROJECT = "grp/app"
CURSOR = "Co-authored-by: Cursor Agent <cursoragent@cursor.com>"


def mr(iid: int, author: dict, description: str | None = "", labels: list[str] | None = None) -> dict:
    day = f"2024-04-0{iid}T"
    found = merge_request(
        iid,
        created=day + "09:00:00.000Z",
        updated=day + "12:00:00.000Z",
        merged=day + "11:00:00.000Z",
        author=author,
        sha=str(iid) * 40,
        labels=labels,
    )
    if description is None:
        del found["description"]
    else:
        found["description"] = description
    return found


def commit_with(sha: str, message: str, name: str = "Dana", email: str = "dana@example.test") -> dict:
    found = gl_commit(sha, "2024-04-01T08:00:00.000Z")
    found.update(message=message, author_name=name, author_email=email)
    return found


def load(tmp_path, code_origin=None):
    dana = gl_user("dana", "Dana Scully")
    project = FakeProject(
        info={
            "id": 7,
            "path": "app",
            "path_with_namespace": PROJECT,
            "default_branch": "main",
            "archived": False,
            "web_url": "https://gitlab.test/grp/app",
            "created_at": "2023-01-01T00:00:00.000Z",
        },
        merge_requests=[
            mr(1, dana),
            mr(2, gl_user("acme-duo", "Duo agent", bot=True), "Resolves #4"),
            mr(3, dana, "Fix the cache."),
            mr(4, dana, None),
            mr(5, dana, labels=["AI-assisted", "backend"]),
        ],
        commits={
            1: [commit_with("a" * 40, f"Retry payments\n\n{CURSOR}\n")],
            2: [commit_with("b" * 40, "Resolve #4\n", "Duo", "duo@gitlab.test")],
            3: [commit_with("c" * 40, "Fix cache\n\nSigned-off-by: Dana <dana@example.test>\n")],
            5: [commit_with("e" * 40, "Tidy\n")],
        },
    )
    fake = FakeGitLab(projects={PROJECT: project})
    session = ApiSession(
        fake.client("glpat-ORIGINTEST0123456789ab"), retry=RetryPolicy(attempts=2, rng=random.Random(0))
    )
    path = tmp_path / "gl.duckdb"
    with write_snapshot(path, resumable=True) as writer:
        sync_gitlab(session, writer, [PROJECT], **({"code_origin": code_origin} if code_origin else {}))
    con = open_snapshot(path)
    try:
        return {
            number: rest
            for number, *rest in con.execute(
                "SELECT p.number, o.origin, o.evidence_kind, o.evidence FROM pr_code_origins o "
                "JOIN pull_requests p USING (pr_id)"
            ).fetchall()
        }
    finally:
        con.close()


def test_merge_requests_get_their_origin_from_what_gitlab_gives(tmp_path):
    assert load(tmp_path) == {
        1: ["ai_assisted", "commit message line", CURSOR],
        2: ["unassisted", None, None],  # a bot account GitLab names, but not one of the built-in agents
        3: ["unassisted", None, None],
        4: ["unknown", None, None],  # neither description nor commits in the response
        5: ["ai_assisted", "label", "AI-assisted"],
    }


def test_a_teams_agent_account_named_in_the_rules_makes_its_mrs_agentic(tmp_path):
    rules = rules_from_text('[code_origin]\nagent_logins = ["acme-duo"]\n', "flowgauge.rules.toml").code_origin
    assert load(tmp_path, rules)[2] == ["agentic", "author login", "acme-duo"]
