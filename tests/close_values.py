"""Comparing aggregates from two runs of the same statements."""

from __future__ import annotations

import math
from collections.abc import Mapping


def same_values(shown, expected) -> bool:
    """Equal, but for the last digits of a mean: DuckDB sums a group's values in whatever order its threads deliver
    them, so two runs of one statement may differ there."""
    if isinstance(shown, Mapping) and isinstance(expected, Mapping):
        return shown.keys() == expected.keys() and all(same_values(shown[key], expected[key]) for key in shown)
    if isinstance(shown, float) and isinstance(expected, float):
        return math.isclose(shown, expected, rel_tol=1e-12)
    return shown == expected
