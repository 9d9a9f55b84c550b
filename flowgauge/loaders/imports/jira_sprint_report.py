"""Jira's sprint report saved as JSON (`/rest/greenhopper/1.0/rapid/charts/sprintreport`): a sprint's dates.

Jira's web UI has no CSV export of the sprint report; its JSON, saved from the browser or the API, holds the
sprint's name, state and dates (`isoStartDate`, `isoEndDate`, `isoCompleteDate`, and the same in the user's
format as `startDate`...) beside the issue lists. It dates the sprints of a Jira CSV export, as a calendar does.
"""

from __future__ import annotations

from typing import Any

from flowgauge.loaders.imports.date_order import decide_reading
from flowgauge.loaders.imports.dates import DateReader, read_timestamp
from flowgauge.loaders.imports.jira_common import sprint_id_from_name
from flowgauge.loaders.imports.parsed import Parsed, Progress, no_progress
from flowgauge.loaders.imports.reading import Upload
from flowgauge.loaders.imports.validation import Problems, counted

KIND = "jira_sprint_report"
LABEL = "Jira sprint report (JSON)"
# Column: (the ISO 8601 field, the same date as the user's Jira writes it).
DATES = {
    "starts_at": ("isoStartDate", "startDate"),
    "ends_at": ("isoEndDate", "endDate"),
    "completed_at": ("isoCompleteDate", "completeDate"),
}
# What every sprint obeys, (earlier, later): Jira needs its end after its start, and it is completed after it starts.
DATE_ORDERINGS = (("sprint.startDate", "sprint.endDate"), ("sprint.startDate", "sprint.completeDate"))


def _reports(upload: Upload) -> list[dict[str, Any]]:
    """The sprint reports of the file: one object, or a list of them."""
    if not upload.looks_like_json:
        return []
    doc = upload.json
    reports = doc if isinstance(doc, list) else [doc]
    if reports and all(isinstance(r, dict) and isinstance(r.get("sprint"), dict) and "contents" in r for r in reports):
        return reports
    return []


def detect(upload: Upload) -> bool:
    """JSON with a `sprint` object beside the report's `contents`."""
    return bool(_reports(upload))


def parse(upload: Upload, progress: Progress = no_progress) -> Parsed:
    """One sprint per report, id `jira:name:<sprint>` as a Jira CSV export's sprints have."""
    problems = Problems(upload.name)
    reports = _reports(upload)
    if not reports:
        raise problems.reject(None, None, "has no sprint report (expected an object with 'sprint' and 'contents')")
    parsed = Parsed(main_tables=frozenset({"sprints"}))
    naive = [0]
    local = _local_dates(upload, reports)
    for number, report in enumerate(reports, start=1):
        sprint = report["sprint"]
        name = sprint.get("name")
        if not name:
            problems.add(number, "sprint.name", "is missing")
            continue
        row: dict[str, Any] = {"sprint_id": sprint_id_from_name(str(name)), "name": str(name).strip()}
        row["state"] = str(sprint.get("state") or "").lower() or None
        for column, (iso, plain) in DATES.items():
            if sprint.get(iso):
                row[column] = read_timestamp(sprint[iso], problems, number, f"sprint.{iso}", naive)
            else:
                row[column] = local.read(str(sprint.get(plain) or ""), problems, number, f"sprint.{plain}")
        if row["starts_at"] is None or row["ends_at"] is None:
            problems.add(number, "sprint", f"'{name}' has no start or end date (a future sprint cannot date its items)")
        parsed.add("sprints", row)
    problems.raise_if_any()
    parsed.notes += local.notes
    parsed.notes.append(
        f"{counted(len(reports), 'sprint')} dated by name; the report's lists of issues added or removed during the "
        "sprint are not read (the Jira loader, flowgauge snapshot jira, reads planned and added work)"
    )
    return parsed


def _local_dates(upload: Upload, reports: list[dict[str, Any]]) -> DateReader:
    """Without the ISO fields, the dates as the user's Jira writes them ('28/Jul/22 7:49 AM'), in one layout; day or
    month first decided by each sprint starting before it ends and being weeks, not months, long."""
    texts = [
        {f"sprint.{plain}": str(r["sprint"][plain]) for iso, plain in DATES.values()
         if r["sprint"].get(plain) and not r["sprint"].get(iso)}
        for r in reports
    ]  # fmt: skip
    local = DateReader((v for row in texts for v in row.values()), order=upload.date_order)
    sprints = {str(i): [(i, "sprint.startDate"), (i, "sprint.endDate")] for i in range(len(texts))}
    decide_reading(upload.name, local, texts, DATE_ORDERINGS, sprints, "start and end dates")
    return local
