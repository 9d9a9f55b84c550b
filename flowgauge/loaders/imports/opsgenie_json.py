"""Opsgenie REST API alerts or incidents (GET /v2/alerts, /v1/incidents), as saved JSON."""

from __future__ import annotations

from datetime import timedelta

from flowgauge.loaders.imports.dates import naive_note, read_timestamp
from flowgauge.loaders.imports.parsed import Parsed, Progress, no_progress
from flowgauge.loaders.imports.reading import Upload, first_keys, json_records
from flowgauge.loaders.imports.validation import Problems, counted

KIND = "opsgenie_json"
LABEL = "Opsgenie alerts or incidents (API JSON)"
CLOSED = {"closed", "resolved"}


def detect(upload: Upload) -> bool:
    """Opsgenie's API wraps records in 'data' and gives each a tinyId."""
    return {"tinyId", "createdAt"} <= first_keys(upload, "data")


def parse(upload: Upload, progress: Progress = no_progress) -> Parsed:
    """Incidents; close time from the alert report, else the last update of a closed record."""
    problems = Problems(upload.name)
    records = json_records(upload, "data") or []
    parsed = Parsed(main_tables=frozenset({"incidents"}))
    naive = [0]
    approximate = 0
    for number, item in enumerate(records, start=1):
        opened = read_timestamp(item.get("createdAt"), problems, number, "createdAt", naive)
        if opened is None:
            if not item.get("createdAt"):
                problems.add(number, "createdAt", "is missing")
            continue
        report = item.get("report") or {}
        acknowledged = opened + timedelta(milliseconds=report["ackTime"]) if report.get("ackTime") else None
        resolved = opened + timedelta(milliseconds=report["closeTime"]) if report.get("closeTime") else None
        if resolved is None and str(item.get("status", "")).lower() in CLOSED:
            resolved = read_timestamp(item.get("updatedAt"), problems, number, "updatedAt", naive)
            approximate += resolved is not None
        parsed.add(
            "incidents",
            {
                "incident_id": f"opsgenie:{item.get('tinyId')}",
                "source": "opsgenie",
                "title": item.get("message"),
                "severity": item.get("priority"),
                "opened_at": opened,
                "acknowledged_at": acknowledged,
                "resolved_at": resolved,
            },
        )
    problems.raise_if_any()
    if approximate:
        parsed.notes.append(
            f"{counted(approximate, 'closed record')} without a close time: resolved at the last update"
        )
    parsed.notes += naive_note(naive[0])
    return parsed
