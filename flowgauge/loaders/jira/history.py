"""An issue's changelog as timelines: which sprints it was in, its estimate and its status category, over time.

Jira logs a field's changes but not its value at creation: the value before the first change is that
change's `from`, and a field never changed has held its current value since the issue was created.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flowgauge.loaders.github.mapping import parse_time


@dataclass
class Timeline:
    """A field's value since creation: the initial value and each (time, new value) change, in time order."""

    initial: Hashable
    changes: list[tuple[datetime, Hashable]] = field(default_factory=list)

    def at(self, moment: datetime, *, before: bool = False) -> Hashable:
        """The value at moment (with before=True, just before it: a change at moment not yet applied)."""
        value = self.initial
        for at, new in self.changes:
            if at < moment or (at == moment and not before):
                value = new
            else:
                break
        return value


@dataclass
class History:
    """The timelines the loader reads from one issue's changelog."""

    sprints: Timeline  # frozenset of sprint ids (text)
    points: Timeline  # float | None
    category: Timeline  # todo | in_progress | done | None
    category_moves: list[tuple[datetime, str | None]]  # every status move with the category it went to


def sprint_ids(value: object) -> frozenset[str]:
    """Sprint ids in a changelog `from`/`to` ('12, 14'), or in the issue's sprint field (objects or DC strings)."""
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset(part.strip() for part in value.split(",") if part.strip())
    out = set()
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict) and item.get("id") is not None:
            out.add(str(item["id"]))
        elif isinstance(item, str) and "[id=" in item:
            # Data Center before 8.x: 'com.atlassian.greenhopper.service.sprint.Sprint@1a2b[id=12,rapidViewId=3,...]'
            out.add(item.split("[id=", 1)[1].split(",", 1)[0])
    return frozenset(out)


def points_value(value: object) -> float | None:
    """An estimate from a field value or a changelog string ('3', '2.5'); None when empty or not a number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def _timeline(
    changes: list[tuple[datetime, dict[str, Any]]],
    current: Hashable,
    read_from: Callable[[dict[str, Any]], Hashable],
    read_to: Callable[[dict[str, Any]], Hashable],
) -> Timeline:
    if not changes:
        return Timeline(current)
    return Timeline(read_from(changes[0][1]), [(at, read_to(item)) for at, item in changes])


def read_history(
    histories: list[dict[str, Any]],
    *,
    current_sprints: frozenset[str],
    current_points: float | None,
    current_category: str | None,
    is_sprint: Callable[[dict[str, Any]], bool],
    is_points: Callable[[dict[str, Any]], bool],
    category_of_status: Callable[[str | None, str | None], str | None],
) -> History:
    """Timelines of an issue's sprints, estimate and status category from its changelog histories."""
    sprint_items, point_items, status_items = [], [], []
    dated = [(parse_time(h.get("created")), h) for h in histories]
    for at, history in sorted((d for d in dated if d[0] is not None), key=lambda d: (d[0], str(d[1].get("id")))):
        for item in history.get("items") or []:
            if is_sprint(item):
                sprint_items.append((at, item))
            elif is_points(item):
                point_items.append((at, item))
            elif item.get("field") == "status":
                status_items.append((at, item))
    category = _timeline(
        status_items,
        current_category,
        lambda i: category_of_status(i.get("from"), i.get("fromString")),
        lambda i: category_of_status(i.get("to"), i.get("toString")),
    )
    return History(
        sprints=_timeline(
            sprint_items, current_sprints, lambda i: sprint_ids(i.get("from")), lambda i: sprint_ids(i.get("to"))
        ),
        points=_timeline(
            point_items,
            current_points,
            lambda i: points_value(i.get("fromString") if i.get("fromString") is not None else i.get("from")),
            lambda i: points_value(i.get("toString") if i.get("toString") is not None else i.get("to")),
        ),
        category=category,
        category_moves=list(category.changes),
    )
