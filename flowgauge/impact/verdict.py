"""The verdict on an initiative's effect, and the sentence that says it with its numbers.

A change counts as real only when its 95% interval excludes zero and, where there is a comparison group, the
difference in differences' interval excludes zero on the same side: a change the untouched teams saw as well is
org-wide drift, not the initiative's doing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from flowgauge.impact.analysis import ImpactResult

MIN_ITEMS = 30  # per window: below this a P75 or a ratio moves by tens of percent from one item to the next
VERDICTS = ("improved", "worsened", "no_change", "insufficient_data")
# Resamples where the before value is 0 have no percent change; beyond this share the interval is not given.
_MAX_UNDEFINED = 0.05
_STATISTIC_LABELS = {"median": "median", "p75": "P75", "p90": "P90", "mean": "mean"}
MINUS = "\u2212"


@dataclass(frozen=True)
class Interval:
    """A percent change and its 95% bootstrap percentile interval."""

    estimate: float
    low: float
    high: float

    @classmethod
    def of(cls, estimate: float | None, draws: np.ndarray) -> Interval | None:
        """The interval of the draws around estimate; None when the change is undefined (a value of 0 before)."""
        finite = draws[np.isfinite(draws)]
        if estimate is None or len(finite) < (1 - _MAX_UNDEFINED) * len(draws):
            return None
        low, high = np.percentile(finite, [2.5, 97.5])
        return cls(float(estimate), float(low), float(high))

    @property
    def side(self) -> int:
        """+1 when the whole interval is above 0, -1 when below, 0 when it holds 0."""
        return 1 if self.low > 0 else -1 if self.high < 0 else 0


def judge(result: ImpactResult, reason: str | None = None) -> ImpactResult:
    """The result with its verdict and sentence; reason: why it could not be measured at all."""
    label = metric_label(result)
    if reason is not None:
        return replace(result, verdict="insufficient_data", sentence=f"{label}: {reason}.")
    if min(result.n_before, result.n_after) < MIN_ITEMS:
        return replace(
            result,
            verdict="insufficient_data",
            items_needed=MIN_ITEMS,
            sentence=f"Not enough data for {label}: {result.n_before} items before and {result.n_after} after; at "
            f"least {MIN_ITEMS} on each side are needed for a verdict.",
        )
    change = result.change
    if change is None:
        return replace(
            result,
            verdict="insufficient_data",
            sentence=f"{label} was 0 before the initiative: a change in percent is not defined.",
        )
    comparison = _comparison_text(result)
    if change.side == 0:
        sentence = (
            f"{label}: no change distinguishable from noise ({signed(change.estimate)}, 95% CI "
            f"{_range(change)}){comparison}."
        )
        return replace(result, verdict="no_change", sentence=sentence)
    moved = (
        f"{label} {'rose' if change.side > 0 else 'fell'} {abs(change.estimate):.0f}% (95% CI {_magnitudes(change)})"
    )
    better = (change.side < 0) == (result.direction == "lower")
    if result.did is not None and result.did.side != change.side:
        sentence = (
            f"{moved}{comparison}. The difference between the two ({signed(result.did.estimate)}, 95% CI "
            f"{_range(result.did)}) is not distinguishable from noise: the change is not credited to the initiative."
        )
        return replace(result, verdict="no_change", sentence=sentence)
    caveat = ""
    if result.did is None:
        caveat = (
            " No comparison group: every team was touched, so org-wide drift cannot be told apart."
            if result.comparison_label is None
            else f" Too few items in the {result.comparison_label} to compare with."
        )
    word = "improvement" if better else "worsening"
    return replace(
        result,
        verdict="improved" if better else "worsened",
        sentence=f"{moved}{comparison}. Likely a real {word}.{caveat}",
    )


def metric_label(result: ImpactResult) -> str:
    """'Review time P75', or the metric's name alone for ratios and rates."""
    statistic = _STATISTIC_LABELS.get(result.statistic)
    return f"{result.metric_name} {statistic}" if statistic else result.metric_name


def signed(value: float) -> str:
    """A percent with its sign, the minus typeset: '+4%', '−9%'."""
    return f"{'+' if value >= 0.5 else MINUS if value <= -0.5 else ''}{abs(value):.0f}%"


def _bare(value: float) -> str:
    return signed(value).rstrip("%")


def _range(interval: Interval) -> str:
    return f"{_bare(interval.low)} to {_bare(interval.high)}%"


def _magnitudes(interval: Interval) -> str:
    low, high = sorted((abs(interval.low), abs(interval.high)))
    return f"{low:.0f}\u2013{high:.0f}%"


def _comparison_text(result: ImpactResult) -> str:
    if result.comparison is None:
        return ""
    c = result.comparison
    return f"; {result.comparison_label}: {signed(c.estimate)} ({_range(c)})"
