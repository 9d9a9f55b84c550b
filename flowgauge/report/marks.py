"""What a report's trend marks: an initiative's start or a team goal's target."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class TrendMarker:
    """Something drawn on a trend: an initiative's start (day) or a goal's target (value)."""

    label: str
    day: date | None = None
    value: float | None = None
