"""The Jira mapping over real Data Center search pages recorded by perceval (../shared/testdata, skipped if absent)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from flowgauge.loaders.http.session import ApiSession
from flowgauge.loaders.jira.client import JiraAuth, build_jira_client
from flowgauge.loaders.jira.sync import sync_jira
from flowgauge.loaders.store import write_snapshot
from flowgauge.snapshot import open_snapshot

RECORDED = Path(__file__).parents[2] / "shared" / "testdata" / "perceval_testdata" / "jira"  # ../shared of the checkout
TOKEN = "perceval-replay-token-000111"

pytestmark = pytest.mark.skipif(not RECORDED.is_dir(), reason=f"recorded Jira responses not found at {RECORDED}")


def recorded(name: str):
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


def replay(request: httpx.Request) -> httpx.Response:
    """perceval's recordings of jira.fiware.org: the field list and two pages of /rest/api/2/search."""
    path = request.url.path
    if path == "/rest/api/2/field":
        return httpx.Response(200, json=recorded("jira_fields.json"))
    if path == "/rest/api/2/status":
        return httpx.Response(200, json=[])  # not recorded: the issues' own status categories must do
    if path == "/rest/api/2/search":
        start = int(request.url.params.get("startAt", "0"))
        page = {0: "jira_issues_page_1.json", 2: "jira_issues_page_2.json"}.get(start, "jira_issues_page_empty.json")
        return httpx.Response(200, json=recorded(page))
    return httpx.Response(404, json={"errorMessages": [f"not recorded: {path}"]})


def test_recorded_data_center_search_pages_map_to_work_items(tmp_path):
    auth = JiraAuth("datacenter", TOKEN)
    client = build_jira_client("https://jira.fiware.org", auth)
    client._transport = httpx.MockTransport(replay)
    path = tmp_path / "fiware.duckdb"
    with write_snapshot(path, resumable=True) as writer:
        report = sync_jira(
            ApiSession(client, redactor=auth.redactor(client)),
            writer,
            deployment="datacenter",
            projects=["HELP"],
            now=datetime(2016, 3, 4),
        )
    assert report.repos_loaded == ["project:HELP"] and report.items["issues"] == 3
    con = open_snapshot(path)
    try:
        rows = con.execute(
            "SELECT item_key, item_type, status, status_category, assignee_id, created_at::VARCHAR, "
            "resolved_at::VARCHAR, is_subtask FROM work_items ORDER BY item_key"
        ).fetchall()
        people = con.execute("SELECT person_id, display_name FROM people ORDER BY 1").fetchall()
    finally:
        con.close()
    assert rows == [
        ("HELP-6041", "extRequest", "Open", "todo", "user3", "2016-03-03 11:57:01", None, False),
        ("HELP-6042", "extRequest", "Closed", "done", "user1", "2016-03-03 13:11:01", "2016-03-03 14:30:17", False),
        ("HELP-6043", "extRequest", "Open", "todo", "user1", "2016-03-03 13:40:01", None, False),
    ]
    assert people == [("user1", "User1"), ("user3", "User3")]
