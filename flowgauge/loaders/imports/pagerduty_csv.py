"""PagerDuty incident CSV export (Incidents > Export, or Analytics): one incident per row."""

from __future__ import annotations

from datetime import timedelta

from flowgauge.loaders.imports.date_order import StatedDuration, decide_reading
from flowgauge.loaders.imports.dates import DateReader, naive_note
from flowgauge.loaders.imports.incident_ids import IncidentIds
from flowgauge.loaders.imports.parsed import Parsed, Progress, no_progress
from flowgauge.loaders.imports.reading import Upload
from flowgauge.loaders.imports.validation import Problems

KIND = "pagerduty_csv"
LABEL = "PagerDuty incidents (CSV export)"
REQUIRED = ("created_on",)
DATE_COLUMNS = ("created_on", "acknowledged_on", "resolved_on")
# What every PagerDuty incident obeys, (earlier, later): it is acknowledged and resolved after it is created, and
# acknowledged before it is resolved (a resolved incident cannot be acknowledged, nor reopened).
DATE_ORDERINGS = (("created_on", "acknowledged_on"), ("created_on", "resolved_on"), ("acknowledged_on", "resolved_on"))
# PagerDuty computes seconds_to_resolve from the incident's created and resolved times. (seconds_to_first_ack is
# not held against acknowledged_on, which a file may fill with a later acknowledgement.)
DATE_DURATIONS = (StatedDuration("created_on", "resolved_on", "seconds_to_resolve"),)


def detect(upload: Upload) -> bool:
    """PagerDuty's export names its columns incident_number and created_on."""
    return upload.has_columns("incident_number", "created_on")


def parse(upload: Upload, progress: Progress = no_progress) -> Parsed:
    """Incidents with their open, acknowledge and resolve times in UTC."""
    problems = Problems(upload.name)
    table = upload.csv
    missing = [c for c in REQUIRED if not table.has(c)]
    if missing:
        raise problems.reject(None, None, f"missing column(s) {', '.join(missing)}; expected {', '.join(REQUIRED)}")
    parsed = Parsed(notes=upload.encoding_notes(), main_tables=frozenset({"incidents"}))
    texts = [{c: table.get(r, c) for c in (*DATE_COLUMNS, "seconds_to_resolve")} for r in table.rows]
    dates = DateReader((row[c] for row in texts for c in DATE_COLUMNS if row[c]), order=upload.date_order)
    decide_reading(upload.name, dates, texts, DATE_ORDERINGS, durations=DATE_DURATIONS)
    ids = IncidentIds("pagerduty")
    for index, row in enumerate(table.rows):
        number = table.row_number(index)
        opened = dates.read(table.get(row, "created_on"), problems, number, "created_on")
        if opened is None:
            if table.get(row, "created_on") is None:
                problems.add(number, "created_on", "is empty, but every incident has a creation time")
            continue
        acknowledged = dates.read(table.get(row, "acknowledged_on"), problems, number, "acknowledged_on")
        acknowledged = acknowledged or _after(opened, table.get(row, "seconds_to_first_ack"), problems, number)
        resolved = dates.read(table.get(row, "resolved_on"), problems, number, "resolved_on")
        resolved = resolved or _after(opened, table.get(row, "seconds_to_resolve"), problems, number)
        incident = {
            "source": "pagerduty",
            "title": table.get(row, "title", "description", "summary"),
            "severity": table.get(row, "priority", "priority_name", "urgency"),
            "opened_at": opened,
            "acknowledged_at": acknowledged,
            "resolved_at": resolved,
            "url": table.get(row, "html_url", "url"),
        }
        incident_id = ids.assign(table.get(row, "id"), incident, table.get(row, "service_name", "service"))
        if incident_id is not None:
            parsed.add("incidents", {"incident_id": incident_id, **incident})
    problems.raise_if_any()
    parsed.notes += [*dates.notes, *ids.notes()]
    if dates.naive_values:
        parsed.notes += naive_note(dates.naive_values)
    return parsed


def _after(opened, seconds: str | None, problems: Problems, number: int):
    if not seconds:
        return None
    try:
        return opened + timedelta(seconds=float(seconds))
    except ValueError:
        problems.add(number, None, f"'{seconds}' is not a number of seconds")
        return None
