"""The verdict and its sentence, as a table of cases: the interval of the change, the comparison group's and the
difference in differences decide; the sentence carries the numbers."""

from __future__ import annotations

import pytest

from flowgauge.impact import ImpactResult, Interval
from flowgauge.impact.verdict import judge


def result(change, comparison=None, did=None, metric=("Review time", "lower"), statistic="p75", n=(120, 130)):
    name, direction = metric
    return ImpactResult(
        initiative="Review rota",
        metric="review_time",
        metric_name=name,
        unit="hours",
        direction=direction,
        statistic=statistic,
        windows=None,
        settle_days=14,
        before=10.0,
        after=7.0,
        change=Interval(*change) if change else None,
        n_before=n[0],
        n_after=n[1],
        comparison_label="teams without the initiative",
        comparison=Interval(*comparison) if comparison else None,
        did=Interval(*did) if did else None,
    )


@pytest.mark.parametrize(
    ("case", "verdict", "sentence"),
    [
        (
            result((-31.2, -38.4, -22.1), (-3.0, -9.2, 4.4), (-29.1, -37.0, -19.9)),
            "improved",
            "Review time P75 fell 31% (95% CI 22–38%); teams without the initiative: −3% (−9 to +4%). "
            "Likely a real improvement.",
        ),
        (
            result((-4.0, -15.3, 8.1), (1.0, -5.0, 7.0), (-5.0, -17.0, 8.0)),
            "no_change",
            "Review time P75: no change distinguishable from noise (−4%, 95% CI −15 to +8%); teams without the "
            "initiative: +1% (−5 to +7%).",
        ),
        (
            result((-20.0, -29.0, -10.0), (-18.0, -25.0, -10.0), (-2.4, -14.0, 11.0)),
            "no_change",
            "Review time P75 fell 20% (95% CI 10–29%); teams without the initiative: −18% (−25 to −10%). The "
            "difference between the two (−2%, 95% CI −14 to +11%) is not distinguishable from noise: the change is "
            "not credited to the initiative.",
        ),
        (
            result((25.0, 12.0, 40.0), (0.0, -6.0, 6.0), (25.0, 10.0, 41.0)),
            "worsened",
            "Review time P75 rose 25% (95% CI 12–40%); teams without the initiative: 0% (−6 to +6%). "
            "Likely a real worsening.",
        ),
        (
            result(
                (25.0, 12.0, 40.0), (0.0, -6.0, 6.0), (25.0, 10.0, 41.0), ("Deployment frequency", "higher"), "rate"
            ),
            "improved",
            "Deployment frequency rose 25% (95% CI 12–40%); teams without the initiative: 0% (−6 to +6%). "
            "Likely a real improvement.",
        ),
        (
            result((-31.0, -38.0, -22.0)),
            "improved",
            "Review time P75 fell 31% (95% CI 22–38%). Likely a real improvement. Too few items in the teams without "
            "the initiative to compare with.",
        ),
        (
            result((-4.0, -15.0, 8.0), n=(29, 130)),
            "insufficient_data",
            "Not enough data for Review time P75: 29 items before and 130 after; at least 30 on each side are needed "
            "for a verdict.",
        ),
        (
            result(None),
            "insufficient_data",
            "Review time P75 was 0 before the initiative: a change in percent is not defined.",
        ),
    ],
)
def test_verdicts_and_sentences(case, verdict, sentence):
    judged = judge(case)
    assert (judged.verdict, judged.sentence) == (verdict, sentence)


def test_without_any_comparison_group_the_sentence_says_drift_cannot_be_told_apart():
    case = ImpactResult(
        "All hands", "pr_size", "PR size", "lines", "lower", "median", None, 14, 100.0, 60.0,
        Interval(-40.0, -50.0, -30.0), 200, 210,
    )  # fmt: skip
    judged = judge(case)
    assert judged.verdict == "improved"
    assert judged.sentence == (
        "PR size median fell 40% (95% CI 30–50%). Likely a real improvement. No comparison group: every team was "
        "touched, so org-wide drift cannot be told apart."
    )
