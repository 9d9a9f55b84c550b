"""Initiatives and goals kept beside a snapshot: they survive rebuilds, every change is logged, files are checked."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from flowgauge.loaders.store import write_snapshot
from flowgauge.organisation_data import (
    BadOrganisationData,
    Goal,
    Initiative,
    delete_goal,
    delete_initiative,
    import_organisation_file,
    load_organisation,
    organisation_path,
    read_organisation_file,
    save_goal,
    save_initiative,
)
from flowgauge.snapshot import open_snapshot

ROTA = Initiative(
    name="Review rota",
    start=date(2026, 3, 2),
    teams=("checkout",),
    metrics=("review_time", "pickup_time"),
    note="A reviewer on duty every day",
)
GOAL = Goal("checkout", "review_time", 3.0, "median", date(2026, 12, 31), date(2026, 6, 1))
PLAN = """
# Initiatives of the quarter
[[initiative]]
name = "Review rota"
start = 2026-03-02
teams = ["checkout"]
metrics = ["review_time", "pickup_time"]
note = "A reviewer on duty every day"

[[initiative]]
name = "Trunk-based deploys"
start = 2026-04-15
end = 2026-06-30
repos = ["acme/web"]
metrics = ["deploy_frequency"]
window_days = 60

[[goal]]
team = "checkout"
metric = "review_time"
statistic = "median"
target = 3.0
due = 2026-12-31
set_on = 2026-06-01
"""


def rebuild(snapshot: Path, team: str) -> None:
    """What every load does: a new snapshot written beside the old one and renamed over it."""
    with write_snapshot(snapshot, fresh=True) as writer:
        writer.upsert("teams", [{"team_id": team, "name": team.title()}])


def test_initiatives_and_goals_survive_every_rebuild_of_the_snapshot(tmp_path):
    snapshot = tmp_path / "acme.duckdb"
    rebuild(snapshot, "checkout")
    save_initiative(snapshot, ROTA, "ana")
    save_goal(snapshot, GOAL, "ana")
    rebuild(snapshot, "platform")
    rebuild(snapshot, "growth")
    con = open_snapshot(snapshot)
    try:  # the snapshot really was replaced: only the last rebuild's team is in it
        assert con.execute("SELECT team_id FROM teams").fetchall() == [("growth",)]
    finally:
        con.close()
    kept = load_organisation(snapshot)
    assert kept.initiatives == (ROTA,)
    assert kept.goals == (GOAL,) and kept.goals[0].set_on == date(2026, 6, 1)
    assert organisation_path(snapshot) == tmp_path / "acme.organisation.json"
    # Nothing the snapshot listing (*.duckdb) would mistake for a snapshot, and no temporary file left behind.
    assert sorted(path.name for path in tmp_path.iterdir() if not path.name.startswith(".")) == [
        "acme.duckdb",
        "acme.organisation.json",
    ]
    assert not list(tmp_path.glob(".acme.organisation.json.tmp-*"))


def test_every_change_is_logged_with_who_what_and_when_in_utc(tmp_path):
    snapshot = tmp_path / "acme.duckdb"
    assert save_initiative(snapshot, ROTA, "ana").action == "create"
    assert save_initiative(snapshot, ROTA, "ben") is None  # the same again changes nothing and logs nothing
    moved = Initiative(**{**ROTA.__dict__, "start": date(2026, 3, 9)})
    assert save_initiative(snapshot, moved, "ben").action == "update"
    renamed = Initiative(**{**moved.__dict__, "name": "Daily review rota"})
    save_initiative(snapshot, renamed, "carla", replacing="Review rota")
    save_goal(snapshot, GOAL, "ana")
    delete_goal(snapshot, GOAL.key, "ben")
    delete_initiative(snapshot, "Daily review rota", "carla")

    changes = load_organisation(snapshot).changes
    assert [(c.by, c.action, c.kind, c.subject) for c in changes] == [
        ("ana", "create", "initiative", "Review rota"),
        ("ben", "update", "initiative", "Review rota"),
        ("carla", "update", "initiative", "Daily review rota"),
        ("ana", "create", "goal", "checkout / review_time / median"),
        ("ben", "delete", "goal", "checkout / review_time / median"),
        ("carla", "delete", "initiative", "Daily review rota"),
    ]
    assert changes[1].before["start"] == "2026-03-02" and changes[1].after["start"] == "2026-03-09"
    assert changes[2].before["name"] == "Review rota" and changes[2].after["name"] == "Daily review rota"
    assert changes[5].after is None
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", change.at) for change in changes)
    assert load_organisation(snapshot).initiatives == ()


def test_a_rename_onto_an_existing_name_is_refused(tmp_path):
    snapshot = tmp_path / "acme.duckdb"
    other = Initiative(name="Other", start=date(2026, 1, 1), teams=("platform",))
    save_initiative(snapshot, ROTA, "ana")
    save_initiative(snapshot, other, "ana")
    with pytest.raises(BadOrganisationData, match="an initiative called 'Other' exists already"):
        save_initiative(snapshot, Initiative(**{**ROTA.__dict__, "name": "Other"}), "ana", replacing="Review rota")
    assert {item.name for item in load_organisation(snapshot).initiatives} == {"Review rota", "Other"}


def test_a_file_imports_initiatives_and_goals_and_a_second_import_only_logs_what_changed(tmp_path):
    snapshot, plan = tmp_path / "acme.duckdb", tmp_path / "plan.toml"
    plan.write_text(PLAN, encoding="utf-8")
    made = import_organisation_file(snapshot, plan, "ana")
    assert [(c.action, c.kind, c.subject) for c in made] == [
        ("create", "initiative", "Review rota"),
        ("create", "initiative", "Trunk-based deploys"),
        ("create", "goal", "checkout / review_time / median"),
    ]
    kept = load_organisation(snapshot)
    assert kept.initiative("Review rota") == ROTA
    trunk = kept.initiative("Trunk-based deploys")
    assert (trunk.end, trunk.repos, trunk.window_days) == (date(2026, 6, 30), ("acme/web",), 60)

    assert import_organisation_file(snapshot, plan, "ben") == []
    plan.write_text(PLAN.replace("target = 3.0", "target = 2.5"), encoding="utf-8")
    (change,) = import_organisation_file(snapshot, plan, "ben")
    assert (change.by, change.action, change.before["target"], change.after["target"]) == ("ben", "update", 3.0, 2.5)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ('metrics = ["review_time", "pickup_time"]', 'metrics = ["review_speed"]'),
            r"line 3 \(\[\[initiative\]\] 1\): unknown metric 'review_speed'",
        ),
        (
            ("start = 2026-04-15", "start = 2026-07-15"),
            r"line 10 \(\[\[initiative\]\] 2\): end 2026-06-30 is before start 2026-07-15",
        ),
        (('teams = ["checkout"]\n', ""), r"name at least one of teams, repos or services"),
        (("target = 3.0", 'target = "three"'), r"\(\[\[goal\]\] 1\): target must be a number"),
        (('statistic = "median"', 'statistic = "p99"'), r"statistic must be one of median, p75, p90, mean, not 'p99'"),
        (("due = 2026-12-31", 'due = "31/12/2026"'), r"due must be a day written YYYY-MM-DD, not '31/12/2026'"),
        (("window_days = 60", "window_days = 3"), r"window_days must be a whole number of days from 7 to 365"),
        (("[[goal]]", "[[goals]]"), r"unknown table or key 'goals'"),
        (('name = "Trunk-based deploys"', 'name = "Review rota"'), r"initiative 'Review rota' is written twice"),
        (("start = 2026-03-02", 'start = 2026-03-02\nowner = "ana"'), r"unknown key 'owner'"),
        (("[[goal]]", "[[goal]"), r"not valid TOML"),
    ],
)
def test_a_bad_file_is_refused_in_one_line_naming_where_and_nothing_changes(tmp_path, edit, message):
    snapshot, plan = tmp_path / "acme.duckdb", tmp_path / "plan.toml"
    save_initiative(snapshot, ROTA, "ana")
    before = organisation_path(snapshot).read_bytes()
    plan.write_text(PLAN.replace(*edit), encoding="utf-8")
    with pytest.raises(BadOrganisationData, match=message) as error:
        import_organisation_file(snapshot, plan, "ben")
    assert "\n" not in str(error.value) and str(error.value).startswith(str(plan))
    assert organisation_path(snapshot).read_bytes() == before


def test_files_that_are_not_toml_text_are_refused_in_one_line(tmp_path):
    binary = tmp_path / "plan.toml"
    binary.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(BadOrganisationData, match="not UTF-8 text"):
        read_organisation_file(binary)
    with pytest.raises(BadOrganisationData, match="no such file"):
        read_organisation_file(tmp_path / "missing.toml")
    with pytest.raises(BadOrganisationData, match="is a directory"):
        read_organisation_file(tmp_path)


def test_a_damaged_organisation_file_is_one_line_naming_it(tmp_path):
    snapshot = tmp_path / "acme.duckdb"
    organisation_path(snapshot).write_text('{"format": 1, "initiatives": [', encoding="utf-8")
    with pytest.raises(BadOrganisationData, match=r"acme.organisation.json: not valid JSON at line 1"):
        load_organisation(snapshot)
    organisation_path(snapshot).write_text(json.dumps({"format": 1, "goals": [{"team": "x"}]}), encoding="utf-8")
    with pytest.raises(BadOrganisationData, match=r"goals\[0\]: metric is required"):
        load_organisation(snapshot)
