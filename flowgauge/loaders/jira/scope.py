"""A sprint's scope, item by item, from the item's history: committed, added, removed, completed, with points.

Definitions (LinearB's planning and capacity accuracy read them): an item is *committed* when it was in
the sprint at its start; *added* each time it joined after the start and before the end; *removed* each
time it left in that span; *completed* when it was in the sprint and in a done status just before the
sprint ended (Jira's sprint report counts the same). The end is the sprint's completion time, or now for
an active sprint. Moves at the end itself (Jira carrying unfinished work to the next sprint) are after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flowgauge.loaders.jira.history import History


@dataclass(frozen=True)
class SprintDates:
    """What scope needs of a sprint: its id (Jira's number as text) and when it started and ended."""

    number: str
    starts_at: datetime | None
    ends_at: datetime | None  # completion time if closed, else now for an active sprint


@dataclass(frozen=True)
class ScopeEvent:
    """One change of a sprint's scope for one item, with the item's estimate at that time."""

    event: str  # committed|added|removed|completed
    at: datetime
    story_points: float | None


def _member(history: History, created: datetime, number: str, moment: datetime, *, before: bool = False) -> bool:
    return moment >= created and number in history.sprints.at(moment, before=before)


def scope_events(history: History, created: datetime, sprint: SprintDates) -> list[ScopeEvent]:
    """The item's scope events in one started sprint (empty for a sprint not started, or one it never joined)."""
    start, end = sprint.starts_at, sprint.ends_at
    if start is None or end is None or end <= start:
        return []
    number = sprint.number
    events = []
    if _member(history, created, number, start):
        events.append(ScopeEvent("committed", start, history.points.at(start)))
    elif start < created < end and number in history.sprints.at(created):
        # Created inside the sprint: Jira logs no change for a field set at creation.
        events.append(ScopeEvent("added", created, history.points.at(created)))
    previous = history.sprints.at(start)
    for at, value in history.sprints.changes:
        if at <= start or at < created:
            continue
        if at >= end:
            break
        if number in value and number not in previous:
            events.append(ScopeEvent("added", at, history.points.at(at)))
        elif number in previous and number not in value:
            events.append(ScopeEvent("removed", at, history.points.at(at)))
        previous = value
    if _member(history, created, number, end, before=True) and history.category.at(end, before=True) == "done":
        done_at = max((at for at, category in history.category_moves if category == "done" and at < end), default=None)
        events.append(ScopeEvent("completed", done_at or created, history.points.at(end, before=True)))
    return events
