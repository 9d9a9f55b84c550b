"""Dates and times in exported files: ISO 8601 with offsets, and the one day/month layout each file uses."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flowgauge import time_bounds
from flowgauge.loaders.imports.validation import Problems, counted

ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$"
)
TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*([AaPp])?\.?\s?(?:[Mm]\.?)?$")

# Month abbreviations as Jira writes them in its common languages, accents and dots removed.
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            "jan january janv janvier ene enero gen genn gennaio januar jaan",
            "feb february fev fevr fevrier febrero febbraio februar",
            "mar march mars marz maerz marzo",
            "apr april avr avril abr abril aprile",
            "may mai mayo mag maggio",
            "jun june juin junio giu giugno juni",
            "jul july juil juillet julio lug luglio juli",
            "aug august aou aout ago agosto",
            "sep sept september septembre septiembre set settembre",
            "oct october okt oktober octobre octubre ott ottobre",
            "nov november novembre noviembre",
            "dec december dez dezember decembre dic diciembre dicembre",
        ],
        start=1,
    )
    for name in names.split()
}


@dataclass(frozen=True)
class DateFormat:
    """One layout of the date part of a value, e.g. DD/MMM/YY for Jira's '08/Sep/21 2:02 PM'."""

    label: str
    pattern: re.Pattern[str]
    order: str  # the captured groups in order: d, m (number), b (month name), y (4 digits), Y (2 digits)


def _fmt(label: str, regex: str, order: str) -> DateFormat:
    return DateFormat(label, re.compile(f"^{regex}$"), order)


_NAME = r"([^\W\d_]+)\.?"
# Order matters: on a tie between layouts the earlier one wins; day-first comes before month-first, so a file whose
# every value fits both holds them in that order (DateReader.readings) until its parser decides.
FORMATS = [
    _fmt("YYYY-MM-DD", r"(\d{4})-(\d{1,2})-(\d{1,2})", "ymd"),
    _fmt("DD/MMM/YY", rf"(\d{{1,2}})/{_NAME}/(\d{{2}})", "dbY"),
    _fmt("DD/MMM/YYYY", rf"(\d{{1,2}})/{_NAME}/(\d{{4}})", "dby"),
    _fmt("DD-MMM-YY", rf"(\d{{1,2}})-{_NAME}-(\d{{2}})", "dbY"),
    _fmt("DD-MMM-YYYY", rf"(\d{{1,2}})-{_NAME}-(\d{{4}})", "dby"),
    _fmt("DD MMM YYYY", rf"(\d{{1,2}}) {_NAME} (\d{{4}})", "dby"),
    _fmt("DD-MM-YYYY", r"(\d{1,2})-(\d{1,2})-(\d{4})", "dmy"),
    _fmt("MM-DD-YYYY", r"(\d{1,2})-(\d{1,2})-(\d{4})", "mdy"),
    _fmt("DD/MM/YYYY", r"(\d{1,2})/(\d{1,2})/(\d{4})", "dmy"),
    _fmt("MM/DD/YYYY", r"(\d{1,2})/(\d{1,2})/(\d{4})", "mdy"),
    _fmt("DD/MM/YY", r"(\d{1,2})/(\d{1,2})/(\d{2})", "dmY"),
    _fmt("MM/DD/YY", r"(\d{1,2})/(\d{1,2})/(\d{2})", "mdY"),
    _fmt("DD.MM.YYYY", r"(\d{1,2})\.(\d{1,2})\.(\d{4})", "dmy"),
    _fmt("DD.MM.YY", r"(\d{1,2})\.(\d{1,2})\.(\d{2})", "dmY"),
    _fmt("YYYY/MM/DD", r"(\d{4})/(\d{1,2})/(\d{1,2})", "ymd"),
]


def _month(name: str) -> int | None:
    plain = unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore").decode().rstrip(".")
    return MONTHS.get(plain)


def parse_iso(value: str) -> tuple[datetime, bool] | None:
    """An ISO 8601 value as naive UTC, and whether it carried an offset; None when it is not ISO 8601."""
    match = ISO.match(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro)
    except ValueError:
        return None
    if offset is None:
        return moment, False
    if offset != "Z":
        digits = offset[1:].replace(":", "").ljust(4, "0")
        delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4]))
        moment = moment - delta if offset[0] == "+" else moment + delta
    return moment, True


def parse_epoch_ms(value: str | int | float) -> datetime | None:
    """Milliseconds since 1970 (Opsgenie's timestamps) as naive UTC."""
    try:
        return datetime.fromtimestamp(float(value) / 1000, UTC).replace(tzinfo=None)
    except (TypeError, ValueError, OverflowError, OSError):  # not a number, or beyond what a datetime holds
        return None


def _time_of(text: str | None) -> tuple[int, int, int] | None:
    if not text:
        return 0, 0, 0
    match = TIME.match(text.strip())
    if not match:
        return None
    hour, minute, second, meridiem = int(match[1]), int(match[2]), int(match[3] or 0), match[4]
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem in "Pp" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return hour, minute, second


def parse_with(fmt: DateFormat, value: str) -> datetime | None:
    """A value in this format (date part, optional time part) as a naive datetime, or None."""
    parts = value.strip().split(None, 1)
    if not parts:
        return None
    # "08 Sep 2021 14:02" has spaces inside the date part.
    date_text, time_text = (parts[0], parts[1] if len(parts) > 1 else None)
    if " " in fmt.label:
        bits = value.strip().split()
        date_text, time_text = _date_part(fmt, value), " ".join(bits[3:]) or None
    match = fmt.pattern.match(date_text)
    clock = _time_of(time_text)
    if not match or clock is None:
        return None
    fields: dict[str, int] = {}
    for key, group in zip(fmt.order, match.groups(), strict=True):
        if key == "b":
            month = _month(group)
            if month is None:
                return None
            fields["m"] = month
        elif key == "Y":
            fields["y"] = 2000 + int(group) if int(group) < 70 else 1900 + int(group)
        else:
            fields[key] = int(group)
    try:
        return datetime(fields["y"], fields["m"], fields["d"], *clock)
    except ValueError:
        return None


DATE_ORDERS = ("dmy", "mdy")  # what --date-order accepts: day first or month first


def _date_part(fmt: DateFormat, value: str) -> str:
    bits = value.strip().split()
    return " ".join(bits[:3]) if " " in fmt.label else (bits[0] if bits else "")


def shape_fits(fmt: DateFormat, value: str) -> bool:
    """True when the value is written in this layout, whether or not it is a real date ('31/Sep/21' is DD/MMM/YY)."""
    return fmt.pattern.match(_date_part(fmt, value)) is not None


def _is_iso_layout(fmt: DateFormat | None) -> bool:
    return fmt is not None and fmt.label == "YYYY-MM-DD"


class DateReader:
    """Reads one file's date columns: detects its one layout from all values, then parses each value with it.

    When every value fits both day-first and month-first (all days 12 or less) and `order` ('dmy' or 'mdy', the
    user's --date-order) does not choose, `readings` holds both and nothing is read until the parser chooses one with
    use() (date_order.decide_reading, from what the rows must obey): read() refuses the file rather than guess.
    """

    def __init__(self, values: Iterable[str], order: str | None = None) -> None:
        values = [v.strip() for v in values if v and v.strip()]
        texts = [v for v in values if parse_iso(v) is None]
        iso_count = len(values) - len(texts)
        self.notes: list[str] = []
        self.naive_values = 0
        self.format: DateFormat | None = None
        self.readings: list[DateFormat] = []
        self._texts = texts
        self._undecided = False  # True while both readings stand and none was chosen
        if not texts:
            return
        # By real dates, then by values merely written that way, so a file whose only date is invalid
        # ('31/Sep/21') is still told apart by its layout.
        scores = [
            (sum(parse_with(fmt, t) is not None for t in texts), sum(shape_fits(fmt, t) for t in texts), -i, fmt)
            for i, fmt in enumerate(FORMATS)
        ]
        valid, shaped, _, best = max(scores, key=lambda s: s[:3])
        # Mostly ISO 8601: the file's layout is YYYY-MM-DD, and values in other layouts are refused row by row.
        self.format = FORMATS[0] if iso_count > max(valid, shaped) else best
        twin = next((f for f in FORMATS if f.pattern == self.format.pattern and f is not self.format), None)
        chosen = next((f for f in (self.format, twin) if f and order and f.order.lower() == order), None)
        if chosen is not None:
            # The user's word wins over the values (a value that cannot be read that way is then a problem).
            self.format = chosen
            self.notes.append(f"day and month order given by --date-order {order}")
            return
        fits_both = twin is not None and valid == next(score for score, _, _, f in scores if f is twin)
        if fits_both and any(parse_with(self.format, t) != parse_with(twin, t) for t in texts):
            self.readings = [self.format, twin]
            self._undecided = True

    @property
    def label(self) -> str:
        """The detected layout, for messages."""
        return self.format.label if self.format else "YYYY-MM-DD"

    def use(self, fmt: DateFormat, why: str) -> None:
        """Read the file with one of its two readings, saying why in the notes."""
        self.format = fmt
        self._undecided = False
        self.notes = [f"every date fits both {' and '.join(f.label for f in self.readings)}: read as {fmt.label} {why}"]

    def samples(self, count: int) -> list[str]:
        """Values that read differently day-first and month-first, for messages; one per day written."""
        if not self.readings:
            return []
        first, second = self.readings
        # A start and a finish on the same day would show the same day twice: show two days instead.
        by_day: dict[str, str] = {}
        for text in self._texts:
            if parse_with(first, text) != parse_with(second, text):
                by_day.setdefault(_date_part(first, text), text)
        return list(by_day.values())[:count]

    def read(self, value: str | None, problems: Problems, row: int | None, column: str) -> datetime | None:
        """The value as naive UTC (offsets applied; values without one taken as UTC), or a problem."""
        if value is None or not value.strip():
            return None
        if self._undecided:
            # A parser that has not decided (date_order.decide_reading) gets the refusal, never the first reading.
            raise problems.reject(None, None, ambiguity_message(self))
        iso = parse_iso(value)
        if iso is not None and self.format is not None and not _is_iso_layout(self.format):
            problems.add(row, column, self._other_layout(value, "YYYY-MM-DD"))
            return None
        if iso is not None:
            moment, had_offset = iso
            self.naive_values += not had_offset
            return in_range(moment, value, problems, row, column)
        moment = parse_with(self.format, value) if self.format else None
        if moment is None:
            other = next((fmt for fmt in FORMATS if parse_with(fmt, value) is not None), None)
            if other is not None and (self.format is None or other.pattern != self.format.pattern):
                problems.add(row, column, self._other_layout(value, other.label))
            else:
                problems.add(row, column, f"'{value.strip()}' is not a date in this file's format {self.label}")
            return None
        self.naive_values += 1
        return in_range(moment, value, problems, row, column)

    def _other_layout(self, value: str, layout: str) -> str:
        return f"'{value.strip()}' is written as {layout}, but this file's dates are {self.label} (one layout per file)"


def ambiguity_message(reader: DateReader) -> str:
    """Why a file's dates cannot be read yet and what to give: two sample values read both ways."""
    first, second = reader.readings
    shown = "; ".join(
        f"'{text}' is {_day(first, text)} ({first.order.lower()}) or {_day(second, text)} ({second.order.lower()})"
        for text in reader.samples(2)
    )
    return (
        f"every date fits both {first.label} and {second.label} and the rows do not tell which ({shown}): "
        "import again with --date-order dmy or --date-order mdy"
    )


def _day(fmt: DateFormat, text: str) -> str:
    moment = parse_with(fmt, text)
    return f"{moment.day} {moment:%b %Y}" if moment else "not a date"


def in_range(moment: datetime, value: object, problems: Problems, row: int | None, column: str) -> datetime | None:
    """The moment when Flowgauge accepts it (time_bounds), else a problem quoting the value as written."""
    if time_bounds.within(moment):
        return moment
    problems.add(row, column, time_bounds.out_of_range(str(value).strip()))
    return None


def read_epoch_ms(value: str | int | float, problems: Problems, row: int | None, column: str) -> datetime | None:
    """Milliseconds since 1970 as naive UTC, or a problem when the number is no time Flowgauge accepts."""
    moment = parse_epoch_ms(value)
    if moment is None:
        problems.add(row, column, time_bounds.out_of_range(value))
        return None
    return in_range(moment, value, problems, row, column)


def read_timestamp(
    value: object, problems: Problems, row: int | None, column: str, naive: list[int]
) -> datetime | None:
    """An API timestamp (ISO 8601, or epoch milliseconds as a number) as naive UTC, or a problem."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return read_epoch_ms(value, problems, row, column)
    iso = parse_iso(str(value))
    if iso is None:
        problems.add(row, column, f"'{value}' is not an ISO 8601 timestamp (expected e.g. 2024-03-01T14:05:00Z)")
        return None
    naive[0] += not iso[1]
    return in_range(iso[0], value, problems, row, column)


def naive_note(count: int) -> list[str]:
    """The preview note saying how many times carried no UTC offset and were taken as UTC."""
    if not count:
        return []
    return [f"{counted(count, 'time')} without a UTC offset, taken as UTC"]
