"""What Jira's CSV and JSON exports share: issue keys, story points, sub-task types, sprint ids."""

from __future__ import annotations

import re

from flowgauge.loaders.imports.validation import Problems

ISSUE_KEY = re.compile(r"^[A-Z][A-Z0-9_]*-\d+$")
SUBTASK_TYPES = {
    "sub-task",
    "subtask",
    "sub-tarea",
    "subtarea",
    "sous-tache",
    "sous-tâche",
    "unteraufgabe",
    "subtarefa",
}
STORY_POINT_FIELDS = ("Custom field (Story Points)", "Custom field (Story point estimate)", "Story Points",
                      "Story point estimate")  # fmt: skip


def project_of(item_key: str) -> str:
    """'PAY-123' -> 'PAY'."""
    return item_key.rsplit("-", 1)[0]


def is_subtask_type(issue_type: str | None) -> bool:
    """Sub-task issue types in the languages Jira ships."""
    return bool(issue_type) and issue_type.strip().lower() in SUBTASK_TYPES


def story_points(value: object, problems: Problems, row: int | None, column: str) -> float | None:
    """A story-point estimate ('3', '2.5', '2,5' with a decimal comma), or a problem."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return float(str(value).strip().replace(",", "."))
    except ValueError:
        problems.add(row, column, f"'{value}' is not a number of story points")
        return None


def sprint_id_from_name(name: str) -> str:
    """A sprint id for exports that give only sprint names (Jira CSV)."""
    return f"jira:name:{name.strip()}"
