"""Jira REST search results (GET /rest/api/2|3/search, with expand=names,changelog), as saved JSON."""

from __future__ import annotations

import re
from datetime import datetime

from flowgauge.loaders.imports.dates import naive_note, read_timestamp
from flowgauge.loaders.imports.jira_common import is_subtask_type, project_of, story_points
from flowgauge.loaders.imports.parsed import Parsed, Progress, no_progress
from flowgauge.loaders.imports.people import People
from flowgauge.loaders.imports.reading import Upload, json_records
from flowgauge.loaders.imports.statuses import category_from_status, category_of
from flowgauge.loaders.imports.validation import Problems

KIND = "jira_json"
LABEL = "Jira issues (REST API JSON)"
# Jira Cloud's default custom fields, used when the export has no `names` map to say which is which.
DEFAULT_POINTS_FIELDS = ("customfield_10016", "customfield_10026")
DEFAULT_SPRINT_FIELD = "customfield_10020"
SERVER_SPRINT = re.compile(r"(\w+)=([^,\]]*)")


def detect(upload: Upload) -> bool:
    """Search results: issues with a key and a fields object."""
    records = json_records(upload, "issues")
    return bool(records) and {"key", "fields"} <= set(records[0])


def _named(doc: object, *wanted: str) -> list[str]:
    """Field ids whose display name (from expand=names) is one of wanted."""
    names = doc.get("names", {}) if isinstance(doc, dict) else {}
    return [field_id for field_id, name in names.items() if str(name).lower() in wanted]


def _sprints(value: object) -> list[dict]:
    """Sprint values as dicts: Cloud gives objects, Server gives 'com.atlassian...Sprint@1[id=1,name=...]' strings."""
    out = []
    for item in value or []:
        if isinstance(item, dict):
            out.append(item)
        elif isinstance(item, str):
            out.append({k: (v if v != "<null>" else None) for k, v in SERVER_SPRINT.findall(item)})
    return out


def parse(upload: Upload, progress: Progress = no_progress) -> Parsed:
    """Work items, sprints and membership; the changelog says when items started and joined sprints."""
    problems = Problems(upload.name)
    doc = upload.json
    records = json_records(upload, "issues") or []
    parsed = Parsed(main_tables=frozenset({"work_items"}), fill_only=frozenset({"people", "person_aliases"}))
    people = People(parsed, "jira")
    points_fields = _named(doc, "story points", "story point estimate") or list(DEFAULT_POINTS_FIELDS)
    sprint_fields = _named(doc, "sprint") or [DEFAULT_SPRINT_FIELD]
    naive = [0]
    no_changelog = 0
    for number, issue in enumerate(records, start=1):
        key, fields = issue.get("key"), issue.get("fields") or {}
        status = fields.get("status") or {}
        category = category_of((status.get("statusCategory") or {}).get("key")) or category_from_status(
            status.get("name")
        )
        if category is None:
            problems.add(number, "fields.status", f"'{status.get('name')}' has no status category Flowgauge knows")
        created = read_timestamp(fields.get("created"), problems, number, "fields.created", naive)
        if created is None or not key:
            problems.add(number, "fields.created" if key else "key", "is missing")
            continue
        points = next((fields[f] for f in points_fields if fields.get(f) is not None), None)
        assignee = fields.get("assignee") or {}
        histories = (issue.get("changelog") or {}).get("histories")
        no_changelog += histories is None
        started, joined = _from_changelog(histories or [], problems, number, naive)
        issue_type = fields.get("issuetype") or {}
        parsed.add(
            "work_items",
            {
                "item_key": key,
                "project_key": (fields.get("project") or {}).get("key") or project_of(key),
                "item_type": issue_type.get("name"),
                "summary": fields.get("summary"),
                "status": status.get("name"),
                "status_category": category,
                "story_points": story_points(points, problems, number, "story points"),
                "parent_key": (fields.get("parent") or {}).get("key"),
                "is_subtask": bool(issue_type.get("subtask")) or is_subtask_type(issue_type.get("name")),
                "assignee_id": people.add(
                    assignee.get("displayName"),
                    assignee.get("emailAddress"),
                    assignee.get("name"),
                    assignee.get("accountId"),
                ),
                "created_at": created,
                "started_at": started,
                "resolved_at": read_timestamp(fields.get("resolutiondate"), problems, number, "resolutiondate", naive),
                "updated_at": read_timestamp(fields.get("updated"), problems, number, "updated", naive),
                "labels": [str(label) for label in fields.get("labels") or []],
            },
        )
        for sprint in (s for f in sprint_fields for s in _sprints(fields.get(f))):
            sprint_id = f"jira:{sprint.get('id')}"
            starts = read_timestamp(sprint.get("startDate"), problems, number, "sprint startDate", naive)
            parsed.add(
                "sprints",
                {
                    "sprint_id": sprint_id,
                    "name": sprint.get("name") or sprint_id,
                    "state": str(sprint.get("state") or "").lower() or None,
                    "starts_at": starts,
                    "ends_at": read_timestamp(sprint.get("endDate"), problems, number, "sprint endDate", naive),
                    "completed_at": read_timestamp(
                        sprint.get("completeDate"), problems, number, "sprint completeDate", naive
                    ),
                },
            )
            added = joined.get(str(sprint.get("id")))
            parsed.add(
                "sprint_items",
                {
                    "sprint_id": sprint_id,
                    "item_key": key,
                    "added_at": added,
                    # Without a changelog nobody can tell whether the item was planned: unknown, not planned.
                    "added_after_start": None if histories is None else bool(added and starts and added > starts),
                    "story_points_at_start": story_points(points, problems, number, "story points"),
                },
            )
    problems.raise_if_any()
    parsed.notes += naive_note(naive[0])
    if no_changelog:
        parsed.notes.append(
            f"{no_changelog:,} issues have no changelog (export with expand=changelog): their start times and "
            "sprint additions are unknown"
        )
    return parsed


def _from_changelog(
    histories: list, problems: Problems, number: int, naive: list[int]
) -> tuple[datetime | None, dict[str, datetime]]:
    """When the item first moved to an in-progress status, and when it joined each sprint (by sprint id)."""
    started = None
    joined: dict[str, datetime] = {}
    for history in sorted(histories, key=lambda h: str(h.get("created"))):
        at = read_timestamp(history.get("created"), problems, number, "changelog", naive)
        for item in history.get("items") or []:
            if item.get("field") == "status" and started is None and at is not None:
                if category_from_status(item.get("toString")) == "in_progress":
                    started = at
            elif item.get("field") == "Sprint" and at is not None:
                before = {s.strip() for s in str(item.get("from") or "").split(",") if s.strip()}
                after = {s.strip() for s in str(item.get("to") or "").split(",") if s.strip()}
                for sprint_id in after - before:
                    joined.setdefault(sprint_id, at)
    return started, joined
