"""The git loader tells each PR's code origin from its commits: an agent's commits make it agentic, an AI tool's
trailer or author suffix AI-assisted; git sees every PR's commits, so a PR without a trail is unassisted."""

from __future__ import annotations

from git_repo_builder import RepoBuilder

from flowgauge.loaders.git import load_git_repos
from flowgauge.rules import rules_from_text
from flowgauge.snapshot import open_snapshot

ADA = "Ada Lovelace <ada@acme.example>"
COPILOT = "Copilot <198982749+Copilot@users.noreply.github.com>"
GITHUB = "GitHub <noreply@github.com>"
CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>"


def history(tmp_path) -> RepoBuilder:
    repo = RepoBuilder(tmp_path / "shop")
    repo.write("a.py", ["a"])
    repo.commit(["a.py"], "Start", ADA, "2024-03-01 09:00:00 +0000")
    repo.write("a.py", ["a", "retry"])
    repo.commit(
        ["a.py"],
        f"Add retry (#1)\n\nPlan mentions PRIVATE-DETAIL-42.\n\n{CLAUDE}",
        ADA,
        "2024-03-02 09:00:00 +0000",
    )
    # An agent's branch, merged by a person from GitHub's button.
    repo.git("checkout", "-q", "-b", "copilot/fix-cache")
    repo.write("b.py", ["cache"])
    repo.commit(
        ["b.py"], "Fix cache eviction\n\nCo-authored-by: ada <ada@acme.example>", COPILOT, "2024-03-03 09:00:00 +0000"
    )
    repo.git("checkout", "-q", "main")
    repo.merge(
        "copilot/fix-cache", "Merge pull request #2 from acme/copilot/fix-cache", GITHUB, "2024-03-03 12:00:00 +0000"
    )
    repo.write("c.py", ["plain"])
    repo.commit(
        ["c.py"],
        "Rename things (#3)\n\nSigned-off-by: Ada Lovelace <ada@acme.example>",
        ADA,
        "2024-03-04 09:00:00 +0000",
    )
    repo.write("d.py", ["aider"])
    repo.commit(["d.py"], "Add parser (#4)", "Ada Lovelace (aider) <ada@acme.example>", "2024-03-05 09:00:00 +0000")
    # A person's merged branch whose second commit carries Cursor's trailer.
    repo.git("checkout", "-q", "-b", "feature/export")
    repo.write("e.py", ["export"])
    repo.commit(["e.py"], "Export CSV", ADA, "2024-03-06 09:00:00 +0000")
    repo.write("e.py", ["export", "escape"])
    repo.commit(["e.py"], "Escape cells\n\nMade-with: Cursor", ADA, "2024-03-06 10:00:00 +0000")
    repo.git("checkout", "-q", "main")
    repo.merge("feature/export", "Merge pull request #5 from acme/feature/export", GITHUB, "2024-03-06 12:00:00 +0000")
    return repo


def origins(tmp_path, repo, **kwargs) -> tuple[dict[int, list], str]:
    out = tmp_path / "git.duckdb"
    load_git_repos([repo.path], out, line_age=False, **kwargs)
    con = open_snapshot(out)
    try:
        found = {
            number: rest
            for number, *rest in con.execute(
                "SELECT p.number, o.origin, o.evidence_kind, o.evidence FROM pr_code_origins o "
                "JOIN pull_requests p USING (pr_id)"
            ).fetchall()
        }
        stored = con.execute("SELECT string_agg(CAST(t AS VARCHAR), ' ') FROM pr_code_origins t").fetchone()[0]
    finally:
        con.close()
    return found, stored


def test_each_pr_gets_its_origin_from_its_commits(tmp_path):
    found, stored = origins(tmp_path, history(tmp_path))
    assert found == {
        1: ["ai_assisted", "commit message line", CLAUDE],
        2: ["agentic", "author commit", COPILOT],
        3: ["unassisted", None, None],
        4: ["ai_assisted", "commit author", "Ada Lovelace (aider) <ada@acme.example>"],
        5: ["ai_assisted", "commit message line", "Made-with: Cursor"],
    }
    assert "PRIVATE-DETAIL-42" not in stored


def test_rules_file_patterns_reach_the_git_loader(tmp_path):
    rules = rules_from_text("[code_origin]\nbuilt_in = false\n", "flowgauge.rules.toml")
    found, _ = origins(tmp_path, history(tmp_path), code_origin=rules.code_origin)
    assert {number: origin for number, (origin, *_) in found.items()} == dict.fromkeys(range(1, 6), "unassisted")
