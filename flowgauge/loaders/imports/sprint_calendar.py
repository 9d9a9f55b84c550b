"""A sprint calendar: `sprint,start,end[,team,completed]`, the dates a Jira CSV export leaves out of its sprints."""

from __future__ import annotations

from datetime import datetime

from flowgauge.loaders.imports.date_order import decide_reading
from flowgauge.loaders.imports.dates import DateReader
from flowgauge.loaders.imports.jira_common import sprint_id_from_name
from flowgauge.loaders.imports.parsed import Parsed, Progress, no_progress
from flowgauge.loaders.imports.reading import CsvTable, Upload
from flowgauge.loaders.imports.team_map import team_id
from flowgauge.loaders.imports.validation import Problems, counted

KIND = "sprint_calendar"
LABEL = "Sprint calendar (sprint, start, end, team, completed)"
# Accepted headers for each column, the template's first; 'Sprint Start Date' and the like are what report tools and
# spreadsheets of Jira sprints call them.
NAME = ("sprint", "sprint name")
START = ("start", "start date", "sprint start date", "starts at")
END = ("end", "end date", "sprint end date", "ends at")
TEAM = ("team", "team name")
COMPLETED = ("completed", "complete date", "completed date", "sprint complete date", "completed at")
STATE = ("state", "sprint state")
TEMPLATE = f"{NAME[0]},{START[0]},{END[0]},{TEAM[0]},{COMPLETED[0]}\n"
STATES = {"future", "active", "closed"}


def template_csv() -> str:
    """The header-only CSV `flowgauge import --template sprints` prints."""
    return TEMPLATE


def detect(upload: Upload) -> bool:
    """A CSV with a sprint name, a start and an end column."""
    return all(any(upload.has_columns(name) for name in names) for names in (NAME, START, END))


def parse(upload: Upload, progress: Progress = no_progress) -> Parsed:
    """One sprint per row, id `jira:name:<sprint>` as a Jira CSV export's sprints have, so its items get dates."""
    problems = Problems(upload.name)
    table = upload.csv
    columns = {"sprint": table.first(*NAME), "start": table.first(*START), "end": table.first(*END)}
    missing = [name for name, column in columns.items() if column is None]
    if missing:
        raise problems.reject(None, None, f"missing column(s) {', '.join(missing)}; expected {TEMPLATE.strip()}")
    parsed = Parsed(notes=upload.encoding_notes(), main_tables=frozenset({"sprints"}))
    parsed.fill_only = frozenset({"teams"})
    dates = _date_reader(upload, table)
    for index, row in enumerate(table.rows):
        number = table.row_number(index)
        name = table.get(row, *NAME)
        if name is None:
            problems.add(number, columns["sprint"], "is empty, but every sprint has a name")
            continue
        starts = _required(dates, table, row, START, problems, number)
        ends = _required(dates, table, row, END, problems, number)
        completed = dates.read(table.get(row, *COMPLETED), problems, number, table.first(*COMPLETED) or "completed")
        if starts and ends and ends <= starts:
            problems.add(number, columns["end"], f"'{table.get(row, *END)}' is not after the start")
        if starts and completed and completed < starts:
            problems.add(number, table.first(*COMPLETED), f"'{table.get(row, *COMPLETED)}' is before the start")
        state = (table.get(row, *STATE) or "").lower() or ("closed" if completed else None)
        if state not in STATES | {None}:
            problems.add(number, table.first(*STATE), f"'{table.get(row, *STATE)}' is not future, active or closed")
        team = table.get(row, *TEAM)
        if team:
            parsed.add("teams", {"team_id": team_id(team), "name": team})
        parsed.add(
            "sprints",
            {
                "sprint_id": sprint_id_from_name(name),
                "name": name,
                "team_id": team_id(team) if team else None,
                "state": state,
                "starts_at": starts,
                "ends_at": ends,
                "completed_at": completed,
            },
        )
    problems.raise_if_any()
    parsed.notes += dates.notes
    sprints = len(parsed.tables.get("sprints", []))
    parsed.notes.append(
        f"{counted(sprints, 'sprint')} dated by name: a Jira CSV export's sprints of the same names get these dates"
    )
    return parsed


def _date_reader(upload: Upload, table: CsvTable) -> DateReader:
    """The calendar's one layout; day or month first decided by start before end and sprints weeks long."""
    wanted = (START, END, COMPLETED)
    dates = DateReader(
        (v for row in table.rows for names in wanted for v in [table.get(row, *names)] if v), order=upload.date_order
    )
    if len(dates.readings) > 1 and not upload.date_order:
        rows = [{"start": table.get(r, *START), "end": table.get(r, *END), "completed": table.get(r, *COMPLETED)}
                for r in table.rows]  # fmt: skip
        sprints = {str(i): [(i, "start"), (i, "end")] for i in range(len(rows))}
        decide_reading(upload.name, dates, rows, (("start", "end"), ("start", "completed")), sprints, "start and end")
    return dates


def _required(
    dates: DateReader, table: CsvTable, row: list[str], names: tuple[str, ...], problems: Problems, number: int
) -> datetime | None:
    value = table.get(row, *names)
    if value is None:
        problems.add(number, table.first(*names), "is empty, but a sprint calendar needs every sprint's start and end")
        return None
    return dates.read(value, problems, number, table.first(*names) or names[0])
