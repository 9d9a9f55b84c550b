"""Which of a site's custom fields hold sprints, story points and epic links, and the status categories."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flowgauge.loaders.imports.statuses import category_of

SPRINT_TYPE = "com.pyxis.greenhopper.jira:gh-sprint"
EPIC_LINK_TYPE = "com.pyxis.greenhopper.jira:gh-epic-link"
# Display names of the usual estimate fields: classic projects' "Story Points", team-managed "Story point estimate".
POINTS_NAMES = ("story points", "story point estimate")
# Jira Cloud's default ids of those fields, for sites whose field list does not name them.
DEFAULT_POINTS_FIELDS = ("customfield_10016", "customfield_10026")
DEFAULT_SPRINT_FIELD = "customfield_10020"
BASE_FIELDS = (
    "summary", "issuetype", "status", "assignee", "labels", "created", "updated", "resolutiondate", "parent",
    "project",
)  # fmt: skip


@dataclass(frozen=True)
class SiteFields:
    """Field ids (and names, which Data Center changelogs use instead of ids) of the fields the loader reads."""

    sprint: tuple[str, ...] = (DEFAULT_SPRINT_FIELD,)
    points: tuple[str, ...] = DEFAULT_POINTS_FIELDS
    epic_link: tuple[str, ...] = ()
    names: dict[str, str] = field(default_factory=dict)

    def request_fields(self, estimation: str | None = None) -> list[str]:
        """The fields a search asks for (Cloud's search/jql returns only ids unless fields are named)."""
        wanted = [*BASE_FIELDS, *self.sprint, *self.points, *self.epic_link, *([estimation] if estimation else [])]
        return list(dict.fromkeys(wanted))

    def points_fields(self, estimation: str | None) -> tuple[str, ...]:
        """The estimate fields read: the board's estimation field when it has one, else the usual points fields."""
        return (estimation,) if estimation else self.points

    def is_field(self, item: dict[str, Any], ids: tuple[str, ...]) -> bool:
        """Whether a changelog item changed one of ids (Cloud names it by fieldId, Data Center only by name)."""
        if item.get("fieldId") in ids:
            return True
        name = str(item.get("field") or "").lower()
        return bool(name) and not item.get("fieldId") and name in {self.names.get(i, i).lower() for i in ids}


def site_fields(fields: list[dict[str, Any]]) -> SiteFields:
    """The sprint, points and epic-link field ids among a site's fields (Jira's defaults when none are named)."""
    names = {str(f.get("id")): str(f.get("name") or "") for f in fields}

    def custom_type(f: dict[str, Any]) -> str:
        return str((f.get("schema") or {}).get("custom") or "")

    sprint = [f["id"] for f in fields if custom_type(f) == SPRINT_TYPE or f.get("name") == "Sprint"]
    points = [f["id"] for f in fields if str(f.get("name") or "").lower() in POINTS_NAMES]
    epic = [f["id"] for f in fields if custom_type(f) == EPIC_LINK_TYPE or f.get("name") == "Epic Link"]
    # Data Center changelogs name the sprint field "Sprint" whatever its id.
    names.update({DEFAULT_SPRINT_FIELD: "Sprint", **{i: "Sprint" for i in sprint}})
    return SiteFields(
        sprint=tuple(sprint) or (DEFAULT_SPRINT_FIELD,),
        points=tuple(points) or DEFAULT_POINTS_FIELDS,
        epic_link=tuple(epic),
        names=names,
    )


def status_categories(statuses: list[dict[str, Any]]) -> dict[str, str]:
    """Status id -> todo|in_progress|done, from each status's category key (new|indeterminate|done)."""
    out = {}
    for status in statuses:
        category = category_of((status.get("statusCategory") or {}).get("key"))
        if category and status.get("id") is not None:
            out[str(status["id"])] = category
    return out
