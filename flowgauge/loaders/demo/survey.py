"""Quarterly developer-experience survey: anonymous answers per team, 1-5, drifting with each team's trend."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pyarrow as pa

from flowgauge.loaders.demo import columns as col
from flowgauge.loaders.demo.org import MemberPicker, Org
from flowgauge.loaders.demo.timeline import DAY, Window

QUESTIONS = ("Ease of release", "Code review turnaround", "Deep work", "Local dev environment",
             "Build and test speed", "Clarity of priorities", "Documentation")  # fmt: skip
# How each question sits relative to the team's mean (documentation is always rated low).
QUESTION_OFFSET = np.array([0.0, 0.1, -0.2, 0.2, -0.1, 0.1, -0.4])


def survey_rounds(window: Window) -> list[tuple[str, int]]:
    """(survey id 'YYYY-Qn', unix second the round opens) for every quarter whose round opened in the window."""
    rounds = []
    first = datetime.fromtimestamp(window.start, UTC)
    year, quarter = first.year, (first.month - 1) // 3
    while True:
        opens = int(datetime(year, quarter * 3 + 2, 15, 9, tzinfo=UTC).timestamp())  # mid-quarter
        if opens >= window.end:
            return rounds
        if opens >= window.start:
            rounds.append((f"{year}-Q{quarter + 1}", opens))
        year, quarter = (year + 1, 0) if quarter == 3 else (year, quarter + 1)


def survey_table(
    rng: np.random.Generator, org: Org, picker: MemberPicker, window: Window, teams: np.ndarray
) -> pa.Table:
    """Rows of survey_responses for the given teams."""
    rounds = survey_rounds(window)
    opens = np.array([at for _, at in rounds], dtype=np.int64)
    heads = picker.headcount(teams, opens)
    respondents = rng.binomial(heads.astype(np.int64), 0.8)  # teams x rounds
    team = np.repeat(np.repeat(teams, len(rounds)), respondents.ravel())
    round_ = np.repeat(np.tile(np.arange(len(rounds)), len(teams)), respondents.ravel())
    person_mood = rng.normal(0, 0.35, len(team))
    token = col.hex_ids(rng, len(team), 6)
    base = np.array([t.survey_base for t in org.teams])[team]
    drift = np.array([t.survey_trend for t in org.teams])[team] * window.fraction(opens[round_])
    q = len(QUESTIONS)
    mean = np.repeat(base + drift + person_mood, q) + np.tile(QUESTION_OFFSET, len(team))
    score = np.clip(np.round(mean + rng.normal(0, 0.5, len(mean))), 1, 5)
    day = np.repeat(opens[round_] + rng.integers(0, 10, len(team)) * DAY, q)
    day = np.minimum(day, window.end - 1)
    ids = [rid for rid, _ in rounds]
    return pa.table(
        {
            "survey_id": col.pick(ids, np.repeat(round_, q)),
            "responded_on": pa.array((day // DAY).astype("datetime64[D]")),
            "team_id": col.pick([t.slug for t in org.teams], np.repeat(team, q)),
            "question": col.pick(QUESTIONS, np.tile(np.arange(q), len(team))),
            "score": score,
            "scale_max": np.full(len(score), 5.0),
            "respondent": token.take(pa.array(np.repeat(np.arange(len(team)), q))),
        }
    )
