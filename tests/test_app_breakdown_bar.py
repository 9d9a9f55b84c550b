"""The Overview's cycle-time breakdown drawing: segments in proportion to each phase's hours, a legend with value
and tier per phase, and text from benchmark files escaped."""

from xml.etree import ElementTree

from flowgauge.metrics.benchmark_sets import DEFAULT_SET_ID, Tier, load_benchmark_sets
from flowgauge.ui.breakdown_bar import WIDTH, breakdown_alt, breakdown_svg
from flowgauge.ui.charts import PHASE_COLOURS

SVG = "{http://www.w3.org/2000/svg}"


def _tier(name: str):
    """A tier of a shipped band under another name, as a user's own benchmark file could name it."""
    return Tier(name=name, rank=0, band=load_benchmark_sets()[DEFAULT_SET_ID].band("pickup_time"))


def _segments(svg: str) -> list[tuple[float, float, str]]:
    """(start, width, fill) of each coloured bar segment, as fractions of the bar (the outline has no fill)."""
    root = ElementTree.fromstring(svg)
    return [
        (round(float(rect.get("x")) / WIDTH, 3), round(float(rect.get("width")) / WIDTH, 3), rect.get("fill"))
        for rect in root.iter(f"{SVG}rect")
        if rect.get("fill") not in ("none",) and float(rect.get("height")) > 12
    ]


def _texts(svg: str) -> list[str]:
    return [text.text for text in ElementTree.fromstring(svg).iter(f"{SVG}text")]


def test_segments_are_in_proportion_to_the_hours_in_phase_order_and_colour():
    phases = [
        ("coding_time", "Coding time", 10.0, _tier("Elite")),
        ("pickup_time", "Pickup time", 30.0, None),
        ("review_time", "Review time", 60.0, _tier("Fair")),
        ("deploy_time", "Deploy time", None, None),
    ]
    svg = breakdown_svg(phases)
    assert _segments(svg) == [
        (0.0, 0.1, PHASE_COLOURS["coding_time"]),
        (0.1, 0.3, PHASE_COLOURS["pickup_time"]),
        (0.4, 0.6, PHASE_COLOURS["review_time"]),
    ]
    texts = _texts(svg)
    # Values wide enough are written inside the bar; the legend gives every phase its value and tier.
    assert texts[:3] == ["10.0 h", "30.0 h", "60.0 h"]
    assert texts[3:] == [
        "Coding time", "10.0 h · Elite",
        "Pickup time", "30.0 h · no benchmark",
        "Review time", "60.0 h · Fair",
        "Deploy time", "– · no benchmark",
    ]  # fmt: skip


def test_the_alt_text_describes_every_phase_with_the_statistic():
    phases = [("coding_time", "Coding time", 2.5, _tier("Elite")), ("deploy_time", "Deploy time", None, None)]
    assert breakdown_alt(phases, "p75") == (
        "Cycle time breakdown, p75 hours of each phase: Coding time 2.5 h · Elite; Deploy time – · no benchmark"
    )


def test_a_narrow_phase_has_no_label_inside_and_no_values_leave_an_empty_outline():
    svg = breakdown_svg([("coding_time", "Coding time", 1.0, None), ("deploy_time", "Deploy time", 99.0, None)])
    assert [width for _, width, _ in _segments(svg)] == [0.01, 0.99]
    assert _texts(svg)[0] == "99.0 h"  # only the wide segment is labelled inside

    empty = breakdown_svg([("coding_time", "Coding time", None, None), ("pickup_time", "Pickup time", 0.0, None)])
    assert _segments(empty) == []
    assert _texts(empty) == ["Coding time", "– · no benchmark", "Pickup time", "0.0 h · no benchmark"]


def test_tier_names_from_a_benchmark_file_are_escaped_and_long_ones_shortened():
    tier = _tier("<b>Fast</b> & friendly, as our own teams call it")
    svg = breakdown_svg([("coding_time", "Coding time", 5.0, tier)])
    assert "<b>" not in svg and "&lt;b&gt;Fast&lt;/b&gt; &amp;" in svg
    legend = _texts(svg)[-1]
    assert legend == "5.0 h · <b>Fast</b> & fri…"  # 26 characters, the last an ellipsis
