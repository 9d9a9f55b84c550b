"""People across the pages of a GitHub sync: the same person seen on every page keeps one row, their first e-mail."""

from __future__ import annotations

from fixtures.github.fake_github import FakeGitHub, FakeRepo, commit, pull, user

from flowgauge.loaders.github.sync import sync_github
from flowgauge.loaders.http.session import ApiSession
from flowgauge.loaders.store import write_snapshot
from flowgauge.snapshot import open_snapshot


def alices_pull(number: int, updated: str, name: str | None, email: str) -> dict:
    change = commit(f"{number:040x}", "2026-03-02T09:00:00Z", login="alice")
    change["commit"]["author"]["email"] = email
    return pull(
        number,
        created="2026-03-02T08:00:00Z",
        updated=updated,
        merged="2026-03-02T15:00:00Z",
        author=user("alice", name=name),
        commits=[change],
    )


def test_a_person_on_every_page_keeps_their_first_email_and_their_name(tmp_path):
    # Newest updated first, one PR a page: the first page names Alice and has her work e-mail, the second neither.
    fake = FakeGitHub(
        repos={
            "acme/web": FakeRepo(
                pulls=[
                    alices_pull(1, "2026-03-05T10:00:00Z", "Alice Liddell", "Alice@Work.test"),
                    alices_pull(2, "2026-03-04T10:00:00Z", None, "alice@home.test"),
                ]
            )
        }
    )
    path = tmp_path / "gh.duckdb"
    session = ApiSession(fake.client(), graphql_url="graphql", sleep=lambda s: None)
    with write_snapshot(path, resumable=True) as writer:
        report = sync_github(session, writer, ["acme/web"], page_size=1)
    assert report.items["pull_requests"] == 2
    con = open_snapshot(path)
    try:
        people = con.execute("SELECT person_id, display_name, primary_email FROM people").fetchall()
        emails = con.execute("SELECT alias FROM person_aliases WHERE alias_kind = 'email' ORDER BY 1").fetchall()
    finally:
        con.close()
    assert people == [("alice", "Alice Liddell", "alice@work.test")]
    assert emails == [("alice@home.test",), ("alice@work.test",)]
