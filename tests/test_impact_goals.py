"""Team goals: the value now and at the day the goal was set are the engine's, and the status follows the target,
the due day and the share of the way come against the share of the time gone."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from flowgauge.impact import GOAL_WINDOW_DAYS, goal_status
from flowgauge.loaders.demo import save_demo
from flowgauge.metrics import DEFAULT_RULES, Filters, compute
from flowgauge.organisation_data import Goal, load_organisation
from flowgauge.snapshot import open_snapshot

END = date(2026, 11, 30)
DATA_END = END + timedelta(days=1)  # the day after the last one with activity


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("goals") / "demo.duckdb"
    save_demo(path, scale=0.3, seed=5, end_on=END)
    con = open_snapshot(path)
    yield path, con
    con.close()


def value(con, metric, end, statistic=None, team="checkout"):
    return compute(con, metric, Filters(end - timedelta(days=GOAL_WINDOW_DAYS), end, teams=(team,)), DEFAULT_RULES,
                   statistic).value  # fmt: skip


def test_the_value_now_and_the_baseline_are_the_engines_over_90_days(demo):
    path, con = demo
    goal = Goal("checkout", "review_time", 0.5, "median", date(2027, 3, 1), date(2026, 9, 1))
    status = goal_status(con, goal)
    assert status.as_of == DATA_END
    assert status.value == pytest.approx(value(con, "review_time", DATA_END, "median"))
    assert status.baseline == pytest.approx(value(con, "review_time", date(2026, 9, 1), "median"))
    assert status.team_name == "Checkout"


def test_statuses(demo):
    _, con = demo
    now = value(con, "review_time", DATA_END, "median")
    then = value(con, "review_time", date(2026, 9, 1), "median")
    due, set_on = date(2027, 3, 1), date(2026, 9, 1)

    def status_of(target, due=due, set_on=set_on):
        return goal_status(con, Goal("checkout", "review_time", target, "median", due, set_on))

    met = status_of(now + 1)
    assert met.status == "met"
    assert met.sentence == (
        f"Checkout, Review time median: {now:,.1f} h now, target {now + 1:,.1f} h by 2027-03-01; met."
    )
    assert status_of(0.1, due=date(2026, 11, 1), set_on=date(2026, 6, 1)).status == "missed"
    # 91 of 181 days gone: on track when at least about half of the way from the baseline to the target is made.
    elapsed = (DATA_END - set_on).days / (due - set_on).days
    # Review time fell since the goal was set; a target the team has come 1.1 times the time's share of the way
    # towards is on track.
    assert now < then
    target = then - (then - now) / min(1.0, elapsed * 1.1)
    assert status_of(target).status == "on_track"
    far = status_of(now / 10)
    assert far.status == "off_track" and far.progress < far.elapsed == pytest.approx(elapsed)
    assert f"with {elapsed:.0%} of the time gone" in far.sentence


def test_higher_is_better_metrics_are_met_from_above(demo):
    _, con = demo
    rate = value(con, "deploy_frequency", DATA_END, team="platform")
    met = goal_status(
        con, Goal("platform", "deploy_frequency", rate - 0.5, "rate", date(2027, 1, 1), date(2026, 10, 1))
    )
    short = goal_status(
        con, Goal("platform", "deploy_frequency", rate * 3, "rate", date(2027, 1, 1), date(2026, 10, 1))
    )
    assert (met.status, short.status) == ("met", "off_track")
    assert "deployments per week now" in met.sentence


def test_a_goal_for_a_team_the_snapshot_lacks_has_no_verdict(demo):
    _, con = demo
    status = goal_status(con, Goal("Chekout", "review_time", 3.0, "median", date(2027, 1, 1), date(2026, 10, 1)))
    assert status.status == "no_data"
    assert status.sentence == "Chekout, Review time median: no team 'Chekout' in this snapshot."


def test_the_demo_writes_its_goals_beside_the_snapshot(demo):
    path, _ = demo
    goals = load_organisation(path).goals
    assert [(g.team, g.metric, g.statistic, g.due) for g in goals] == [
        ("checkout", "review_time", "median", END + timedelta(days=90)),
        ("platform", "deploy_frequency", "rate", END + timedelta(days=60)),
    ]
    assert {change.by for change in load_organisation(path).changes} == {"flowgauge demo"}
