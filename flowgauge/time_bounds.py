"""The UTC time Flowgauge accepts from files and options: 1970-01-01 up to, not including, 2100-01-01.

Values outside it are typos or placeholders (year 10000, Go's zero time 0001-01-01) rather than delivery
history, and Python's datetime cannot even hold some of them, so imports refuse them and readers skip them.
"""

from __future__ import annotations

from datetime import date, datetime

EARLIEST = datetime(1970, 1, 1)
END = datetime(2100, 1, 1)  # exclusive
DESCRIPTION = "1970-01-01 to 2099-12-31 UTC"


def within(moment: date | datetime) -> bool:
    """True when a day or naive UTC time lies in the accepted span."""
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    return EARLIEST <= moment < END


def out_of_range(value: object) -> str:
    """The message for a value outside the span, quoting it as given."""
    return f"'{value}' is outside the dates Flowgauge accepts ({DESCRIPTION})"
