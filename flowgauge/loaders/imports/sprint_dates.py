"""The import summary's word on sprints without dates: planning accuracy cannot use them until something dates them."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from flowgauge.loaders.imports import jira_sprint_report, sprint_calendar

# Kinds that only date sprints: written before the other files of an import.
DATING_KINDS = frozenset({sprint_calendar.KIND, jira_sprint_report.KIND})
UNDATED = "no dates: planning accuracy needs a sprint calendar (flowgauge import --template sprints) or the Jira loader"


def undated_note(count: int) -> list[str]:
    """'12 sprints have no dates: planning accuracy needs ...', or nothing."""
    if not count:
        return []
    return [f"{count:,} sprint{' has' if count == 1 else 's have'} {UNDATED}"]


def undated_in_file(sprints: pa.Table | None) -> list[str]:
    """The note for a file's sprints without an end date (a Jira CSV export's are all without)."""
    if sprints is None:
        return []
    return undated_note(pc.sum(pc.is_null(sprints.column("ends_at"))).as_py() or 0)


def undated_in_snapshot(con: duckdb.DuckDBPyConnection, sprints: pa.Table) -> list[str]:
    """The note for a file's sprints that have no end date in the snapshot once it is written."""
    ids = sprints.column("sprint_id").to_pylist()
    count = con.execute("SELECT count(*) FROM sprints WHERE ends_at IS NULL AND list_contains(?, sprint_id)", [ids])
    return undated_note(count.fetchall()[0][0])


def drop_undated_note(notes: list[str]) -> list[str]:
    """The notes without the undated-sprints one (to be counted again against the snapshot)."""
    return [note for note in notes if not note.endswith(UNDATED)]
