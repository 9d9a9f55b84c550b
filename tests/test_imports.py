"""Imports: the canonical kind, all-or-nothing writes, and every bad-input case with its exact message."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flowgauge.csv_safety import to_csv_bytes
from flowgauge.loaders.imports import (
    KINDS,
    ImportProblem,
    ImportRejected,
    canonical_template_csv,
    import_files,
    preview_import,
)
from flowgauge.loaders.store import write_snapshot
from flowgauge.snapshot import open_snapshot

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


def fixture(name: str) -> tuple[str, bytes]:
    return name, (FIXTURES / name).read_bytes()


def query(snapshot: Path, sql: str) -> list[tuple]:
    con = open_snapshot(snapshot)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def snapshot(tmp_path) -> Path:
    """A snapshot already holding one person and one pull request, so 'unchanged' means something."""
    path = tmp_path / "org.duckdb"
    with write_snapshot(path) as writer:
        writer.upsert("people", [{"person_id": "anasilva", "display_name": "Ana Silva", "is_bot": False,
                                  "primary_email": "ana@acme.io"}])  # fmt: skip
        writer.upsert("pull_requests", [{"pr_id": "acme/payments#1", "repo_id": "acme/payments", "number": 1,
                                         "title": "old title", "state": "open", "is_draft": False,
                                         "created_at": datetime(2024, 1, 1)}])  # fmt: skip
    return path


def test_canonical_csv_is_typed_converted_to_utc_and_deduplicated(snapshot):
    report = import_files([fixture("pull_requests.csv")], snapshot)
    assert report.files[0].kind == "canonical"
    assert report.files[0].rows == {"pull_requests": 3}
    assert report.files[0].duplicates_dropped == {"pull_requests": 1}
    assert "pull_requests: 1 duplicate row dropped (same pull request)" in report.files[0].notes
    assert "pull_requests: 1 time without a UTC offset, taken as UTC" in report.files[0].notes
    rows = query(
        snapshot,
        "SELECT pr_id, state, is_draft, created_at, merged_at, labels, issue_keys, lines_added "
        "FROM pull_requests ORDER BY pr_id",
    )
    assert rows == [
        # +02:00, -05:00 and Z in one file: each row's own offset applies.
        ("acme/payments#1", "merged", False, datetime(2024, 3, 1, 8, 0), datetime(2024, 3, 1, 12, 30),
         ["bug", "p1"], ["PAY-1", "PAY-2"], 10),
        ("acme/payments#2", "open", False, datetime(2024, 3, 2, 8, 0), None, None, None, 5),
        ("acme/payments#3", "closed", False, datetime(2024, 3, 3, 13, 0), None, ["ops"], None, -2),
    ]  # fmt: skip
    assert query(snapshot, "SELECT title FROM pull_requests WHERE pr_id = 'acme/payments#2'") == [
        ("+1 for the new API (edited)",)  # the last of the duplicate rows wins
    ]
    assert query(snapshot, "SELECT source_id, kind, location FROM sources") == [
        ("import:pull_requests.csv", "import", "pull_requests.csv")
    ]


def test_formula_cells_are_stored_verbatim_and_escaped_on_csv_export(snapshot):
    import_files([fixture("pull_requests.csv")], snapshot)
    titles = dict(query(snapshot, "SELECT pr_id, title FROM pull_requests"))
    assert titles["acme/payments#1"] == '=HYPERLINK("http://evil.example","click")'
    assert titles["acme/payments#3"] == "@SUM(A1:A3)"
    exported = to_csv_bytes(pa.table({"title": [titles["acme/payments#1"], titles["acme/payments#3"], "+1 ok"]}))
    assert exported.decode() == 'title\n"\'=HYPERLINK(""http://evil.example"",""click"")"\n\'@SUM(A1:A3)\n\'+1 ok\n'


def test_canonical_json_lines_with_mixed_offsets():
    preview = preview_import(*fixture("incidents.jsonl"))
    assert preview.problems == [] and preview.kind == "canonical"
    assert preview.tables["incidents"].select(["incident_id", "opened_at", "resolved_at"]).to_pylist() == [
        {"incident_id": "import:INC-1", "opened_at": datetime(2024, 3, 4, 10), "resolved_at": datetime(2024, 3, 4, 11)},
        {"incident_id": "import:INC-2", "opened_at": datetime(2024, 3, 5, 9), "resolved_at": None},
    ]
    assert preview.notes == ["incidents: 1 time without a UTC offset, taken as UTC"]


def test_canonical_json_object_of_tables_and_parquet_with_table_column(tmp_path):
    doc = {"teams": [{"team_id": "payments", "name": "Payments"}], "repositories": [
        {"repo_id": "acme/payments", "name": "payments", "source": "import", "is_archived": False}]}  # fmt: skip
    buffer = io.BytesIO()
    pq.write_table(
        pa.table(
            {
                "table": ["commits"],
                "repo_id": ["acme/payments"],
                "sha": ["abc123"],
                "authored_at": [datetime(2024, 3, 1, 9)],
                "committed_at": [datetime(2024, 3, 1, 9, 5)],
                "parent_shas": [["fff000"]],
            }
        ),  # fmt: skip
        buffer,
    )
    target = tmp_path / "new.duckdb"  # does not exist yet: the import creates it
    report = import_files([("export.json", json.dumps(doc).encode()), ("history.parquet", buffer.getvalue())], target)
    assert [(f.file, f.kind, f.rows) for f in report.files] == [
        ("export.json", "canonical", {"teams": 1, "repositories": 1}),
        ("history.parquet", "canonical", {"commits": 1}),
    ]
    assert query(target, "SELECT sha, committed_at, parent_shas FROM commits") == [
        ("abc123", datetime(2024, 3, 1, 9, 5), ["fff000"])
    ]


def test_template_lists_every_column_and_imports_once_filled(tmp_path):
    template = canonical_template_csv("deployments")
    assert template == (
        "deployment_id,repo_id,service_id,environment,sha,ref,status,deploy_kind,started_at,finished_at,"
        "detection_rule,is_approximate,url\n"
    )
    filled = template + "d1,acme/payments,,production,abc,,success,regular,2024-03-01T10:00:00Z,,import,false,\n"
    report = import_files([("deployments.csv", filled.encode())], tmp_path / "t.duckdb")
    assert report.files[0].rows == {"deployments": 1}
    with pytest.raises(ValueError, match="'nope' is not an importable table"):
        canonical_template_csv("nope")


JIRA_HEADER = "Summary,Issue key,Issue id,Issue Type,Status,Status Category,Created,Resolved,Sprint,Sprint\n"
JIRA_ROWS = "".join(f"Item {n},PAY-{n},{n},Story,Done,Done,0{n % 9 + 1}/Sep/21 2:02 PM,,S1,\n" for n in range(1, 13))

# (name, bytes, max_bytes, exact message of ImportRejected)
BAD_INPUTS = [
    pytest.param(
        "jira.csv", (JIRA_HEADER + JIRA_ROWS + "Bad date,PAY-99,99,Story,Done,Done,31/31/24,,,\n").encode(), None,
        "jira.csv: row 14, column Created: '31/31/24' is not a date in this file's format DD/MMM/YY",
        id="jira-bad-date",
    ),
    pytest.param(
        "pull_requests.csv", b"pr_id,repo_id,number,titel,state,is_draft,created_at\na#1,a,1,x,open,false,2024-01-01\n",
        None,
        "pull_requests.csv: row 1, column titel: is not a column of pull_requests; expected columns: pr_id, repo_id, "
        "number, service_id, title, url, author_id, state, is_draft, base_branch, head_branch, created_at, "
        "ready_for_review_at, first_commit_at, first_review_at, first_approval_at, merged_at, closed_at, updated_at, "
        "lines_added, lines_deleted, files_changed, lines_changed_after_open, merge_commit_sha, merge_method, labels, "
        "issue_keys",
        id="wrong-column",
    ),
    pytest.param(
        "deployments.csv", b"deployment_id,repo_id,environment,status,started_at\nd1,acme/x,prod,success,2024-01-01\n",
        None,
        "deployments.csv: missing required column(s) deploy_kind, detection_rule, is_approximate for deployments; "
        "expected columns: deployment_id, repo_id, service_id, environment, sha, ref, status, deploy_kind, "
        "started_at, finished_at, detection_rule, is_approximate, url",
        id="missing-columns",
    ),
    pytest.param(
        "pull_requests.csv",
        b"pr_id,repo_id,number,state,is_draft,created_at\na#1,a,1,open,false,2024-01-01\na#2,a,two,open,maybe,\n",
        None,
        "pull_requests.csv: row 3, column number: 'two' is not a whole number (and 2 more)",
        id="bad-values",
    ),
    pytest.param(
        "pull_requests.csv",
        b"pr_id,repo_id,number,state,is_draft,created_at\na#1,a,1,open,false,2024-01-01\na#2,a,2,open,false,x,extra\n",
        None,
        "pull_requests.csv: a row has 7 cells but the header has 6: 'a#2,a,2,open,false,x,extra'",
        id="ragged-row",
    ),
    pytest.param(
        "commits.parquet", b"PAR1 cut off", None,
        "commits.parquet: is not a readable Parquet file: it may be truncated or damaged",
        id="broken-parquet",
    ),
    pytest.param("jira.csv", b"", None, "jira.csv: the file is empty", id="empty"),
    pytest.param("jira.csv", b"  \r\n", None, "jira.csv: the file is empty", id="blank"),
    pytest.param(
        "pull_requests.csv", canonical_template_csv("pull_requests").encode(), None,
        "pull_requests.csv: has a header row but no data rows", id="header-only",
    ),
    pytest.param(
        "deploys.json", b'[\n  {"repo": "acme/x", "environment": "prod",\n   "sha": "abc", "started_at": "2024-0', None,
        "deploys.json: the JSON ends early at line 3, column 32 (Unterminated string starting at): "
        "the file looks truncated",
        id="truncated-json",
    ),
    pytest.param(
        "incidents.jsonl", b'{"incident_id": "a", "source": "x", "opened_at": "2024-01-01"}\n{"incident_id": "b", "so',
        None,
        "incidents.jsonl: row 2: is not valid JSON at column 22 (Unterminated string starting at); "
        "was the file truncated?",
        id="truncated-json-lines",
    ),
    pytest.param(
        "big.csv", b"person,team\n" + b"ana,Payments\n" * 100, 1024,
        "big.csv: the file is 1.3 KB, over the import limit of 1.0 KB (raise the limit with --max-mb, or split the "
        "file)",
        id="over-size-limit",
    ),
    pytest.param(
        "../../etc/passwd.csv", b"root,x,0\nuser,x,1\n", None,
        "passwd.csv: cannot tell what this file is: a table whose columns (0, root, x) match no known export; "
        f"name it after a Flowgauge table (e.g. pull_requests.csv) or choose a kind: {', '.join(KINDS)}",
        id="unknown-and-path-like-name",
    ),
    pytest.param(
        "C:\\Users\\me\\teams.csv", b"pr_id,pr_id\n1,2\n", None,
        "teams.csv: row 1, column pr_id: appears more than once in the header", id="repeated-canonical-header",
    ),
    pytest.param(
        "jira.csv", (JIRA_HEADER.replace("Status Category,", "") + "Odd,PAY-1,1,Story,Parked,08/Sep/21 2:02 PM,,,\n")
        .encode(), None,
        "jira.csv: row 2, column Status: 'Parked' is not a status Flowgauge knows; export with the Status Category "
        "column (Jira: Export > Export CSV (all fields))",
        id="unknown-jira-status",
    ),
    pytest.param(
        "teams.csv", b"person,team,from\nana,Payments,2024-13-45\n", None,
        "teams.csv: row 2, column from: '2024-13-45' is not a date in this file's format YYYY-MM-DD",
        id="team-map-bad-date",
    ),
    pytest.param(
        "deploys.csv",
        b"repo,sha,environment,started_at,status\nacme/x,abc,prod,2024-03-01T10:00:00Z,exploded\n", None,
        "deploys.csv: row 2, column status: 'exploded' is not a deployment status "
        "(expected success, failure, error, in_progress, cancelled)",
        id="deployment-bad-status",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("name", "data", "max_bytes", "message"), BAD_INPUTS)
def test_bad_input_is_rejected_with_an_exact_message_and_the_snapshot_is_unchanged(
    snapshot, name, data, max_bytes, message
):
    before = digest(snapshot)
    limits = {"max_bytes": max_bytes} if max_bytes else {}
    with pytest.raises(ImportRejected) as caught:
        import_files([(name, data)], snapshot, **limits)
    assert str(caught.value) == message
    assert digest(snapshot) == before
    preview = preview_import(name, data, **limits)
    assert preview.tables == {} and str(preview.problems[0]) == message.split(" (and ")[0]


def test_one_bad_file_among_good_ones_writes_nothing(snapshot):
    before = digest(snapshot)
    bad = ("survey.csv", b"date,team,question,score\n2025-07-01,Payments,Focus,high\n")
    with pytest.raises(ImportRejected) as caught:
        import_files([fixture("pull_requests.csv"), fixture("pagerduty_incidents.csv"), bad], snapshot)
    assert caught.value.problems == [ImportProblem("survey.csv", 2, "score", "'high' is not a number")]
    assert digest(snapshot) == before


def test_problems_are_listed_up_to_a_cap_and_counted_exactly(snapshot):
    rows = "".join(f"a#{n},a,{n},open,false,not a date\n" for n in range(500))
    data = ("pr_id,repo_id,number,state,is_draft,created_at\n" + rows).encode()
    preview = preview_import("pull_requests.csv", data)
    assert [p.row for p in preview.problems] == [2, 3, 4]
    assert preview.notes == ["500 problems in all; the first 3 are listed"]
    with pytest.raises(
        ImportRejected, match=r"row 2, column created_at: 'not a date' is not a timestamp .* \(and 499 more\)$"
    ):
        import_files([("pull_requests.csv", data)], snapshot)


def test_path_like_names_are_only_displayed_by_their_base_name(tmp_path, snapshot):
    report = import_files(
        [("../../../etc/../pull_requests.csv", (FIXTURES / "pull_requests.csv").read_bytes())], snapshot
    )
    assert report.files[0].file == "pull_requests.csv"
    assert query(snapshot, "SELECT location FROM sources") == [("pull_requests.csv",)]
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == ["org.duckdb"]


def test_files_given_as_paths_are_size_checked_before_reading(tmp_path, snapshot):
    big = tmp_path / "survey.csv"
    big.write_bytes(b"date,team,question,score\n" + b"2025-07-01,Payments,Focus,4\n" * 4_000)
    with pytest.raises(ImportRejected, match=r"^survey.csv: the file is 109.4 KB, over the import limit of 100.0 KB"):
        import_files([big], snapshot, max_bytes=100 * 1024)
    report = import_files([big], snapshot, max_bytes=200 * 1024)
    assert report.files[0].duplicates_dropped == {"survey_responses": 3_999}


def test_encodings_utf8_bom_and_latin1_are_read_correctly():
    german = preview_import(*fixture("jira_export_de.csv"))
    assert german.tables["work_items"].column("summary").to_pylist()[0] == "Zahlungsabgleich"
    assert "jürgen weiß" in german.tables["person_aliases"].column("alias").to_pylist()
    assert not any("UTF-8" in note for note in german.notes)
    french = preview_import(*fixture("jira_export_fr_latin1.csv"))
    assert french.tables["work_items"].column("summary").to_pylist() == [
        "Facture électronique", "Relance des impayés", "Écran de paiement"]  # fmt: skip
    assert "not UTF-8: read as Windows-1252 (Latin-1)" in french.notes


def test_progress_is_reported_from_start_to_done(tmp_path):
    seen: list[tuple[str, float]] = []
    import_files(
        [fixture("pull_requests.csv"), fixture("jira_export_en.csv")],
        tmp_path / "p.duckdb",
        progress=lambda message, fraction: seen.append((message, fraction)),
    )
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and seen[-1] == ("Done", 1.0)
    assert ("Writing the snapshot", 0.9) in seen


def test_imported_people_never_overwrite_people_already_known(snapshot):
    gh = json.dumps([{"number": 9, "url": "https://github.com/acme/payments/pull/9", "state": "OPEN",
                      "createdAt": "2024-03-01T00:00:00Z", "author": {"login": "AnaSilva", "name": ""}}])  # fmt: skip
    import_files([("prs.json", gh.encode())], snapshot)
    assert query(snapshot, "SELECT person_id, display_name, primary_email FROM people") == [
        ("anasilva", "Ana Silva", "ana@acme.io")
    ]


def test_reimporting_a_survey_replaces_its_answers(tmp_path):
    target = tmp_path / "s.duckdb"
    import_files([fixture("devex_survey.csv")], target)
    import_files([fixture("devex_survey.csv")], target)
    assert query(target, "SELECT count(*) FROM survey_responses") == [(4,)]


def test_a_missing_path_is_a_clear_problem(tmp_path, snapshot):
    with pytest.raises(ImportRejected, match=r"nowhere\.csv: no such file$"):
        import_files([tmp_path / "nowhere.csv"], snapshot)


def test_utf16_tab_separated_text_from_excel_is_read():
    text = "person\tteam\tfrom\r\nJürgen Weiß\tZahlungsverkehr\t2024-01-01\r\n"
    preview = preview_import("teams.txt", text.encode("utf-16"))
    assert preview.kind == "team_map" and preview.notes[0] == "not UTF-8: read as UTF-16"
    assert preview.tables["teams"].to_pylist() == [
        {"team_id": "zahlungsverkehr", "name": "Zahlungsverkehr", "parent_team_id": None}
    ]
    assert preview.tables["team_memberships"].column("person_id").to_pylist() == ["jürgen.weiß"]


def test_a_csv_with_a_table_column_fills_several_tables():
    csv = (
        "table,team_id,name,repo_id,source,is_archived\n"
        "teams,payments,Payments,,,\n"
        "repositories,,payments,acme/payments,import,false\n"
    )
    preview = preview_import("export.csv", csv.encode())
    assert preview.kind == "canonical" and preview.problems == []
    assert preview.tables["teams"].to_pylist() == [{"team_id": "payments", "name": "Payments"}]
    assert preview.tables["repositories"].to_pylist() == [
        {"name": "payments", "repo_id": "acme/payments", "source": "import", "is_archived": False}
    ]


def test_a_json_value_of_the_wrong_type_is_a_problem_not_a_crash():
    pulls = [{"number": 1, "url": "https://github.com/acme/x/pull/1", "state": "OPEN", "isDraft": False,
              "createdAt": "2024-03-01T00:00:00Z", "additions": "many"}]  # fmt: skip
    preview = preview_import("prs.json", json.dumps(pulls).encode())
    assert preview.tables == {}
    assert str(preview.problems[0]).startswith("prs.json: has a pull_requests value of the wrong type (")
