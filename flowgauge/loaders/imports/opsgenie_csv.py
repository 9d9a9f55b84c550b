"""Opsgenie alert/incident CSV export: one alert per row, AckTime and CloseTime in milliseconds after creation."""

from __future__ import annotations

from datetime import datetime, timedelta

from flowgauge.loaders.imports.date_order import StatedDuration, decide_reading
from flowgauge.loaders.imports.dates import DateReader, naive_note, read_epoch_ms
from flowgauge.loaders.imports.incident_ids import IncidentIds
from flowgauge.loaders.imports.parsed import Parsed, Progress, no_progress
from flowgauge.loaders.imports.reading import CsvTable, Upload
from flowgauge.loaders.imports.validation import Problems, counted

KIND = "opsgenie_csv"
LABEL = "Opsgenie alerts or incidents (CSV export)"
REQUIRED = ("CreatedAt",)
CLOSED = {"closed", "resolved"}
DATE_COLUMNS = ("CreatedAt", "UpdatedAt", "ClosedAt")
# What every alert obeys, (earlier, later): it is updated and closed after it is created. (Acknowledgement is AckTime,
# milliseconds after creation, not a date.)
DATE_ORDERINGS = (("CreatedAt", "UpdatedAt"), ("CreatedAt", "ClosedAt"))
# CloseTime is the milliseconds Opsgenie counted from creation to close.
DATE_DURATIONS = (StatedDuration("CreatedAt", "ClosedAt", "CloseTime", seconds_per_unit=0.001),)


def detect(upload: Upload) -> bool:
    """Opsgenie's export has TinyId and CreatedAt columns."""
    return upload.has_columns("TinyId", "CreatedAt")


def parse(upload: Upload, progress: Progress = no_progress) -> Parsed:
    """Incidents with open, acknowledge and close times in UTC."""
    problems = Problems(upload.name)
    table = upload.csv
    missing = [c for c in REQUIRED if not table.has(c)]
    if missing:
        raise problems.reject(None, None, f"missing column(s) {', '.join(missing)}; expected {', '.join(REQUIRED)}")
    parsed = Parsed(notes=upload.encoding_notes(), main_tables=frozenset({"incidents"}))
    texts = [_date_cells(table, row) for row in table.rows]
    dates = DateReader((row[c] for row in texts for c in DATE_COLUMNS if row[c]), order=upload.date_order)
    decide_reading(upload.name, dates, texts, DATE_ORDERINGS, durations=DATE_DURATIONS)
    approximate = 0
    ids = IncidentIds("opsgenie")
    for index, row in enumerate(table.rows):
        number = table.row_number(index)

        def when(column: str, number: int = number, row: list[str] = row) -> datetime | None:
            value = table.get(row, column)
            if value is not None and value.isdigit():
                return read_epoch_ms(value, problems, number, column)
            return dates.read(value, problems, number, column)

        opened = when("CreatedAt")
        if opened is None:
            if table.get(row, "CreatedAt") is None:
                problems.add(number, "CreatedAt", "is empty, but every alert has a creation time")
            continue
        resolved = when("ClosedAt") or _after(opened, table.get(row, "CloseTime"), problems, number, "CloseTime")
        if resolved is None and (table.get(row, "Status") or "").lower() in CLOSED:
            resolved = when("UpdatedAt")
            approximate += resolved is not None
        incident = {
            "source": "opsgenie",
            "title": table.get(row, "Message"),
            "severity": table.get(row, "Priority"),
            "opened_at": opened,
            "acknowledged_at": _after(opened, table.get(row, "AckTime"), problems, number, "AckTime"),
            "resolved_at": resolved,
        }
        incident_id = ids.assign(table.get(row, "TinyId"), incident, table.get(row, "Impacted Services", "Teams"))
        if incident_id is not None:
            parsed.add("incidents", {"incident_id": incident_id, **incident})
    problems.raise_if_any()
    parsed.notes += [*dates.notes, *ids.notes()]
    if approximate:
        parsed.notes.append(f"{counted(approximate, 'closed alert')} without a close time: resolved at the last update")
    if dates.naive_values:
        parsed.notes += naive_note(dates.naive_values)
    return parsed


def _date_cells(table: CsvTable, row: list[str]) -> dict[str, str | None]:
    """A row's date columns as written and its CloseTime; epoch milliseconds (all digits) have no day/month order."""
    cells = {column: table.get(row, column) for column in (*DATE_COLUMNS, "CloseTime")}
    return {c: None if c in DATE_COLUMNS and v and v.isdigit() else v for c, v in cells.items()}


def _after(opened: datetime, millis: str | None, problems: Problems, number: int, column: str) -> datetime | None:
    if not millis:
        return None
    try:
        return opened + timedelta(milliseconds=float(millis))
    except ValueError:
        problems.add(number, column, f"'{millis}' is not a number of milliseconds")
        return None
