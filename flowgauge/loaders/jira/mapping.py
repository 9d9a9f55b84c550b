"""Jira issues, users, boards and sprints as canonical rows (work_items, people, teams, sprints, sprint scope)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flowgauge.loaders.github.mapping import parse_time
from flowgauge.loaders.http.fields import FieldNotes, Item
from flowgauge.loaders.imports.people import is_bot, person_key
from flowgauge.loaders.imports.statuses import category_from_status, category_of
from flowgauge.loaders.jira.fields import SiteFields
from flowgauge.loaders.jira.history import History, points_value, read_history, sprint_ids
from flowgauge.loaders.jira.scope import SprintDates, scope_events


def sprint_id(number: object) -> str:
    """The canonical sprint id ('jira:12'), the one the Jira JSON import uses too."""
    return f"jira:{number}"


def board_team_id(board_id: object) -> str:
    """A board stands for the team running its sprints: 'jira:board:7'."""
    return f"jira:board:{board_id}"


def board_team_row(board_id: object, board: dict[str, Any]) -> dict[str, Any]:
    """The teams row of the board asked for by id (the answer's own id is not needed)."""
    return {"team_id": board_team_id(board_id), "name": str(board.get("name") or f"Jira board {board_id}")}


def sprint_row(
    sprint: dict[str, Any], team_id: str | None, notes: FieldNotes | None = None, number: object = None
) -> dict[str, Any]:
    """A sprints row from an Agile API sprint or an issue's sprint field object.

    A sprint read by its number may lack its own id (number stands in); one listed without an id raises SkipItem.
    Sprints not started yet have no dates by design, so only the name is counted when absent.
    """
    item = Item(sprint, notes, "sprints")
    number = item.need("id") if number is None else item.extra("id") or number
    state = str(item.want("state") or "").lower() or None
    return {
        "sprint_id": sprint_id(number),
        "name": str(item.want("name") or sprint_id(number)),
        "team_id": team_id,
        "state": state,
        "starts_at": parse_time(item.extra("activatedDate") or item.extra("startDate")),
        "ends_at": parse_time(item.extra("endDate")),
        "completed_at": parse_time(item.extra("completeDate")),
    }


def sprint_dates(row: dict[str, Any], now: datetime) -> SprintDates:
    """A sprints row's span for scope: started to completed (or now while active)."""
    end = row["completed_at"] or (now if row["state"] == "active" else None)
    return SprintDates(row["sprint_id"].removeprefix("jira:"), row["starts_at"], end)


@dataclass
class IssueRows:
    """Everything one page of issues maps to."""

    work_items: list[dict[str, Any]] = field(default_factory=list)
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    aliases: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    sprint_items: list[dict[str, Any]] = field(default_factory=list)
    scope_events: list[dict[str, Any]] = field(default_factory=list)
    sprints_seen: dict[str, dict[str, Any]] = field(default_factory=dict)  # sprint field objects by number
    unknown_sprints: set[str] = field(default_factory=set)  # numbers in histories with no known dates

    def person(self, user: dict[str, Any] | None) -> str | None:
        """The person_id of a Jira user (Data Center login, else e-mail, else name, as the Jira imports key them)."""
        if not user:
            return None
        name, email = user.get("displayName"), user.get("emailAddress")
        login, account = user.get("name"), user.get("accountId")
        person_id = person_key(name, email, login) or (str(account).lower() if account else None)
        if person_id is None:
            return None
        bot = is_bot(name, login) or user.get("accountType") == "app"
        self.people[person_id] = {
            "person_id": person_id,
            "display_name": name or login or person_id,
            "primary_email": email.lower() if email else None,
            "is_bot": bot,
            "bot_reason": ("jira app account" if user.get("accountType") == "app" else "[bot] suffix") if bot else None,
        }
        for kind, alias in (("name", name), ("email", email), ("login", login), ("account_id", account)):
            if alias and str(alias).strip():
                key = ("jira", kind, str(alias).strip().lower())
                self.aliases[key] = {"source": "jira", "alias_kind": kind, "alias": key[2], "person_id": person_id}
        return person_id


@dataclass(frozen=True)
class MappingContext:
    """What mapping needs beyond the issue: field ids, status categories, known sprints and the time now."""

    fields: SiteFields
    statuses: dict[str, str]
    estimation: str | None
    sprints: dict[str, dict[str, Any]]  # sprint number -> sprints row
    now: datetime

    def category(self, status_id: str | None, name: str | None) -> str | None:
        """A status's category by id (the site's list), else by its name."""
        by_id = self.statuses.get(str(status_id)) if status_id is not None else None
        return by_id or category_from_status(name)


def map_issue(
    issue: dict[str, Any],
    histories: list[dict[str, Any]],
    ctx: MappingContext,
    rows: IssueRows,
    notes: FieldNotes | None = None,
) -> None:
    """Add one issue's work item, assignee, sprint membership and sprint scope events to rows.

    Fields the issue lacks are counted in notes (the load summary says how many issues had no status, ...); an
    issue without a key or created time raises SkipItem. A field asked for comes back null when it is empty, so
    only an absent one is counted, except the status every issue has.
    """
    item = Item(issue, notes, "issues")
    key = str(item.need("key"))
    checked = item.sub("fields")
    checked.need("created")  # work_items.created_at: every work-item metric starts there
    checked.want("status")
    for name in ("issuetype", "updated", "resolutiondate", "summary", "assignee", "labels"):
        checked.get(name)
    fields = issue.get("fields") or {}
    status = fields.get("status") or {}
    category = (
        category_of((status.get("statusCategory") or {}).get("key"))
        or ctx.category(status.get("id"), status.get("name"))
        or (None if status else _last_status_category(histories, ctx))  # no status field: its last move
        or "todo"
    )
    points_fields = ctx.fields.points_fields(ctx.estimation)
    points = next((p for p in (points_value(fields.get(f)) for f in points_fields) if p is not None), None)
    sprint_values = [v for f in ctx.fields.sprint for v in _as_list(fields.get(f))]
    for value in sprint_values:
        if isinstance(value, dict) and value.get("id") is not None:
            rows.sprints_seen[str(value["id"])] = value
    current_sprints = sprint_ids(sprint_values)
    history = read_history(
        histories,
        current_sprints=current_sprints,
        current_points=points,
        current_category=category,
        is_sprint=lambda item: ctx.fields.is_field(item, ctx.fields.sprint),
        is_points=lambda item: ctx.fields.is_field(item, points_fields),
        category_of_status=ctx.category,
    )
    created = parse_time(fields.get("created"))
    issue_type = fields.get("issuetype") or {}
    moves = history.category_moves
    started = next((at for at, c in moves if c == "in_progress"), None)
    resolved = parse_time(fields.get("resolutiondate"))
    if resolved is None and category == "done":
        # Workflows that never set a resolution: the last move into done is when the work ended.
        resolved = max((at for at, c in moves if c == "done"), default=None)
    rows.work_items.append(
        {
            "item_key": key,
            "project_key": (fields.get("project") or {}).get("key") or key.rsplit("-", 1)[0],  # the key names it too
            "item_type": issue_type.get("name"),
            "summary": fields.get("summary"),
            "status": status.get("name"),
            "status_category": category,
            "story_points": points,
            "parent_key": (fields.get("parent") or {}).get("key") or _epic_link(fields, ctx.fields.epic_link),
            "is_subtask": bool(issue_type.get("subtask")),
            "assignee_id": rows.person(fields.get("assignee")),
            "created_at": created,
            "started_at": started,
            "resolved_at": resolved,
            "updated_at": parse_time(fields.get("updated")),
            "labels": [str(label) for label in fields.get("labels") or []],
        }
    )
    if created is not None:
        _sprint_scope(key, history, created, current_sprints, ctx, rows)


def _sprint_scope(
    key: str, history: History, created: datetime, current: frozenset[str], ctx: MappingContext, rows: IssueRows
) -> None:
    ever = set(history.sprints.initial) | {n for _, value in history.sprints.changes for n in value} | set(current)
    for number in sorted(ever):
        sprint = ctx.sprints.get(number)
        if sprint is None:
            rows.unknown_sprints.add(number)
            continue
        events = scope_events(history, created, sprint_dates(sprint, ctx.now))
        rows.scope_events.extend(
            {"sprint_id": sprint["sprint_id"], "item_key": key, "event": e.event, "event_at": e.at,
             "story_points": e.story_points}
            for e in events
        )  # fmt: skip
        if number not in current:
            continue  # left the sprint: its scope events keep the history, membership is for items still in it
        kinds = {e.event: e for e in events}
        added = [e for e in events if e.event == "added"]
        entry = kinds.get("committed") or (added[-1] if added else None)
        rows.sprint_items.append(
            {
                "sprint_id": sprint["sprint_id"],
                "item_key": key,
                "added_at": added[-1].at if added and "committed" not in kinds else None,
                "added_after_start": "committed" not in kinds and bool(added),
                "story_points_at_start": entry.story_points if entry else history.points.at(ctx.now),
                "completed_in_sprint": ("completed" in kinds) if sprint["completed_at"] is not None else None,
            }
        )


def _last_status_category(histories: list[dict[str, Any]], ctx: MappingContext) -> str | None:
    """The category of the status an issue's changelog last moved it to (for an answer without its status)."""
    moves = [
        (parse_time(history.get("created")), item)
        for history in histories
        for item in history.get("items") or []
        if item.get("field") == "status"
    ]
    dated = sorted((at, item) for at, item in moves if at is not None) if moves else []
    if not dated:
        return None
    last = dated[-1][1]
    return ctx.category(last.get("to"), last.get("toString"))


def _epic_link(fields: dict[str, Any], ids: tuple[str, ...]) -> str | None:
    for field_id in ids:
        value = fields.get(field_id)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, dict) and value.get("key"):
            return str(value["key"])
    return None


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
