"""The URL filters: parsing, validation with notices, quick ranges and the round trip to a query string."""

from datetime import date
from urllib.parse import parse_qs

import pytest

from flowgauge.ui.filters import Choices, View, default_view, parse_view, query_string, quick_range, view_params
from flowgauge.ui.frame import scope_label

CHOICES = Choices(
    snapshots=("demo", "acme"),
    default_snapshot="demo",
    anchor=date(2026, 6, 30),
    teams={"platform": "Platform", "payments": "Payments"},
    repos={"acme/api": "acme/api"},
    services={"acme/api:api": "api"},
    environments={"production": "production", "prod-eu": "prod-eu"},
    benchmark_sets={"linearb-2026-p75": "LinearB 2026", "dora-2023": "DORA 2023"},
    default_benchmark_set="linearb-2026-p75",
)


@pytest.mark.parametrize(
    ("pick", "start", "end"),
    [
        ("last_30", date(2026, 6, 1), date(2026, 6, 30)),
        ("last_90", date(2026, 4, 2), date(2026, 6, 30)),
        ("last_180", date(2026, 1, 2), date(2026, 6, 30)),
        ("this_quarter", date(2026, 4, 1), date(2026, 6, 30)),
        ("last_quarter", date(2026, 1, 1), date(2026, 3, 31)),
    ],
)
def test_quick_ranges_end_on_the_anchor_day_inclusive(pick, start, end):
    assert quick_range(pick, date(2026, 6, 30)) == (start, end)


def test_last_quarter_across_a_year_boundary():
    assert quick_range("last_quarter", date(2026, 2, 14)) == (date(2025, 10, 1), date(2025, 12, 31))


def test_bare_url_opens_the_last_90_days_of_the_demo_with_bots_out():
    view, notices = parse_view({}, CHOICES)
    assert notices == []
    assert view == View("demo", date(2026, 4, 2), date(2026, 6, 30), benchmark_set="linearb-2026-p75")
    assert view.filters().end == date(2026, 7, 1)  # the metrics window is end-exclusive
    assert view.filters().include_bots is False


def test_a_full_url_is_read_exactly():
    params = {
        "snapshot": ["acme"],
        "from": ["2026-01-05"],
        "to": ["2026-02-04"],
        "team": ["platform", "payments"],
        "repo": ["acme/api"],
        "service": ["acme/api:api"],
        "env": ["prod-eu"],
        "bench": ["dora-2023"],
        "stat": ["median"],
        "bots": ["in"],
    }
    view, notices = parse_view(params, CHOICES)
    assert notices == []
    assert view == View(
        "acme",
        date(2026, 1, 5),
        date(2026, 2, 4),
        ("platform", "payments"),
        ("acme/api",),
        ("acme/api:api",),
        ("prod-eu",),
        "dora-2023",
        "median",
        True,
    )
    assert view.days == 31


@pytest.mark.parametrize(
    ("params", "notice_part"),
    [
        ({"snapshot": ["gone"]}, "Snapshot “gone” from the link is not in the data folder"),
        ({"from": ["2026-13-01"], "to": ["2026-02-01"]}, "is not a pair of YYYY-MM-DD dates"),
        ({"from": ["2026-03-01"]}, "is not a pair of YYYY-MM-DD dates"),
        ({"from": ["2026-03-01"], "to": ["2026-02-01"]}, "ends (2026-02-01) before it starts (2026-03-01)"),
        ({"team": ["platform", "ghosts"]}, "Unknown team “ghosts”"),
        ({"repo": ["evil/<script>"]}, "Unknown repository “evil/<script>”"),
        ({"env": ["staging"]}, "Unknown environment “staging”"),
        ({"bench": ["made-up"]}, "Benchmark set “made-up” is not known; comparing with LinearB 2026"),
        ({"stat": ["p99"]}, "Statistic “p99” is not one of median, p75, p90, mean"),
        ({"bots": ["maybe"]}, "“bots=maybe” should be in or out"),
    ],
)
def test_bad_parameters_fall_back_with_a_notice(params, notice_part):
    view, notices = parse_view(params, CHOICES)
    assert len(notices) == 1 and notice_part in notices[0]
    default = default_view(CHOICES)
    if "team" in params:
        assert view.teams == ("platform",)  # the known one is kept
    else:
        assert (view.snapshot, view.start, view.end, view.teams, view.statistic, view.include_bots) == (
            default.snapshot,
            default.start,
            default.end,
            (),
            default.statistic,
            False,
        )


def test_view_round_trips_through_the_query_string():
    view = View(
        "acme", date(2026, 1, 5), date(2026, 2, 4), ("payments", "platform"), (), (), ("production",), "dora-2023"
    )
    parsed, notices = parse_view(parse_qs(query_string(view)), CHOICES)
    assert notices == [] and parsed == view
    assert view_params(view)["team"] == ["payments", "platform"]  # repeated keys keep the order chosen


def test_a_scope_filter_button_names_its_selection_as_text():
    names = {"payments": "Payments", "core": "Core *platform* [ops]"}
    assert scope_label("Teams", [], names, "All teams") == "Teams: All teams"
    assert scope_label("Teams", ["payments"], names, "All teams") == "Teams: Payments"
    assert scope_label("Teams", ["payments", "core"], names, "All teams") == "Teams: Payments +1 more"
    # A team's name is the user's text: Markdown in it is shown, not applied.
    assert scope_label("Teams", ["core"], names, "All teams") == r"Teams: Core \*platform\* \[ops\]"
