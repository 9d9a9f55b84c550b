"""Incident rows without an id: a stable id from their content, and duplicates only when every field matches."""

from __future__ import annotations

from datetime import datetime

from flowgauge.loaders.imports import import_files, preview_import
from flowgauge.snapshot import open_snapshot

PAGERDUTY_HEADER = "id,incident_number,title,priority,service_name,created_on,resolved_on,html_url\n"
# Rows 2 and 3 are identical; row 4 has the same title and times on another service.
PAGERDUTY_ROWS = (
    ",1,Checkout 5xx,P1,checkout,2024-03-01T10:00:00Z,2024-03-01T11:00:00Z,\n"
    ",1,Checkout 5xx,P1,checkout,2024-03-01T10:00:00Z,2024-03-01T11:00:00Z,\n"
    ",2,Checkout 5xx,P1,payments,2024-03-01T10:00:00Z,2024-03-01T11:00:00Z,\n"
)


def incidents(result) -> list[tuple]:
    table = result.tables["incidents"].select(["incident_id", "title", "opened_at"])
    return [tuple(row.values()) for row in table.to_pylist()]


def test_pagerduty_rows_without_ids_stay_apart_unless_every_field_matches():
    result = preview_import("pd.csv", (PAGERDUTY_HEADER + PAGERDUTY_ROWS).encode())
    assert result.problems == []
    rows = incidents(result)
    assert len(rows) == 2
    assert [row[1:] for row in rows] == [("Checkout 5xx", datetime(2024, 3, 1, 10))] * 2
    assert all(row[0].startswith("pagerduty:content:") for row in rows) and rows[0][0] != rows[1][0]
    assert "1 exact duplicate row without an id dropped (every field the same)" in result.notes
    assert "2 incidents without an id: identified by source, title, times and service" in result.notes
    assert result.duplicates_dropped == {}  # not the old "1 duplicate row dropped (same incident id)"


def test_content_ids_are_stable_across_files_so_a_reimport_replaces_rather_than_adds(tmp_path):
    snapshot = tmp_path / "s.duckdb"
    first = tmp_path / "march.csv"
    first.write_text(PAGERDUTY_HEADER + PAGERDUTY_ROWS)
    # A later export: the same incidents in another order, one with a changed priority, and a new one.
    second = tmp_path / "april.csv"
    second.write_text(
        PAGERDUTY_HEADER
        + ",2,Checkout 5xx,P1,payments,2024-03-01T10:00:00Z,2024-03-01T11:00:00Z,\n"
        + ",1,Checkout 5xx,P2,checkout,2024-03-01T10:00:00Z,2024-03-01T11:00:00Z,\n"
        + ",3,Ledger lag,P3,ledger,2024-04-02T08:00:00Z,,\n"
    )
    import_files([first], snapshot)
    import_files([second], snapshot)
    con = open_snapshot(snapshot)
    try:
        rows = con.execute("SELECT title, severity FROM incidents ORDER BY title, severity").fetchall()
    finally:
        con.close()
    assert rows == [("Checkout 5xx", "P1"), ("Checkout 5xx", "P2"), ("Ledger lag", "P3")]


def test_rows_with_the_same_content_but_another_severity_are_two_incidents():
    header = "id,incident_number,title,priority,service_name,created_on\n"
    rows = ",1,DB down,P1,db,2024-03-01T10:00:00Z\n,1,DB down,P2,db,2024-03-01T10:00:00Z\n"
    result = preview_import("pd.csv", (header + rows).encode())
    ids = [row[0] for row in incidents(result)]
    assert len(ids) == 2 and ids[1] == ids[0] + "~2"
    assert not any("exact duplicate" in note for note in result.notes)


def test_opsgenie_rows_without_a_tiny_id():
    header = "TinyId,Message,Status,CreatedAt,Priority,Teams\n"
    rows = (
        ",Queue backlog,open,1709287200000,P2,Payments\n"
        ",Queue backlog,open,1709287200000,P2,Payments\n"
        ",Queue backlog,open,1709287200000,P2,Ledger\n"
        "1044,Queue backlog,open,1709287200000,P2,Ledger\n"
    )
    result = preview_import("og.csv", (header + rows).encode())
    ids = sorted(row[0] for row in incidents(result))
    assert len(ids) == 3 and ids[0] == "opsgenie:1044" and all(i.startswith("opsgenie:content:") for i in ids[1:])
    assert "1 exact duplicate row without an id dropped (every field the same)" in result.notes
