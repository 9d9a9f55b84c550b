"""DevEx survey results: `date,team,question,score[,respondent]` (optionally survey and scale_max)."""

from __future__ import annotations

from flowgauge.loaders.imports.date_order import decide_reading
from flowgauge.loaders.imports.dates import DateReader
from flowgauge.loaders.imports.parsed import Parsed, Progress, no_progress
from flowgauge.loaders.imports.reading import CsvTable, Upload
from flowgauge.loaders.imports.team_map import team_id
from flowgauge.loaders.imports.validation import Problems

KIND = "survey"
LABEL = "DevEx survey results (date, team, question, score)"
REQUIRED = ("date", "question", "score")
SCALES = (5.0, 7.0, 10.0, 100.0)


def detect(upload: Upload) -> bool:
    """A CSV with question and score columns."""
    return upload.has_columns("question", "score")


def parse(upload: Upload, progress: Progress = no_progress) -> Parsed:
    """Survey answers; the round defaults to the date's quarter and the scale to the smallest that fits."""
    problems = Problems(upload.name)
    table = upload.csv
    missing = [c for c in REQUIRED if not table.has(c)]
    if missing:
        raise problems.reject(None, None, f"missing column(s) {', '.join(missing)}; expected date, team, question, "
                                          "score and optionally respondent, survey, scale_max")  # fmt: skip
    parsed = Parsed(notes=upload.encoding_notes(), main_tables=frozenset({"survey_responses"}))
    parsed.fill_only = frozenset({"teams"})
    dates = _date_reader(upload, table)
    answers = []
    for index, row in enumerate(table.rows):
        number = table.row_number(index)
        day = dates.read(table.get(row, "date"), problems, number, "date")
        question, team, score_text = table.get(row, "question"), table.get(row, "team"), table.get(row, "score")
        try:
            score = float((score_text or "").replace(",", "."))
        except ValueError:
            problems.add(number, "score", f"'{score_text or ''}' is not a number")
            continue
        if day is None or not question:
            if day is None and table.get(row, "date") is None:
                problems.add(number, "date", "is empty")
            if not question:
                problems.add(number, "question", "is empty")
            continue
        scale_text = table.get(row, "scale_max")
        try:
            scale_max = float(scale_text.replace(",", ".")) if scale_text else None
        except ValueError:
            problems.add(number, "scale_max", f"'{scale_text}' is not a number")
            continue
        if team:
            parsed.add("teams", {"team_id": team_id(team), "name": team})
        answers.append(
            {
                "survey_id": table.get(row, "survey") or f"{day.year}-Q{(day.month - 1) // 3 + 1}",
                "responded_on": day.date(),
                "team_id": team_id(team) if team else None,
                "question": question,
                "score": score,
                "scale_max": scale_max,
                "respondent": table.get(row, "respondent") or "",
            }
        )
    problems.raise_if_any()
    top = max(a["score"] for a in answers)
    scale = next((s for s in SCALES if top <= s), top)
    if any(a["scale_max"] is None for a in answers):
        parsed.notes.append(f"no scale_max column: scores read on a 1-{scale:g} scale (the highest score is {top:g})")
    for answer in answers:
        parsed.add("survey_responses", {**answer, "scale_max": answer["scale_max"] or scale})
    parsed.notes += dates.notes
    return parsed


def _date_reader(upload: Upload, table: CsvTable) -> DateReader:
    """The file's one layout; day or month first decided by each survey round's responses lying within weeks.

    Only a `survey` column groups responses: without it the round is the date's quarter, which is what is unknown.
    A response has no other date to be ordered against."""
    texts = [{"date": table.get(r, "date")} for r in table.rows]
    dates = DateReader((row["date"] for row in texts if row["date"]), order=upload.date_order)
    rounds: dict[str, list[tuple[int, str]]] = {}
    for index, row in enumerate(table.rows):
        name = table.get(row, "survey")
        if name:
            rounds.setdefault(name, []).append((index, "date"))
    decide_reading(upload.name, dates, texts, (), rounds, "response dates", group_kind="survey")
    return dates
