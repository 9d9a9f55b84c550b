"""The demo's clock: the 548-day history window, the working rhythm, and unix-second helpers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np

HISTORY_DAYS = 548
HOUR = 3600
DAY = 86400
WEEK = 7 * DAY


@dataclass(frozen=True)
class Window:
    """History from 00:00 UTC of the first day (inclusive) to 00:00 UTC after end_on (exclusive), in unix seconds."""

    start: int
    end: int

    @classmethod
    def ending_on(cls, end_on: date) -> Window:
        """The 548 days ending on end_on."""
        end = int(datetime.combine(end_on + timedelta(days=1), time(), UTC).timestamp())
        return cls(end - HISTORY_DAYS * DAY, end)

    @property
    def days(self) -> int:
        """Number of calendar days in the window."""
        return (self.end - self.start) // DAY

    def day_starts(self) -> np.ndarray:
        """Unix second of 00:00 UTC of every day in the window."""
        return self.start + DAY * np.arange(self.days, dtype=np.int64)

    def fraction(self, t: np.ndarray) -> np.ndarray:
        """How far through the window each time lies, 0 at the start and 1 at the end."""
        return np.clip((np.asarray(t, dtype=np.float64) - self.start) / (self.end - self.start), 0.0, 1.0)


def weekday(t: np.ndarray) -> np.ndarray:
    """ISO weekday index of unix seconds, Monday = 0 (1970-01-01 was a Thursday)."""
    return (np.floor_divide(t, DAY) + 3) % 7


def day_weights(window: Window) -> np.ndarray:
    """Relative amount of work done on each day: weekdays, quiet weekends, Christmas and a summer dip."""
    days = (window.day_starts() // DAY).astype("datetime64[D]")
    month = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day_of_month = (days - days.astype("datetime64[M]")).astype(np.int64) + 1
    weights = np.where(weekday(window.day_starts()) < 5, 1.0, 0.05)
    holidays = ((month == 12) & (day_of_month >= 20)) | ((month == 1) & (day_of_month <= 3))
    weights = np.where(holidays, weights * 0.3, weights)
    bank_holidays = ((month == 12) & np.isin(day_of_month, (24, 25, 26, 31))) | ((month == 1) & (day_of_month == 1))
    weights = np.where(bank_holidays, weights * 0.3, weights)
    summer = (month == 8) | ((month == 7) & (day_of_month >= 15))
    return np.where(summer, weights * 0.7, weights)


def working_seconds(rng: np.random.Generator, n: int) -> np.ndarray:
    """Second of the UTC day for events people cause: mostly office hours, a few late evenings."""
    hours = np.clip(rng.normal(13.0, 2.6, n), 6.0, 22.5)
    return (hours * HOUR).astype(np.int64)


def lognormal_hours(rng: np.random.Generator, median: np.ndarray | float, sigma: float, n: int) -> np.ndarray:
    """Right-skewed durations in seconds with the given median in hours."""
    return (np.asarray(median) * np.exp(rng.normal(0.0, sigma, n)) * HOUR).astype(np.int64)


def defer_weekend(rng: np.random.Generator, t: np.ndarray, share: float = 0.85) -> np.ndarray:
    """Push most times that land on a weekend to the Monday after: people rarely review on Sundays."""
    day = weekday(t)
    shift = np.where(day == 5, 2, np.where(day == 6, 1, 0)) * DAY
    return t + np.where(rng.random(len(t)) < share, shift, 0)
