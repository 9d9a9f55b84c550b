"""Code origin from each tool's documented accounts, trailers and lines; unassisted only when commits were seen."""

from __future__ import annotations

import pytest

from flowgauge.loaders.code_origin import PrTrail, classify
from flowgauge.rules import BadRules, rules_from_text
from flowgauge.rules.code_origin import DEFAULT_CODE_ORIGIN, CodeOriginRules

CLAUDE_COMMIT = """Add retry to the payment client

Retries idempotent calls twice with backoff; the card token stays out of logs.

🤖 Generated with [Claude Code](https://claude.com/claude-code)

Co-Authored-By: Claude <noreply@anthropic.com>
"""


def one(trail: PrTrail, rules: CodeOriginRules = DEFAULT_CODE_ORIGIN) -> tuple[str, str | None, str | None]:
    (found,) = classify(rules, [trail])
    return found.origin, found.evidence_kind, found.evidence


@pytest.mark.parametrize(
    ("login", "is_bot"),
    [
        ("Copilot", True),  # GitHub Copilot coding agent as GraphQL names it: actor type Bot, login 'Copilot'
        ("copilot-swe-agent[bot]", False),  # the same agent in REST payloads
        ("devin-ai-integration[bot]", False),  # Devin
        ("claude[bot]", False),  # Claude's GitHub app
        ("chatgpt-codex-connector[bot]", False),  # OpenAI Codex
        ("cursor[bot]", False),  # Cursor background agents
        ("google-labs-jules", True),  # Jules, GraphQL form (no '[bot]')
        ("google-labs-jules[bot]", False),  # Jules, REST form
        ("amazon-q-developer[bot]", False),  # Amazon Q Developer
    ],
)
def test_agent_accounts_open_agentic_prs(login, is_bot):
    trail = PrTrail("acme/web#1", author_login=login, author_is_bot=is_bot, seen=True)
    assert one(trail) == ("agentic", "author login", login)


def test_a_person_whose_login_is_an_agent_name_is_not_an_agent():
    assert one(PrTrail("acme/web#2", author_login="copilot", author_is_bot=False, seen=True))[0] == "unassisted"
    assert one(PrTrail("acme/web#3", author_login="claude", seen=True))[0] == "unassisted"


def test_dependabot_is_a_bot_but_no_agent():
    trail = PrTrail("acme/web#4", author_login="dependabot[bot]", author_is_bot=True, seen=True)
    assert one(trail)[0] == "unassisted"


@pytest.mark.parametrize(
    "identity",
    [
        "Copilot <198982749+Copilot@users.noreply.github.com>",  # Copilot coding agent's commits
        "devin-ai-integration[bot] <158243242+devin-ai-integration[bot]@users.noreply.github.com>",
        "google-labs-jules[bot] <161369871+google-labs-jules[bot]@users.noreply.github.com>",
        "Cursor Agent <cursoragent@cursor.com>",
        # GitHub's noreply form for an app's commits, '<user id>+<login>@users.noreply.github.com' (ids illustrative).
        "amazon-q-developer[bot] <208079219+amazon-q-developer[bot]@users.noreply.github.com>",
        "claude[bot] <209825114+claude[bot]@users.noreply.github.com>",
        "chatgpt-codex-connector[bot] <199175422+chatgpt-codex-connector[bot]@users.noreply.github.com>",
    ],
)
def test_git_pr_whose_author_commit_is_an_agent_is_agentic(identity):
    trail = PrTrail("acme/web#5", author_identity=identity, commit_authors=[identity], seen=True)
    assert one(trail) == ("agentic", "author commit", identity)


@pytest.mark.parametrize(
    "line",
    [
        "https://chatgpt.com/codex/tasks/task_e_68a1b2c3d4e5f6",  # Codex cloud opens PRs from the person's account
        '<a href="https://cursor.com/background-agent?bcId=bc-6777">Open in Cursor</a>',
    ],
)
def test_agent_task_links_in_a_persons_pr_make_it_agentic(line):
    trail = PrTrail("acme/web#6", author_login="ada", description=f"Adds the retry.\n\n{line}\n", seen=True)
    assert one(trail) == ("agentic", "description line", line)


@pytest.mark.parametrize(
    "trailer",
    [
        "Co-Authored-By: Claude <noreply@anthropic.com>",
        "Co-Authored-By: Claude Opus 4.6 <noreply@anthropic.com>",
        "Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>",
        "Co-authored-by: Cursor Agent <cursoragent@cursor.com>",
        "Co-authored-by: aider (gpt-4o) <noreply@aider.chat>",
        "Co-authored-by: devin-ai-integration[bot] <158243242+devin-ai-integration[bot]@users.noreply.github.com>",
        "Generated-by: Claude Code (Claude Opus 4.6)",
        "Made-with: Cursor",
    ],
)
def test_ai_trailers_in_a_persons_commits_make_it_ai_assisted(trailer):
    message = f"Fix rounding of refunds\n\nThe old code used float cents.\n\n{trailer}\n"
    trail = PrTrail("acme/web#7", author_login="ada", commit_messages=["Tidy tests", message], seen=True)
    # Only the matched trailer line is evidence: nothing else of the message is kept.
    assert one(trail) == ("ai_assisted", "commit message line", trailer)


def test_generated_with_lines_in_a_description_make_it_ai_assisted():
    description = "## Summary\n- adds retry\n\nMade with [Cursor](https://cursor.com)"
    trail = PrTrail("acme/web#8", author_login="ada", description=description, seen=True)
    assert one(trail) == ("ai_assisted", "description line", "Made with [Cursor](https://cursor.com)")
    claude = PrTrail("acme/web#9", author_login="ada", commit_messages=[CLAUDE_COMMIT], seen=True)
    assert one(claude) == (
        "ai_assisted",
        "commit message line",
        "🤖 Generated with [Claude Code](https://claude.com/claude-code)",
    )


def test_aider_author_suffix_makes_it_ai_assisted():
    author = "Ada Lovelace (aider) <ada@acme.example>"
    trail = PrTrail("acme/web#10", author_login="ada", commit_authors=[author], seen=True)
    assert one(trail) == ("ai_assisted", "commit author", author)


@pytest.mark.parametrize(
    "trailer",
    [
        "Co-authored-by: Devin Smith <devin@acme.example>",  # people named like tools stay people
        "Co-authored-by: Claude Dupont <claude@acme.example>",
        "Signed-off-by: Ada Lovelace <ada@acme.example>",
    ],
)
def test_human_co_authors_leave_a_pr_unassisted(trailer):
    trail = PrTrail("acme/web#11", author_login="ada", commit_messages=[f"Fix it\n\n{trailer}"], seen=True)
    assert one(trail) == ("unassisted", None, None)


def test_no_evidence_is_unassisted_only_when_commits_were_seen():
    assert one(PrTrail("acme/web#12", author_login="ada", commit_messages=["Fix it"], seen=True))[0] == "unassisted"
    assert one(PrTrail("acme/web#13", author_login="ada", seen=False)) == ("unknown", None, None)


def test_labels_count_as_the_team_uses_them():
    assert one(PrTrail("acme/web#14", author_login="ada", labels=["AI-Assisted"], seen=True)) == (
        "ai_assisted",
        "label",
        "AI-Assisted",
    )
    rules = rules_from_text('[code_origin]\nagent_labels = ["agent-made"]\n', "flowgauge.rules.toml").code_origin
    assert one(PrTrail("acme/web#15", author_login="ada", labels=["agent-made"], seen=True), rules)[0] == "agentic"


def test_rules_file_adds_accounts_and_lines_or_turns_the_built_in_lists_off():
    text = """
[code_origin]
agent_logins = ["Acme-Devin"]
assisted_lines = ["(?i)^ai-tool: "]
"""
    rules = rules_from_text(text, "flowgauge.rules.toml").code_origin
    assert one(PrTrail("acme/web#16", author_login="acme-devin", seen=True), rules)[0] == "agentic"
    trail = PrTrail("acme/web#17", author_login="ada", commit_messages=["Fix\n\nAI-Tool: Gemini"], seen=True)
    assert one(trail, rules) == ("ai_assisted", "commit message line", "AI-Tool: Gemini")
    assert one(PrTrail("acme/web#18", author_login="Copilot", author_is_bot=True, seen=True), rules)[0] == "agentic"
    off = rules_from_text("[code_origin]\nbuilt_in = false\n", "flowgauge.rules.toml").code_origin
    assert one(PrTrail("acme/web#19", author_login="Copilot", author_is_bot=True, seen=True), off)[0] == "unassisted"


def test_a_pattern_re2_cannot_run_is_refused_with_its_line():
    with pytest.raises(BadRules, match=r"rules.toml:3: \[code_origin\] assisted_lines: '\(\?<=ai\)x' is not a pattern"):
        rules_from_text('[code_origin]\nbuilt_in = true\nassisted_lines = ["(?<=ai)x"]\n', "rules.toml")
    with pytest.raises(BadRules, match=r"\[code_origin\] agent_bots: unknown setting"):
        rules_from_text('[code_origin]\nagent_bots = ["x"]\n', "rules.toml")


def test_long_evidence_lines_are_cut():
    line = "Generated with [Claude Code](https://claude.com/claude-code) " + "x" * 400
    (found,) = classify(DEFAULT_CODE_ORIGIN, [PrTrail("acme/web#20", description=line, seen=True)])
    assert found.origin == "ai_assisted" and len(found.evidence) == 200 and found.evidence.endswith("…")
