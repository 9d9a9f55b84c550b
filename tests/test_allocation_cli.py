"""`flowgauge allocation` prints the shares tests/test_allocation.py computes by hand, as a table, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowgauge.cli.main import app
from flowgauge.errors import BadOption
from flowgauge.loaders.store import write_snapshot

SCENARIO = Path(__file__).parent / "fixtures" / "allocation" / "snapshot.sql"
WINDOW = ("--from", "2024-03-01", "--to", "2024-05-01")


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("allocation-cli") / "alloc.duckdb"
    with write_snapshot(path, fresh=True) as writer:
        writer.con.execute(SCENARIO.read_text(encoding="utf-8"))
        writer.con.execute("UPDATE teams SET name = '<script>[bold]x' WHERE team_id = 'beta'")
    return path


def run(*args: str):
    return CliRunner().invoke(app, ["allocation", *args], catch_exceptions=False)


def test_json_gives_each_teams_shares_and_the_unclassified(snapshot):
    result = run(str(snapshot), *WINDOW, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    rows = {row["team_id"]: row for row in data["rows"]}
    assert data["weight"] == "engineer_weeks" and rows[None]["team"] == "All teams" and rows[None]["total"] == 7
    assert rows["alpha"]["shares"]["tech_debt"] == {"value": 1.0, "percent": 25.0}
    assert rows["beta"]["shares"]["unclassified"]["value"] == 1.0
    assert {"items": 1, "reason": "bot-authored PRs (bots are left out)"} in data["left_out"]
    assert len(data["rules"]) == 19 and data["rules"][0].startswith("PR or work item: shipped by a hotfix")


def test_csv_by_month_for_prs(snapshot):
    result = run(str(snapshot), *WINDOW, "--weight", "prs", "--by", "month", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    # March: #1, #2, #3, #7, #8, #9; April: #4 and #5 (unclassified) and #10 (tech debt, its linked task).
    assert [(row["month"], float(row["total"])) for row in rows] == [("2024-03-01", 6), ("2024-04-01", 3)]
    assert round(float(rows[1]["unclassified_percent"]), 1) == 66.7
    assert round(float(rows[1]["tech_debt_percent"]), 1) == 33.3


def test_table_shows_team_names_as_text(snapshot):
    result = run(str(snapshot), *WINDOW, "--by", "team")
    assert result.exit_code == 0
    assert "<script>[bold]x" in result.stdout  # neither Rich markup nor dropped
    assert "Unclassified: 1 PRs whose source gives no labels, head branch or linked work item" in result.stdout


def test_unknown_team_is_refused_with_the_teams_known(snapshot):
    result = CliRunner().invoke(app, ["allocation", str(snapshot), "--team", "Gamma"])
    assert isinstance(result.exception, BadOption)
    assert str(result.exception) == "unknown team 'Gamma'; teams in this snapshot: alpha, beta"


def test_months_of_chosen_teams_are_labelled_with_their_names(snapshot):
    result = run(str(snapshot), *WINDOW, "--team", "alpha", "--by", "month", "--weight", "prs", "--format", "json")
    rows = json.loads(result.stdout)["rows"]
    # Alpha's PRs: #1, #2, #3, #7 in March; #5 in April (bob's #4 merged after he moved to Beta).
    assert [(row["team"], row["month"], row["total"]) for row in rows] == [
        ("Alpha", "2024-03-01", 4.0),
        ("Alpha", "2024-04-01", 1.0),
    ]
