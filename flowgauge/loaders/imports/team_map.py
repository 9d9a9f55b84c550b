"""A team map: `person,team[,from,to][,aliases]`, who was in which team when, with their other logins and e-mails."""

from __future__ import annotations

import re
from datetime import datetime

from flowgauge.loaders.imports.date_order import decide_reading
from flowgauge.loaders.imports.dates import DateReader
from flowgauge.loaders.imports.parsed import Parsed, Progress, no_progress
from flowgauge.loaders.imports.people import People
from flowgauge.loaders.imports.reading import Upload
from flowgauge.loaders.imports.validation import Problems, counted

KIND = "team_map"
LABEL = "Team map (person, team, from, to, aliases)"
SINCE_EVER = datetime(1970, 1, 1)
# What every membership obeys, (earlier, later): it ends after it starts (a row that does not is refused).
DATE_ORDERINGS = (("from", "to"),)


def team_id(name: str) -> str:
    """A team's id from its name: 'Payments Core' -> 'payments-core'."""
    return re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-") or name.strip().lower()


def detect(upload: Upload) -> bool:
    """A CSV with person and team columns."""
    return upload.has_columns("person", "team")


def _who(person: str) -> dict[str, str]:
    """A person cell as People.add() arguments: an e-mail, a login, or a display name with spaces."""
    if "@" in person:
        return {"email": person}
    return {"name": person} if " " in person.strip() else {"login": person}


def parse(upload: Upload, progress: Progress = no_progress) -> Parsed:
    """Teams, memberships (open-ended when `to` is empty) and aliases (';'-separated logins and e-mails)."""
    problems = Problems(upload.name)
    table = upload.csv
    missing = [c for c in ("person", "team") if not table.has(c)]
    if missing:
        raise problems.reject(
            None,
            None,
            f"missing column(s) {', '.join(missing)}; expected person, team and optionally from, to, aliases",
        )
    parsed = Parsed(notes=upload.encoding_notes(), main_tables=frozenset({"team_memberships"}))
    parsed.fill_only = frozenset({"people", "teams"})
    people = People(parsed, "*")
    texts = [{c: table.get(r, c) for c in ("from", "to")} for r in table.rows]
    dates = DateReader((v for row in texts for v in row.values() if v), order=upload.date_order)
    # Nothing groups memberships within weeks (one person's may be years apart): the order decides or nothing does.
    decide_reading(upload.name, dates, texts, DATE_ORDERINGS)
    undated = 0
    for index, row in enumerate(table.rows):
        number = table.row_number(index)
        person, team = table.get(row, "person"), table.get(row, "team")
        if not person or not team:
            problems.add(number, "person" if not person else "team", "is empty")
            continue
        person_id = people.add(**_who(person))
        for alias in (a.strip() for a in (table.get(row, "aliases") or "").split(";")):
            if alias:
                kind = "email" if "@" in alias else "login"
                parsed.add("person_aliases", {"source": "*", "alias_kind": kind, "alias": alias.lower(),
                                              "person_id": person_id})  # fmt: skip
        starts = dates.read(table.get(row, "from"), problems, number, "from")
        ends = dates.read(table.get(row, "to"), problems, number, "to")
        if starts and ends and ends <= starts:
            problems.add(number, "to", f"'{table.get(row, 'to')}' is not after the start date")
        undated += table.get(row, "from") is None
        parsed.add("teams", {"team_id": team_id(team), "name": team})
        parsed.add(
            "team_memberships",
            {"person_id": person_id, "team_id": team_id(team), "valid_from": starts or SINCE_EVER, "valid_to": ends},
        )
    problems.raise_if_any()
    parsed.notes += dates.notes
    if undated:
        parsed.notes.append(f"{counted(undated, 'membership')} without a start date, counted from 1970-01-01")
    return parsed
