"""The GitHub loader tells each PR's code origin from the GraphQL payload: the author's actor type and login, the
description (body), commit messages (messageBody) and commit authors; a response without body or commit messages
leaves the PR unknown."""

from __future__ import annotations

import random

from fixtures.github.fake_github import FakeGitHub, FakeRepo, commit, pull, user

from flowgauge.loaders.github.sync import sync_github
from flowgauge.loaders.http.retry import RetryPolicy
from flowgauge.loaders.http.session import ApiSession
from flowgauge.loaders.store import write_snapshot
from flowgauge.rules import rules_from_text
from flowgauge.snapshot import open_snapshot

TOKEN = "ghp_ORIGINTEST0123456789abcdefghijklmn"
CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>"
GENERATED = "🤖 Generated with [Claude Code](https://claude.com/claude-code)"
CODEX_TASK = "https://chatgpt.com/codex/tasks/task_e_68a1b2c3d4e5f60011"


def with_message(node: dict, body: str, name: str | None = None, email: str | None = None) -> dict:
    node["commit"]["messageBody"] = body
    if name:
        node["commit"]["author"].update(name=name, email=email)
    return node


def described(node: dict, body: str | None) -> dict:
    node["body"] = body
    return node


def origin_repo() -> FakeRepo:
    day = "2024-03-0{}T{}:00:00Z"
    copilot = described(
        pull(
            1,
            created=day.format(1, "09"),
            updated=day.format(1, "12"),
            merged=day.format(1, "11"),
            author=user("Copilot", "Bot"),
            commits=[
                with_message(
                    commit("a" * 40, day.format(1, "08"), login=None),
                    "Fixes #12",
                    "Copilot",
                    "198982749+Copilot@users.noreply.github.com",
                )
            ],
        ),
        "Fixes #12.\n\nCo-authored-by: alice <alice@example.test>",
    )
    trailer = described(
        pull(
            2,
            created=day.format(2, "09"),
            updated=day.format(2, "12"),
            merged=day.format(2, "11"),
            author=user("alice"),
            commits=[
                with_message(commit("b" * 40, day.format(2, "08")), ""),
                # The rest of the message (a plan with a private detail) must never reach the snapshot.
                with_message(commit("c" * 40, day.format(2, "08")), f"Plan: rotate key PRIVATE-DETAIL-42\n\n{CLAUDE}"),
            ],
        ),
        "Tidies the retry.",
    )
    generated = described(
        pull(
            3,
            created=day.format(3, "09"),
            updated=day.format(3, "12"),
            merged=day.format(3, "11"),
            author=user("bob"),
            commits=[with_message(commit("d" * 40, day.format(3, "08"), login="bob"), "")],
        ),
        f"## Summary\n- adds the thing\n\n{GENERATED}\n",
    )
    plain = described(
        pull(
            4,
            created=day.format(4, "09"),
            updated=day.format(4, "12"),
            merged=day.format(4, "11"),
            author=user("alice"),
            commits=[with_message(commit("e" * 40, day.format(4, "08")), "Signed-off-by: Alice <alice@example.test>")],
        ),
        "Fix it.",
    )
    # A recorded response from before the query asked for body and messageBody: nothing to tell from.
    older = pull(
        5,
        created=day.format(5, "09"),
        updated=day.format(5, "12"),
        merged=day.format(5, "11"),
        author=user("alice"),
        commits=[commit("f" * 40, day.format(5, "08"))],
    )
    codex = described(
        pull(
            6,
            created=day.format(6, "09"),
            updated=day.format(6, "12"),
            state="CLOSED",
            merged=day.format(6, "11"),
            author=user("bob"),
        ),
        f"Summary of the change\n\n{CODEX_TASK}",
    )
    return FakeRepo(pulls=[copilot, trailer, generated, plain, older, codex])


def load(tmp_path, **kwargs):
    fake = FakeGitHub(repos={"acme/app": origin_repo()})
    session = ApiSession(
        fake.client(TOKEN),
        graphql_url="graphql",
        retry=RetryPolicy(attempts=2, rng=random.Random(0)),
        sleep=lambda s: None,
        clock=lambda: 1_700_000_000.0,
    )
    path = tmp_path / "gh.duckdb"
    with write_snapshot(path, resumable=True) as writer:
        sync_github(session, writer, ["acme/app"], **kwargs)
    con = open_snapshot(path)
    try:
        origins = {
            number: rest
            for number, *rest in con.execute(
                "SELECT p.number, o.origin, o.evidence_kind, o.evidence FROM pr_code_origins o "
                "JOIN pull_requests p USING (pr_id)"
            ).fetchall()
        }
        stored = con.execute("SELECT string_agg(CAST(t AS VARCHAR), ' ') FROM pr_code_origins t").fetchone()[0]
        stored += con.execute("SELECT string_agg(CAST(c AS VARCHAR), ' ') FROM commits c").fetchone()[0]
    finally:
        con.close()
    return origins, stored


def test_each_pr_gets_its_origin_and_only_the_matched_evidence(tmp_path):
    origins, stored = load(tmp_path)
    assert origins == {
        1: ["agentic", "author login", "Copilot"],
        2: ["ai_assisted", "commit message line", CLAUDE],
        3: ["ai_assisted", "description line", GENERATED],
        4: ["unassisted", None, None],
        5: ["unknown", None, None],
        6: ["agentic", "description line", CODEX_TASK],
    }
    assert "PRIVATE-DETAIL-42" not in stored


def test_the_rules_files_code_origin_table_reaches_the_loader(tmp_path):
    rules = rules_from_text('[code_origin]\nbuilt_in = false\nagent_logins = ["bob"]\n', "flowgauge.rules.toml")
    origins, _ = load(tmp_path, code_origin=rules.code_origin)
    assert origins[1][0] == "unassisted"  # Copilot's account is no agent once the built-in list is off
    assert origins[3] == ["agentic", "author login", "bob"]
    assert origins[2][0] == "unassisted"


# Each coding agent as GitHub's GraphQL API names the author of its PRs: an actor of type Bot whose login has no
# '[bot]' suffix (the REST API's 'devin-ai-integration[bot]' is GraphQL's 'devin-ai-integration').
AGENT_ACTORS = (
    "Copilot",
    "devin-ai-integration",
    "claude",
    "chatgpt-codex-connector",
    "cursor",
    "google-labs-jules",
    "amazon-q-developer",
)


def test_every_named_agents_graphql_actor_opens_agentic_prs_and_other_bots_do_not(tmp_path):
    day = "2024-03-{:02d}T{}:00:00Z"
    authors = [user(login, "Bot") for login in AGENT_ACTORS] + [user("dependabot", "Bot"), user("alice")]
    pulls = [
        described(
            pull(
                number,
                created=day.format(number, "09"),
                updated=day.format(number, "12"),
                merged=day.format(number, "11"),
                author=author,
                commits=[with_message(commit(f"{number:040x}", day.format(number, "08"), login=None), "")],
            ),
            "Does the thing.",
        )
        for number, author in enumerate(authors, start=1)
    ]
    fake = FakeGitHub(repos={"acme/app": FakeRepo(pulls=pulls)})
    session = ApiSession(
        fake.client(TOKEN),
        graphql_url="graphql",
        retry=RetryPolicy(attempts=2, rng=random.Random(0)),
        sleep=lambda s: None,
        clock=lambda: 1_700_000_000.0,
    )
    path = tmp_path / "agents.duckdb"
    with write_snapshot(path, resumable=True) as writer:
        sync_github(session, writer, ["acme/app"])
    con = open_snapshot(path)
    try:
        origins = dict(
            con.execute(
                "SELECT p.number, [o.origin, o.evidence] FROM pr_code_origins o JOIN pull_requests p USING (pr_id)"
            ).fetchall()
        )
    finally:
        con.close()
    agents = [origins[number] for number in range(1, len(AGENT_ACTORS) + 1)]
    assert agents == [["agentic", login] for login in AGENT_ACTORS]  # evidence: the author login, as given
    assert origins[len(AGENT_ACTORS) + 1] == ["unassisted", None]  # Dependabot: a bot, not an agent
    assert origins[len(AGENT_ACTORS) + 2] == ["unassisted", None]  # alice
