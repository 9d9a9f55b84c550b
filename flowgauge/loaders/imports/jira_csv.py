"""Jira "Export CSV (all fields)": work items, sprints and sprint membership, people."""

from __future__ import annotations

from flowgauge.loaders.imports.date_order import decide_reading
from flowgauge.loaders.imports.dates import DateReader
from flowgauge.loaders.imports.jira_common import (
    ISSUE_KEY,
    STORY_POINT_FIELDS,
    is_subtask_type,
    project_of,
    sprint_id_from_name,
    story_points,
)
from flowgauge.loaders.imports.parsed import Parsed, Progress, no_progress
from flowgauge.loaders.imports.people import People
from flowgauge.loaders.imports.reading import CsvTable, Upload
from flowgauge.loaders.imports.statuses import category_from_status, category_of
from flowgauge.loaders.imports.validation import Problems, counted

KIND = "jira_csv"
LABEL = "Jira CSV export (Export CSV, all fields)"
REQUIRED = ("Issue key", "Status", "Created")
DATE_COLUMNS = ("Created", "Updated", "Resolved", "Last Viewed", "Due date", "Status Category Changed")
# What every row of a Jira export obeys, (earlier, later): an issue exists before anything else happens to it.
# A due date is no such bound (it is often set in the past), so it is not here.
DATE_ORDERINGS = (
    ("Created", "Updated"),
    ("Created", "Resolved"),
    ("Created", "Status Category Changed"),
    ("Created", "Last Viewed"),
)


# Jira writes the CSV header in the exporting user's language; the main columns in German, French
# and Spanish, as Jira Cloud names them.
LOCALISED_HEADERS = {
    "Vorgangsschlüssel": "Issue key", "Vorgangs-ID": "Issue id", "Vorgangstyp": "Issue Type",
    "Zusammenfassung": "Summary", "Statuskategorie": "Status Category", "Bearbeiter": "Assignee",
    "Autor": "Reporter", "Erstellt": "Created", "Aktualisiert": "Updated", "Erledigt": "Resolved",
    "Stichwörter": "Labels", "Übergeordnet": "Parent",
    "Clé de ticket": "Issue key", "ID de ticket": "Issue id", "Type de ticket": "Issue Type", "Résumé": "Summary",
    "État": "Status", "Catégorie d'état": "Status Category", "Responsable": "Assignee", "Rapporteur": "Reporter",
    "Création": "Created", "Mise à jour": "Updated", "Résolue": "Resolved", "Étiquettes": "Labels",
    "Clave de incidencia": "Issue key", "ID de la incidencia": "Issue id", "Tipo de incidencia": "Issue Type",
    "Resumen": "Summary", "Estado": "Status", "Categoría de estado": "Status Category",
    "Persona asignada": "Assignee", "Informador": "Reporter", "Creada": "Created", "Actualizada": "Updated",
    "Resuelta": "Resolved", "Etiquetas": "Labels", "Principal": "Parent",
}  # fmt: skip


def _any_header(upload: Upload, name: str) -> bool:
    names = [name, *(alias for alias, english in LOCALISED_HEADERS.items() if english == name)]
    return any(upload.has_columns(n) for n in names)


def detect(upload: Upload) -> bool:
    """Jira's CSV export always has 'Issue key' next to 'Summary' or 'Issue Type' (or their translations)."""
    return _any_header(upload, "Issue key") and (_any_header(upload, "Summary") or _any_header(upload, "Issue Type"))


def parse(upload: Upload, progress: Progress = no_progress) -> Parsed:
    """One work item per row; each Sprint column becomes sprint membership; dates read in the file's one format."""
    problems = Problems(upload.name)
    table = upload.csv
    table.add_aliases(LOCALISED_HEADERS)
    missing = [c for c in REQUIRED if not table.has(c)]
    if missing:
        raise problems.reject(
            None,
            None,
            f"missing column(s) {', '.join(missing)}; a Jira CSV export needs {', '.join(REQUIRED)} "
            "(and usually Summary, Issue Type, Status Category, Assignee, Resolved, Sprint, Parent)",
        )
    parsed = Parsed(notes=upload.encoding_notes(), main_tables=frozenset({"work_items"}))
    # Sprints are names only here: never blank the dates a sprint calendar or a richer source gave them.
    parsed.fill_only = frozenset({"people", "person_aliases", "sprints"})
    people = People(parsed, "jira")
    dates = _date_reader(upload, table)
    key_by_id = {table.get(r, "Issue id"): table.get(r, "Issue key") for r in table.rows if table.get(r, "Issue id")}
    points_column = table.first(*STORY_POINT_FIELDS)
    unresolved_parents = 0
    sprint_rows = 0
    for index, row in enumerate(table.rows):
        number = table.row_number(index)
        if index % 2000 == 0:
            progress(f"Reading {upload.name}", index / len(table.rows))
        key = table.get(row, "Issue key")
        if key is None or not ISSUE_KEY.match(key):
            problems.add(number, table.first("Issue key"), f"'{key or ''}' is not a Jira issue key like PAY-123")
            continue
        category = _category(table, row, problems, number)
        created = dates.read(table.get(row, "Created"), problems, number, table.first("Created"))
        if created is None and table.get(row, "Created") is None:
            problems.add(number, table.first("Created"), "is empty, but every issue has a creation date")
        parent, unresolved = _parent(table, row, key_by_id)
        unresolved_parents += unresolved
        points = story_points(table.get(row, *STORY_POINT_FIELDS), problems, number, points_column or "")
        changed = dates.read(table.get(row, "Status Category Changed"), problems, number, "Status Category Changed")
        issue_type = table.get(row, "Issue Type")
        parsed.add(
            "work_items",
            {
                "item_key": key,
                "project_key": table.get(row, "Project key") or project_of(key),
                "item_type": issue_type,
                "summary": table.get(row, "Summary"),
                "status": table.get(row, "Status"),
                "status_category": category,
                "story_points": points,
                "parent_key": parent,
                "is_subtask": is_subtask_type(issue_type),
                "assignee_id": people.add(table.get(row, "Assignee"), account_id=table.get(row, "Assignee Id")),
                "created_at": created,
                # The export only says when the current category began: a start time only for items in progress.
                "started_at": changed if category == "in_progress" else None,
                "resolved_at": dates.read(table.get(row, "Resolved"), problems, number, table.first("Resolved") or ""),
                "updated_at": dates.read(table.get(row, "Updated"), problems, number, table.first("Updated") or ""),
                # Jira repeats the Labels column once per label.
                "labels": list(dict.fromkeys(table.get_all(row, "Labels"))),
            },
        )
        people.add(table.get(row, "Reporter"), account_id=table.get(row, "Reporter Id"))
        sprints = list(dict.fromkeys(table.get_all(row, "Sprint")))
        for position, name in enumerate(sprints):
            parsed.add("sprints", {"sprint_id": sprint_id_from_name(name), "name": name})
            parsed.add(
                "sprint_items",
                {
                    "sprint_id": sprint_id_from_name(name),
                    "item_key": key,
                    "added_after_start": None,  # the export has no changelog: planned or added is unknown
                    "story_points_at_start": points,
                    # Jira lists sprints oldest first: an item in a later sprint was carried over, not done.
                    "completed_in_sprint": False if position < len(sprints) - 1 else None,
                },
            )
            sprint_rows += 1
    problems.raise_if_any()
    parsed.notes += [f"dates read as {dates.label}", *dates.notes]
    if dates.naive_values:
        parsed.notes.append(
            "times have no UTC offset and were taken as UTC (Jira writes them in the exporting user's time zone)"
        )
    if sprint_rows:
        parsed.notes.append(
            f"{counted(sprint_rows, 'sprint membership')}: a CSV export cannot tell planned from added work, so "
            "planning accuracy counts every item in a sprint at its end as planned (flagged approximate), and planned "
            "points are the current estimates"
        )
    if unresolved_parents:
        parsed.notes.append(f"{counted(unresolved_parents, 'parent link')} to issues outside this file, left empty")
    return parsed


def _date_reader(upload: Upload, table: CsvTable) -> DateReader:
    """The file's one date layout, from every date column at once; day or month first decided from the rows."""
    dates = DateReader(
        (v for row in table.rows for c in DATE_COLUMNS for v in [table.get(row, c)] if v), order=upload.date_order
    )
    if len(dates.readings) > 1 and not upload.date_order:
        rows = [{c: table.get(row, c) for c in DATE_COLUMNS} for row in table.rows]
        # Per sprint, its items' Created dates, and the Resolved dates of those done in it (their last sprint): each
        # lies within weeks in the right reading.
        sprints: dict[str, list[tuple[int, str]]] = {}
        for index, row in enumerate(table.rows):
            names = list(dict.fromkeys(table.get_all(row, "Sprint")))
            for name in names:
                sprints.setdefault(f"{name}\x00Created", []).append((index, "Created"))
            if names:
                sprints.setdefault(f"{names[-1]}\x00Resolved", []).append((index, "Resolved"))
        # Jira writes dates in the exporting user's locale: German, French and Spanish ones put the day first.
        localised = any(table.has(alias) for alias in LOCALISED_HEADERS)
        day_first = ("dmy", "the column names are in a language whose Jira date formats put the day first")
        fallback = day_first if localised else None
        decide_reading(upload.name, dates, rows, DATE_ORDERINGS, sprints, "Created or Resolved dates", fallback)
    return dates


def _category(table: CsvTable, row: list[str], problems: Problems, number: int) -> str | None:
    given = table.get(row, "Status Category")
    if given is not None:
        category = category_of(given)
        if category is None:
            problems.add(
                number,
                table.first("Status Category"),
                f"'{given}' is not a Jira status category (expected To Do, In Progress or Done, or a translation)",
            )
        return category
    status = table.get(row, "Status")
    category = category_from_status(status)
    if category is None:
        problems.add(
            number,
            table.first("Status"),
            f"'{status or ''}' is not a status Flowgauge knows; export with the Status Category column "
            "(Jira: Export > Export CSV (all fields))",
        )
    return category


def _parent(table: CsvTable, row: list[str], key_by_id: dict[str, str]) -> tuple[str | None, int]:
    """The parent's issue key from Parent / Parent id (a key or an issue id) or the Epic Link; (key, unresolved)."""
    for column in ("Parent", "Parent id", "Custom field (Epic Link)", "Epic Link"):
        value = table.get(row, column)
        if value is None:
            continue
        if ISSUE_KEY.match(value):
            return value, 0
        if value in key_by_id:
            return key_by_id[value], 0
        if value.isdigit():
            return None, 1
    return None, 0
