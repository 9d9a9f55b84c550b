"""Day-first or month-first, for a file whose every date fits both: decided from what its rows must satisfy.

Three kinds of evidence, in this order:
1. What every row obeys: orderings (an issue is created before it is updated or resolved), and durations the file
   states beside the dates (PagerDuty's seconds_to_resolve is resolved_on minus created_on). A reading that puts a
   Resolved before its Created, or a resolution days away from what its row states, in any row is impossible. Only
   what the source guarantees counts; a due date may well be earlier than the creation date, so it is never one.
2. The spread of dates within a group (the items of one sprint are created within weeks of each other, not
   months; so are the responses of one survey round): swapping day and month scatters dates a week apart across
   several months.
3. A locale the file itself shows (a Jira export's headers in German), where its parser knows one.
When none tells, the import stops and asks for --date-order rather than guess. Each parser passes only what its
source guarantees; docs/imports.md lists them per kind.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from flowgauge.loaders.imports.dates import DateFormat, DateReader, ambiguity_message, parse_with
from flowgauge.loaders.imports.validation import Problems, counted

# Within one group the right reading keeps dates within four weeks (median over groups), and the wrong one spreads
# them over more than twice that much: a sprint is one to four weeks long, a survey round open as long or less.
GROUP_SPREAD_DAYS = 28
# Swapping day and month moves a duration between two different days by whole days, so a stated duration is kept
# when it is within two hours: seconds dropped by a spreadsheet and a daylight-saving hour are not a contradiction.
DURATION_SLACK_SECONDS = 2 * 3600


@dataclass(frozen=True)
class StatedDuration:
    """A column stating how long after one date column another came, as the source computed it from both."""

    earlier: str
    later: str
    stated: str
    seconds_per_unit: float = 1.0  # 0.001 for milliseconds


def _when(fmt: DateFormat, text: str | None) -> datetime | None:
    return parse_with(fmt, text) if text else None


def _violations(
    fmt: DateFormat,
    rows: Sequence[Mapping[str, str | None]],
    orderings: Sequence[tuple[str, str]],
    durations: Sequence[StatedDuration],
) -> tuple[int, str | None]:
    """How many rows break an ordering or a stated duration when read with fmt, and what the first such would do."""
    broken, first = 0, None
    for row in rows:
        reason = _broken_by(fmt, row, orderings, durations)
        if reason is not None:
            broken += 1
            first = first or reason
    return broken, first


def _broken_by(
    fmt: DateFormat,
    row: Mapping[str, str | None],
    orderings: Sequence[tuple[str, str]],
    durations: Sequence[StatedDuration],
) -> str | None:
    for earlier, later in orderings:
        before, after = _when(fmt, row.get(earlier)), _when(fmt, row.get(later))
        if before is not None and after is not None and before > after:
            return f"have {later} before {earlier}"
    for duration in durations:
        before, after = _when(fmt, row.get(duration.earlier)), _when(fmt, row.get(duration.later))
        stated = _number(row.get(duration.stated))
        if before is None or after is None or stated is None:
            continue
        if abs((after - before).total_seconds() - stated * duration.seconds_per_unit) > DURATION_SLACK_SECONDS:
            return f"contradict its {duration.stated}"
    return None


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:  # the parser names the cell; here it is just no evidence
        return None


def _median_spread_days(
    fmt: DateFormat, rows: Sequence[Mapping[str, str | None]], groups: Mapping[str, Sequence[tuple[int, str]]]
) -> float | None:
    spreads = []
    for cells in groups.values():
        moments = [m for i, column in cells if (m := _when(fmt, rows[i].get(column))) is not None]
        if len(moments) > 1:
            spreads.append((max(moments) - min(moments)).total_seconds() / 86400)
    return statistics.median(spreads) if spreads else None


def decide_reading(
    file: str,
    reader: DateReader,
    rows: Sequence[Mapping[str, str | None]],
    orderings: Sequence[tuple[str, str]],
    groups: Mapping[str, Sequence[tuple[int, str]]] | None = None,
    group_dates: str = "dates",
    fallback: tuple[str, str] | None = None,
    group_kind: str = "sprint",
    durations: Sequence[StatedDuration] = (),
) -> None:
    """Make reader use the one reading its rows allow; ImportRejected asking for --date-order when none stands out.

    rows: each row's date columns as written (None where a cell is empty or not text), and the columns durations
    read; orderings: (earlier, later) column pairs every row obeys; durations: columns stating the time between two
    date columns; groups: per group_kind ("sprint", "survey"), the cells (row index, column) whose
    dates lie within weeks of each other, described as group_dates ("Created dates"); fallback: the order ('dmy' or
    'mdy') to use when the rows do not tell, and why (a locale the file shows). Does nothing when the reader has one
    reading (the values tell, or --date-order chose)."""
    if len(reader.readings) < 2:
        return
    first, second = reader.readings
    broken = {fmt: _violations(fmt, rows, orderings, durations) for fmt in reader.readings}
    allowed = [fmt for fmt in reader.readings if not broken[fmt][0]]
    if len(allowed) == 1:
        other = second if allowed[0] is first else first
        count, reason = broken[other]
        reader.use(allowed[0], f"(read as {other.label}, {counted(count, 'row')} would {reason})")
        return
    spread = {fmt: _median_spread_days(fmt, rows, groups or {}) for fmt in reader.readings}
    for fmt, other in ((first, second), (second, first)):
        near, far = spread[fmt], spread[other]
        if near is None or far is None:
            break
        if near <= GROUP_SPREAD_DAYS < far and far > 2 * near:
            reader.use(
                fmt,
                f"(a {group_kind}'s {group_dates} lie {_days(near)} apart this way, {_days(far)} read as "
                f"{other.label}; median over {group_kind}s)",
            )
            return
    if fallback is not None:
        order, why = fallback
        reader.use(next(fmt for fmt in reader.readings if fmt.order.lower() == order), f"({why})")
        return
    raise Problems(file).reject(None, None, ambiguity_message(reader))


def _days(days: float) -> str:
    return f"{days:.0f} day{'' if round(days) == 1 else 's'}"
