"""A card's change is coloured by whether the metric moved its good way, and grey when it rounds to nothing."""

import pytest

from flowgauge.ui.scorecard import change_colour, signed


@pytest.mark.parametrize(
    ("change", "unit", "direction", "colour", "shown"),
    [
        (0.04, "hours", "lower", "off", "+0.0 h"),  # shown as no change, so not red
        (-0.04, "hours", "lower", "off", "-0.0 h"),
        (0.0, "percent", "higher", "off", "+0.0 %"),
        (0.4, "lines", "lower", "off", "+0 lines"),  # whole lines: 0.4 rounds to 0
        (2.5, "hours", "lower", "inverse", "+2.5 h"),  # Streamlit draws a rise red under "inverse"
        (-2.5, "hours", "lower", "inverse", "-2.5 h"),
        (1.2, "percent", "higher", "normal", "+1.2 %"),
        (None, "hours", "lower", "inverse", None),
    ],
)
def test_change_colour(change, unit, direction, colour, shown):
    assert change_colour(change, unit, direction) == colour
    if change is not None:
        assert signed(change, unit) == shown
