"""Every import kind: auto-detection, and the canonical rows each realistic export becomes."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from flowgauge.loaders.imports import KINDS, detect_kind, import_files, preview_import
from flowgauge.snapshot import open_snapshot

FIXTURES = Path(__file__).parent / "fixtures" / "imports"

DETECTED = {
    "pull_requests.csv": "canonical",
    "incidents.jsonl": "canonical",
    "jira_export_en.csv": "jira_csv",
    "jira_export_de.csv": "jira_csv",
    "jira_export_fr_latin1.csv": "jira_csv",
    "jira_search.json": "jira_json",
    "jira_sprint_report.json": "jira_sprint_report",
    "sprint_calendar.csv": "sprint_calendar",
    "pagerduty_incidents.csv": "pagerduty_csv",
    "pagerduty_incidents.json": "pagerduty_json",
    "opsgenie_alerts.csv": "opsgenie_csv",
    "opsgenie_alerts.json": "opsgenie_json",
    "gh_pr_list.json": "gh_pr_list",
    "github_pulls.json": "github_api_pulls",
    "gitlab_mrs.json": "gitlab_api_mrs",
    "deploy_events.json": "deployments",
    "deploy_events.csv": "deployments",
    "team_map.csv": "team_map",
    "devex_survey.csv": "survey",
}


def test_every_kind_has_a_fixture():
    assert set(DETECTED.values()) == set(KINDS)
    assert sorted(DETECTED) == sorted(p.name for p in FIXTURES.iterdir())


@pytest.mark.parametrize(("name", "kind"), DETECTED.items())
def test_kind_is_detected_from_structure_not_name(name, kind):
    data = (FIXTURES / name).read_bytes()
    assert detect_kind(name, data) == kind
    if kind != "canonical":  # the canonical kind is named by its file
        assert detect_kind("export" + Path(name).suffix, data) == kind


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory) -> Path:
    """One snapshot with every non-Jira fixture imported (Jira has its own tests)."""
    target = tmp_path_factory.mktemp("kinds") / "all.duckdb"
    names = [n for n in DETECTED if not n.startswith("jira")]
    report = import_files([FIXTURES / n for n in names], target)
    assert [f.kind for f in report.files] == [DETECTED[n] for n in names]
    return target


def rows(snapshot: Path, sql: str) -> list[tuple]:
    con = open_snapshot(snapshot)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_pagerduty_and_opsgenie_incidents_open_acknowledge_and_resolve_in_utc(snapshot):
    assert rows(
        snapshot,
        "SELECT incident_id, source, severity, opened_at, acknowledged_at, resolved_at FROM incidents "
        "WHERE source IN ('pagerduty', 'opsgenie') ORDER BY incident_id",
    ) == [
        ("opsgenie:1043", "opsgenie", "P1", datetime(2024, 3, 1, 10), datetime(2024, 3, 1, 10, 4, 30),
         datetime(2024, 3, 1, 11, 15)),
        ("opsgenie:1044", "opsgenie", "P3", datetime(2024, 3, 5, 8), None, None),
        # closed without a report: resolved at its last update (and said so in the notes)
        ("opsgenie:1045", "opsgenie", "P2", datetime(2024, 3, 6, 22), None, datetime(2024, 3, 6, 23, 30)),
        # -05:00 in the CSV, Z in the JSON: the same UTC instants
        ("pagerduty:Q0RIJJZL24RC6W", "pagerduty", "P1", datetime(2024, 3, 1, 15), datetime(2024, 3, 1, 15, 4, 30),
         datetime(2024, 3, 1, 16, 15)),
        ("pagerduty:Q1ABCDEF0GHIJK", "pagerduty", "low", datetime(2024, 3, 2, 22, 30), None,
         datetime(2024, 3, 2, 23, 10)),
        ("pagerduty:Q2ZZZZZZZZZZZZ", "pagerduty", "low", datetime(2024, 3, 5, 8), None, None),
    ]  # fmt: skip


def test_pagerduty_csv_reads_severity_from_priority_else_urgency():
    result = preview_import("pd.csv", (FIXTURES / "pagerduty_incidents.csv").read_bytes())
    assert result.tables["incidents"].column("severity").to_pylist() == ["P1", "low", "P2"]


def test_pull_requests_from_gh_cli_github_and_gitlab(snapshot):
    assert rows(
        snapshot,
        "SELECT pr_id, state, is_draft, author_id, created_at, merged_at, issue_keys FROM pull_requests "
        "WHERE pr_id NOT LIKE 'acme/payments#_' ORDER BY pr_id",
    ) == [
        ("acme/billing/api#12", "merged", False, "elodie", datetime(2024, 1, 15, 8), datetime(2024, 1, 16, 9, 30),
         ["BILL-4"]),
        ("acme/billing/api#13", "open", True, "remi", datetime(2024, 1, 17, 9), None, []),
        ("acme/ledger#77", "merged", False, "benokafor", datetime(2024, 2, 10, 8), datetime(2024, 2, 12, 8, 59),
         ["LED-9"]),
        ("acme/ledger#78", "closed", False, "renovate[bot]", datetime(2024, 2, 11, 8), None, []),
        ("acme/payments#412", "merged", False, "anasilva", datetime(2024, 3, 1, 9), datetime(2024, 3, 2, 16),
         ["PAY-101"]),
        ("acme/payments#413", "open", True, "dependabot[bot]", datetime(2024, 3, 3, 4), None, []),
    ]  # fmt: skip
    assert rows(snapshot, "SELECT first_review_at, first_approval_at FROM pull_requests WHERE number = 412") == [
        (datetime(2024, 3, 1, 13), datetime(2024, 3, 2, 10, 30))
    ]
    assert rows(snapshot, "SELECT review_id, reviewer_id, state FROM pr_reviews ORDER BY review_id") == [
        ("PRR_1", "benokafor", "commented"),
        ("PRR_2", "benokafor", "approved"),
    ]
    assert rows(snapshot, "SELECT person_id, bot_reason FROM people WHERE is_bot ORDER BY person_id") == [
        ("dependabot[bot]", "github type Bot"),
        ("renovate[bot]", "github type Bot"),
    ]
    assert rows(snapshot, "SELECT repo_id, source, url FROM repositories ORDER BY repo_id") == [
        ("acme/billing/api", "gitlab", "https://gitlab.example.com/acme/billing/api"),
        ("acme/ledger", "github", "https://github.com/acme/ledger"),  # not overwritten by the deployments file
        ("acme/payments", "github", "https://github.com/acme/payments"),
    ]


def test_deployment_events_status_environment_and_times(snapshot):
    assert rows(
        snapshot,
        "SELECT deployment_id, environment, status, deploy_kind, started_at, finished_at, detection_rule "
        "FROM deployments ORDER BY started_at, environment",
    ) == [
        ("acme/ledger:deploy:47237fc4b371", "prod-eu", "success", "regular", datetime(2024, 2, 12, 10),
         datetime(2024, 2, 12, 10, 4), "import"),
        # 05:00-05:00 in the file: the same instant as the prod-eu start
        ("acme/ledger:deploy:6c2e304fe54f", "prod-us", "cancelled", "regular", datetime(2024, 2, 12, 10),
         datetime(2024, 2, 12, 10, 5), "import"),
        ("acme/ledger:deploy:5db718efe668", "prod-eu", "error", "rollback", datetime(2024, 2, 13, 10),
         datetime(2024, 2, 13, 10, 3), "import"),
        ("acme/payments:deploy:9876", "production", "success", "regular", datetime(2024, 3, 2, 16),
         datetime(2024, 3, 2, 16, 6, 30), "import"),
        ("acme/payments:deploy:9878", "staging", "in_progress", "regular", datetime(2024, 3, 3, 8), None, "import"),
        ("acme/payments:deploy:9877", "production", "failure", "hotfix", datetime(2024, 3, 3, 9),
         datetime(2024, 3, 3, 9, 2), "import"),
    ]  # fmt: skip


def test_team_map_memberships_and_aliases(snapshot):
    assert rows(snapshot, "SELECT * FROM team_memberships ORDER BY person_id, valid_from") == [
        ("anasilva", "payments-core", datetime(2023, 1, 1), datetime(2024, 3, 1)),
        ("anasilva", "ledger", datetime(2024, 3, 1), None),
        # ben@acme.io has the alias benokafor, the GitHub login the gh fixture imported first
        ("benokafor", "payments-core", datetime(1970, 1, 1), None),
        ("elodie", "billing", datetime(2023, 6, 15), None),  # likewise the GitLab login elodie
    ]
    assert rows(
        snapshot, "SELECT alias_kind, alias, person_id FROM person_aliases WHERE source = '*' ORDER BY alias"
    ) == [
        ("email", "ana.silva@old-acme.com", "anasilva"),
        ("email", "ana@acme.io", "anasilva"),
        ("login", "anasilva", "anasilva"),
        ("email", "ben@acme.io", "benokafor"),
        ("login", "benokafor", "benokafor"),
        ("login", "elodie", "elodie"),
        ("name", "élodie durand", "elodie"),
    ]
    assert rows(snapshot, "SELECT team_id, name FROM teams ORDER BY team_id") == [
        ("billing", "Billing"),
        ("ledger", "Ledger"),
        ("payments-core", "Payments Core"),
    ]


def test_survey_answers(snapshot):
    assert rows(
        snapshot,
        "SELECT survey_id, responded_on, team_id, question, score, scale_max, respondent FROM survey_responses "
        "ORDER BY responded_on, team_id, question, respondent",
    ) == [
        ("2025-Q3", date(2025, 7, 14), "payments-core", "Ease of release", 4.0, 5.0, "r-17"),
        ("2025-Q3", date(2025, 7, 14), "payments-core", "Ease of release", 3.0, 5.0, "r-18"),
        ("2025-Q3", date(2025, 7, 15), "ledger", "Ease of release", 5.0, 5.0, ""),
        ("2025-Q3", date(2025, 7, 15), "payments-core", "Focus time", 2.0, 5.0, "r-17"),
    ]


def test_one_sources_row_per_imported_file(snapshot):
    names = [n for n in DETECTED if not n.startswith("jira")]
    assert rows(snapshot, "SELECT location FROM sources ORDER BY location") == [(n,) for n in sorted(names)]


def test_explicit_kind_that_does_not_fit_names_what_is_missing():
    result = preview_import("x.csv", (FIXTURES / "team_map.csv").read_bytes(), kind="pagerduty_csv")
    assert [str(p) for p in result.problems] == ["x.csv: missing column(s) created_on; expected created_on"]
    assert preview_import("x.csv", b"a\n1\n", kind="nope").problems[0].message.startswith("unknown kind 'nope'")


def test_people_in_a_later_file_resolve_to_people_known_by_alias(tmp_path):
    target = tmp_path / "people.duckdb"
    report = import_files([FIXTURES / "team_map.csv", FIXTURES / "jira_search.json"], target)
    # Jira's assignee comes with the e-mail ana@acme.io, which the team map gave as an alias of anasilva.
    assert "1 person matched to people already in the snapshot by alias" in report.files[1].notes
    assert rows(target, "SELECT item_key, assignee_id FROM work_items ORDER BY item_key") == [
        ("PAY-201", "anasilva"),
        ("PAY-202", None),
    ]
    assert rows(target, "SELECT person_id FROM people WHERE person_id LIKE '%ana%' ORDER BY 1") == [("anasilva",)]
    assert rows(target, "SELECT person_id FROM person_aliases WHERE alias = '5b10a2844c20165700ede21g'") == [
        ("anasilva",)
    ]


def test_team_map_kind_on_a_file_without_its_columns():
    result = preview_import("x.csv", b"name,group\nana,payments\n", kind="team_map")
    assert [str(p) for p in result.problems] == [
        "x.csv: missing column(s) person, team; expected person, team and optionally from, to, aliases"
    ]
