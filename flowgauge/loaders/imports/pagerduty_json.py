"""PagerDuty REST API incidents (GET /incidents), as saved JSON."""

from __future__ import annotations

from flowgauge.loaders.imports.dates import naive_note, read_timestamp
from flowgauge.loaders.imports.parsed import Parsed, Progress, no_progress
from flowgauge.loaders.imports.reading import Upload, first_keys, json_records
from flowgauge.loaders.imports.validation import Problems

KIND = "pagerduty_json"
LABEL = "PagerDuty incidents (API JSON)"


def detect(upload: Upload) -> bool:
    """API incidents carry incident_number and a service reference."""
    keys = first_keys(upload, "incidents")
    return "incident_number" in keys and ("service" in keys or "created_at" in keys)


def parse(upload: Upload, progress: Progress = no_progress) -> Parsed:
    """Incidents; resolved_at from the incident, or its last status change once resolved."""
    problems = Problems(upload.name)
    records = json_records(upload, "incidents") or []
    if not records:
        raise problems.reject(None, None, "has no incidents (expected a JSON array or an object with 'incidents')")
    parsed = Parsed(main_tables=frozenset({"incidents"}))
    naive = [0]
    for number, item in enumerate(records, start=1):
        if not item.get("id") or not item.get("created_at"):
            problems.add(number, "id" if not item.get("id") else "created_at", "is missing")
            continue
        opened = read_timestamp(item["created_at"], problems, number, "created_at", naive)
        resolved = read_timestamp(item.get("resolved_at"), problems, number, "resolved_at", naive)
        if resolved is None and item.get("status") == "resolved":
            resolved = read_timestamp(
                item.get("last_status_change_at"), problems, number, "last_status_change_at", naive
            )
        acks = [a.get("at") for a in item.get("acknowledgements") or [] if isinstance(a, dict) and a.get("at")]
        acknowledged = [read_timestamp(at, problems, number, "acknowledgements", naive) for at in acks]
        priority = item.get("priority") or {}
        parsed.add(
            "incidents",
            {
                "incident_id": f"pagerduty:{item['id']}",
                "source": "pagerduty",
                "title": item.get("title") or item.get("summary"),
                "severity": (priority.get("summary") or priority.get("name")) if priority else item.get("urgency"),
                "opened_at": opened,
                "acknowledged_at": min((a for a in acknowledged if a), default=None),
                "resolved_at": resolved,
                "url": item.get("html_url"),
            },
        )
    problems.raise_if_any()
    parsed.notes += naive_note(naive[0])
    return parsed
