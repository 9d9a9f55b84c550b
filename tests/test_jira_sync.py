"""sync_jira against a fake Jira (Cloud and Data Center): issues, changelogs, sprints and each sprint's scope."""

from __future__ import annotations

import random
from datetime import datetime

import httpx
import pytest
from fixtures.jira.fake_jira import FakeJira
from fixtures.jira.scenario import world

from flowgauge.loaders.http.errors import RetriesExhausted
from flowgauge.loaders.http.retry import RetryPolicy
from flowgauge.loaders.http.session import ApiSession
from flowgauge.loaders.jira.client import JiraAuth, build_jira_client
from flowgauge.loaders.jira.sync import sync_jira
from flowgauge.loaders.store import write_snapshot
from flowgauge.snapshot import open_snapshot

NOW = datetime(2024, 4, 2, 12, 0)


def session_for(fake: FakeJira, sleeps: list[float] | None = None) -> ApiSession:
    auth = JiraAuth(fake.deployment, fake.token, fake.email)
    client = build_jira_client("https://acme.atlassian.test", auth)
    client._transport = httpx.MockTransport(fake.handle)  # the real client's headers, a fake site behind them
    return ApiSession(
        client,
        redactor=auth.redactor(client),
        retry=RetryPolicy(attempts=3, rng=random.Random(0)),
        sleep=sleeps.append if sleeps is not None else (lambda s: None),
    )


def run(fake: FakeJira, path, sleeps=None, **scope):
    fake.log.clear()
    scope = scope or {"boards": [7]}
    with write_snapshot(path, resumable=True) as writer:
        return sync_jira(session_for(fake, sleeps), writer, deployment=fake.deployment, now=NOW, **scope)


def q(path, sql, params=()):
    con = open_snapshot(path)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def scope_of(path, sprint: str) -> dict[str, list]:
    rows = q(
        path,
        "SELECT event, item_key, story_points FROM sprint_scope_events WHERE sprint_id = ? ORDER BY event, item_key",
        [sprint],
    )
    out: dict[str, list] = {}
    for event, key, points in rows:
        out.setdefault(event, []).append((key, points))
    return out


@pytest.mark.parametrize("deployment", ["cloud", "datacenter"])
def test_each_sprint_scope_is_read_from_the_changelogs(tmp_path, deployment):
    path = tmp_path / "jira.duckdb"
    report = run(world(deployment), path)
    assert report.repos_loaded == ["board:7"] and report.items["issues"] == 7
    # Sprint 1: PAY-1, PAY-2 (5 points at the start, 8 later) and PAY-3 were in it at its start; PAY-3 left on 03-08
    # and came back on 03-12 (moved between sprints twice); PAY-5 joined on 03-06, PAY-4 was created inside it.
    assert scope_of(path, "jira:101") == {
        "committed": [("PAY-1", 3.0), ("PAY-2", 5.0), ("PAY-3", 2.0)],
        "added": [("PAY-3", 2.0), ("PAY-4", 1.0), ("PAY-5", 3.0)],
        "removed": [("PAY-3", 2.0)],
        "completed": [("PAY-1", 3.0), ("PAY-3", 2.0), ("PAY-4", 1.0)],
    }
    # Sprint 2: PAY-2 (now 8) and PAY-5 were carried in when sprint 1 closed, before sprint 2 started; PAY-5 was
    # removed on 03-22; PAY-7 joined on 03-19. PAY-3's visit to sprint 2 was before its start: no event.
    assert scope_of(path, "jira:102") == {
        "committed": [("PAY-2", 8.0), ("PAY-5", 3.0)],
        "added": [("PAY-7", 2.0)],
        "removed": [("PAY-5", 3.0)],
        "completed": [("PAY-2", 8.0), ("PAY-7", 2.0)],
    }
    assert scope_of(path, "jira:103") == {}  # not started
    members = q(
        path, "SELECT sprint_id, item_key, added_after_start, completed_in_sprint FROM sprint_items ORDER BY 1, 2"
    )
    assert members == [
        ("jira:101", "PAY-1", False, True),
        ("jira:101", "PAY-2", False, False),
        ("jira:101", "PAY-3", False, True),
        ("jira:101", "PAY-4", True, True),
        ("jira:101", "PAY-5", True, False),
        ("jira:102", "PAY-2", False, True),
        ("jira:102", "PAY-7", True, True),  # PAY-5 left sprint 2: only its scope events remember it
        ("jira:103", "PAY-8", False, None),
    ]
    assert q(
        path,
        "SELECT sprint_id, name, team_id, state, starts_at::VARCHAR, completed_at::VARCHAR FROM sprints ORDER BY 1",
    ) == [
        ("jira:101", "PAY Sprint 1", "jira:board:7", "closed", "2024-03-04 09:00:00", "2024-03-15 17:30:00"),
        ("jira:102", "PAY Sprint 2", "jira:board:7", "closed", "2024-03-18 09:00:00", "2024-03-29 17:10:00"),
        ("jira:103", "PAY Sprint 3", "jira:board:7", "future", None, None),
    ]
    assert q(path, "SELECT team_id, name FROM teams") == [("jira:board:7", "Payments board")]


@pytest.mark.parametrize(("deployment", "ana"), [("cloud", "ana.lima"), ("datacenter", "ana")])
def test_issue_fields_map_to_work_items(tmp_path, deployment, ana):
    path = tmp_path / "jira.duckdb"
    run(world(deployment), path)
    rows = {
        r[0]: r[1:]
        for r in q(
            path,
            "SELECT item_key, project_key, item_type, status, status_category, story_points, parent_key, is_subtask, "
            "assignee_id, created_at::VARCHAR, started_at::VARCHAR, resolved_at::VARCHAR, labels FROM work_items",
        )
    }
    # Points come from the board's estimation field (Story Points), not the other estimate field (99).
    assert rows["PAY-1"] == ("PAY", "Story", "Done", "done", 3.0, "PAY-100", False, ana, "2024-02-20 10:00:00",
                             "2024-03-05 09:30:00", "2024-03-10 15:00:00", ["payments"])  # fmt: skip
    assert rows["PAY-4"][1] == "Bug"
    assert rows["PAY-5"][3:5] == ("todo", 3.0) and rows["PAY-5"][7] is None and rows["PAY-5"][9:11] == (None, None)
    assert rows["PAY-8"][4] is None
    people = q(path, "SELECT person_id, display_name FROM people ORDER BY 1")
    assert [p[1] for p in people] == ["Ana Lima", "Bo Chen"]


def test_cloud_pages_search_by_token_and_a_long_changelog_by_its_own_resource(tmp_path):
    fake = world("cloud")
    run(fake, tmp_path / "jira.duckdb")
    searches = [line for line in fake.log if "search/jql" in line]
    assert len(searches) == 4  # 7 issues, 2 a page
    assert "nextPageToken" not in searches[0] and "nextPageToken=2" in searches[1]
    # PAY-2 (8 history entries) and PAY-3 (5) are more than the search embeds (3): each changelog is read whole,
    # 2 a page until isLast; the others' embedded changelogs are complete.
    changelog = [line.removeprefix("GET rest/api/3/issue/") for line in fake.log if "/changelog" in line]
    pages = [f"changelog?startAt={n}&maxResults=100" for n in (0, 2, 4, 6)]
    assert changelog == [f"PAY-3/{p}" for p in pages[:3]] + [f"PAY-2/{p}" for p in pages]
    sprint_pages = [line for line in fake.log if line.startswith("GET rest/agile/1.0/board/7/sprint")]
    assert len(sprint_pages) == 2  # 3 sprints, 2 a page, until isLast


def test_data_center_pages_search_by_start_at_and_total(tmp_path):
    fake = world("datacenter")
    run(fake, tmp_path / "jira.duckdb")
    searches = [line for line in fake.log if "rest/api/2/search" in line]
    assert [s.split("startAt=")[1].split("&")[0] for s in searches] == ["0", "2", "4", "6"]
    assert not [line for line in fake.log if "rest/api/3" in line]


def test_a_429_waits_for_retry_after_then_continues(tmp_path):
    fake = world("cloud")
    limited = []

    def once(request: httpx.Request):
        if "search/jql" in request.url.path and not limited:
            limited.append(request)
            return httpx.Response(429, headers={"Retry-After": "7"}, json={"errorMessages": ["Rate limit exceeded."]})
        return None

    fake.faults.append(once)
    sleeps: list[float] = []
    run(fake, tmp_path / "jira.duckdb", sleeps=sleeps)
    assert sleeps == [7.0]
    assert q(tmp_path / "jira.duckdb", "SELECT count(*) FROM work_items") == [(7,)]


def test_a_rerun_reads_only_issues_updated_since_minus_a_day(tmp_path):
    fake = world("cloud")
    path = tmp_path / "jira.duckdb"
    run(fake, path)
    stored = q(path, "SELECT repo_id, stream, cursor, complete FROM sync_state")
    assert stored == [("board:7", "issues", '{"updated_from": "2024-03-28T10:00:00.000+0000"}', True)]
    fake.issues[4]["fields"]["summary"] = "Refund reports, renamed"  # PAY-5, updated 03-22: outside the re-read day
    run(fake, path)
    searches = [line for line in fake.log if "search/jql" in line]
    assert len(searches) == 1 and "updated+%3E%3D+%222024-03-27+10%3A00%22" in searches[0]
    assert q(path, "SELECT summary FROM work_items WHERE item_key = 'PAY-5'") == [("Refund reports",)]


def test_an_interrupted_run_resumes_after_the_last_page_it_wrote(tmp_path):
    fake = world("cloud")
    path = tmp_path / "jira.duckdb"

    def unavailable(request: httpx.Request):
        if "search/jql" in request.url.path and request.url.params.get("nextPageToken") == "4":
            return httpx.Response(503, json={"errorMessages": ["Service unavailable"]})
        return None

    fake.faults.append(unavailable)
    with pytest.raises(
        RetriesExhausted,
        match="HTTP 503 from https://acme.atlassian.test/rest/api/3/search/jql; gave up after 3 attempts",
    ):
        run(fake, path)
    assert not path.exists()  # nothing published
    fake.faults.clear()
    run(fake, path)
    # Pages 1 and 2 (PAY-1, PAY-4, PAY-3, PAY-2, updated up to 03-20 11:00) were kept: the rerun asks from a day
    # before that, so PAY-2, PAY-5, PAY-7 and PAY-8 (two pages), not the whole board again.
    searches = [line for line in fake.log if "search/jql" in line]
    assert len(searches) == 2 and "updated+%3E%3D+%222024-03-19+11%3A00%22" in searches[0]
    assert q(path, "SELECT count(*) FROM work_items") == [(7,)]
    assert q(path, "SELECT count(*) FROM sprint_scope_events") == [(16,)]


def test_a_sprint_that_started_since_the_last_run_has_its_issues_read_again(tmp_path):
    fake = world("cloud")
    path = tmp_path / "jira.duckdb"
    run(fake, path)
    future = fake.board_sprints[7][2]
    future.update(state="active", startDate="2024-04-01T09:00:00.000Z", endDate="2024-04-12T17:00:00.000Z")
    for issue in fake.issues:  # the issue's sprint field shows the new dates too
        for sprint in issue["fields"]["customfield_10020"] or []:
            if sprint["id"] == 103:
                sprint.update(state="active", startDate=future["startDate"], endDate=future["endDate"])
    run(fake, path)
    assert any("sprint+in+%28103%29" in line for line in fake.log)
    assert scope_of(path, "jira:103") == {"committed": [("PAY-8", None)]}


def test_a_missing_project_is_skipped_and_the_others_load(tmp_path):
    fake = world("cloud")
    path = tmp_path / "jira.duckdb"
    report = run(fake, path, projects=["NOPE", "PAY"])
    assert report.repos_loaded == ["project:PAY"]
    assert "The value 'NOPE' does not exist for the field 'project'" in report.repos_skipped["project:NOPE"]
    # Without a board, the sprints come from the issues' sprint field, with their board as team.
    assert q(path, "SELECT count(*), count(team_id) FROM sprints") == [(3, 3)]
    assert q(path, "SELECT count(*) FROM sprint_scope_events") == [(16,)]


def test_the_token_is_in_no_row_of_the_snapshot(tmp_path):
    fake = world("cloud")
    path = tmp_path / "jira.duckdb"
    run(fake, path)
    assert fake.token.encode() not in path.read_bytes()
    assert q(path, "SELECT kind, source_id FROM sources") == [("jira", "jira")]


def test_a_kanban_board_loads_its_issues_without_sprints(tmp_path):
    fake = world("datacenter")
    fake.boards[8] = {"id": 8, "name": "Ops kanban", "type": "kanban"}
    fake.configurations[8] = {"id": 8, "name": "Ops kanban", "filter": {"id": "1008"}}
    fake.filters[1008] = {"PAY-1", "PAY-4"}
    path = tmp_path / "jira.duckdb"
    report = run(fake, path, boards=[8])
    assert report.repos_loaded == ["board:8"]
    assert not [line for line in fake.log if line.startswith("GET rest/agile/1.0/board/8/sprint")]
    assert q(path, "SELECT item_key, story_points FROM work_items ORDER BY 1") == [("PAY-1", 3.0), ("PAY-4", 1.0)]
    # Their sprint (of board 7, read from the Agile API since Data Center's sprint field is text) brings its board.
    assert q(path, "SELECT team_id, name FROM teams ORDER BY 1") == [
        ("jira:board:7", "Payments board"),
        ("jira:board:8", "Ops kanban"),
    ]
    assert q(path, "SELECT sprint_id, team_id FROM sprints") == [("jira:101", "jira:board:7")]


def test_a_sprint_the_account_cannot_see_is_named_and_left_out(tmp_path):
    fake = world("cloud")
    pay1 = fake.issues[0]
    pay1["changelog"]["histories"].insert(
        0,
        {"id": "10", "created": "2024-02-25T10:00:00.000+0000", "items": [
            {"field": "Sprint", "fieldtype": "custom", "fieldId": "customfield_10020", "from": "", "fromString": "",
             "to": "999", "toString": "Secret sprint"}]},
    )  # fmt: skip
    pay1["changelog"]["histories"][1]["items"][0].update({"from": "999", "fromString": "Secret sprint"})
    path = tmp_path / "jira.duckdb"
    report = run(fake, path)
    assert "sprint 999: not visible to this account, its scope left out" in report.warnings
    assert "GET rest/agile/1.0/sprint/999?" in fake.log
    assert scope_of(path, "jira:101")["committed"][0] == ("PAY-1", 3.0)  # the visible sprints are unaffected


def _strip(fake: FakeJira, edit) -> None:
    """Let edit(path, body) change each JSON answer before the loader reads it: a site that leaves fields out."""
    handle = fake.handle

    def handled(request: httpx.Request) -> httpx.Response:
        response = handle(request)
        if response.headers.get("content-type", "").startswith("application/json"):
            body = response.json()
            edit(request.url.path, body)
            return httpx.Response(response.status_code, json=body, headers={"content-type": "application/json"})
        return response

    fake.handle = handled


@pytest.mark.parametrize("deployment", ["cloud", "datacenter"])
def test_issues_and_sprints_lacking_fields_are_counted_not_a_crash(tmp_path, deployment):
    """A site that leaves out an issue's key, created time or status, or a listed sprint's id: the other issues and
    sprints load, what is missing is counted in the load summary and the source's detail (the Data page)."""
    fake = world(deployment)

    def edit(path: str, body) -> None:
        for issue in body.get("issues", []) if isinstance(body, dict) else []:
            if issue.get("key") == "PAY-4":
                del issue["key"]
            elif issue.get("key") == "PAY-1":
                del issue["fields"]["status"]
            elif issue.get("key") == "PAY-7":
                del issue["fields"]["created"]
        if path.endswith("/board/7/sprint"):
            for sprint in body["values"]:
                if sprint["id"] == 103:
                    del sprint["id"]

    _strip(fake, edit)
    path = tmp_path / "jira.duckdb"
    report = run(fake, path)
    assert report.notes == [
        "issues: 1 without fields.status",
        "issues: 1 skipped, no fields.created (PAY-7)",
        "issues: 1 skipped, no key (id 10004)",
        "sprints: 1 skipped, no id (board:7 sprint 3)",
    ]
    keys = [row[0] for row in q(path, "SELECT item_key FROM work_items ORDER BY 1")]
    assert keys == ["PAY-1", "PAY-2", "PAY-3", "PAY-5", "PAY-8"]  # PAY-4 and PAY-7 left out, the rest loaded
    # PAY-1 without its status: the category is the one its changelog last moved it to (done on 03-10).
    assert q(path, "SELECT status, status_category FROM work_items WHERE item_key = 'PAY-1'") == [(None, "done")]
    # Sprint 3, listed without its id, is still known: PAY-8 is in it, and its sprint field (Cloud) or the sprint
    # read by number (Data Center) brings it.
    assert q(path, "SELECT sprint_id, state FROM sprints ORDER BY 1")[2] == ("jira:103", "future")
    [(detail,)] = q(path, "SELECT detail FROM sources WHERE source_id = 'jira'")
    assert "what the API's answers lacked: issues: 1 without fields.status; issues: 1 skipped" in str(detail)
