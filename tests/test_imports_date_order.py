"""Day-first or month-first in exports whose every date fits both: decided from the rows, or asked for."""

from __future__ import annotations

from datetime import datetime

import pytest

from flowgauge.loaders.imports import preview_import

HEADER = "Summary,Issue key,Issue Type,Status,Created,Updated,Resolved,Due date,Sprint\n"


def jira(*rows: str) -> bytes:
    """A Jira CSV export; each row gives Issue key, Created, Updated, Resolved, Due date and Sprint."""
    lines = []
    for row in rows:
        key, created, updated, resolved, due, sprint = row.split(",")
        lines.append(f"Item,{key},Task,Done,{created},{updated},{resolved},{due},{sprint}\n")
    return (HEADER + "".join(lines)).encode()


def dates(result, column: str) -> list[datetime | None]:
    return result.tables["work_items"].column(column).to_pylist()


def test_created_before_resolved_decides_month_first():
    # Day-first, X-2 would be resolved on 4 Feb, before its creation on 3 Sep.
    result = preview_import("jira.csv", jira("X-1,9/2/2021,9/9/2021,9/9/2021,,", "X-2,3/9/2021,4/2/2021,4/2/2021,,"))
    assert result.problems == []
    assert dates(result, "created_at") == [datetime(2021, 9, 2), datetime(2021, 3, 9)]
    assert dates(result, "resolved_at") == [datetime(2021, 9, 9), datetime(2021, 4, 2)]
    assert "dates read as MM/DD/YYYY" in result.notes
    assert (
        "every date fits both DD/MM/YYYY and MM/DD/YYYY: read as MM/DD/YYYY "
        "(read as DD/MM/YYYY, 1 row would have Updated before Created)" in result.notes
    )


def test_created_before_resolved_decides_day_first():
    # Month-first, X-2 would be resolved on 4 Feb, before its creation on 3 Sep.
    result = preview_import("jira.csv", jira("X-1,2/9/2021,,9/9/2021,,", "X-2,9/3/2021,,2/4/2021,,"))
    assert result.problems == []
    assert dates(result, "created_at") == [datetime(2021, 9, 2), datetime(2021, 3, 9)]
    assert dates(result, "resolved_at") == [datetime(2021, 9, 9), datetime(2021, 4, 2)]
    assert "dates read as DD/MM/YYYY" in result.notes


def test_a_due_date_before_creation_is_no_evidence():
    # Due dates are often set in the past: X-1's due date before its creation must not rule out a reading.
    rows = ("X-1,2/9/2021,,,1/3/2021,", "X-2,4/9/2021,,,,")
    result = preview_import("jira.csv", jira(*rows))
    assert result.tables == {} and "the rows do not tell which" in str(result.problems[0])


def test_one_sprints_items_created_within_days_decide_month_first():
    # Every value fits both orders and no row breaks an ordering either way; read day-first, the items of
    # Sprint 7 would have been created from 9 January to 9 September.
    rows = [f"X-{day},9/{day}/2021,,,,Sprint 7" for day in range(1, 10)]
    result = preview_import("jira.csv", jira(*rows))
    assert result.problems == []
    assert dates(result, "created_at") == [datetime(2021, 9, day) for day in range(1, 10)]
    assert (
        "every date fits both DD/MM/YYYY and MM/DD/YYYY: read as MM/DD/YYYY (a sprint's Created or Resolved dates lie "
        "8 days apart this way, 243 days read as DD/MM/YYYY; median over sprints)" in result.notes
    )


def test_a_file_the_rows_cannot_decide_is_refused_with_samples_read_both_ways():
    result = preview_import("jira.csv", jira("X-1,3/4/2021 9:05,,,,", "X-2,5/6/2021 9:05,,,,"))
    assert result.tables == {}
    assert [str(p) for p in result.problems] == [
        "jira.csv: every date fits both DD/MM/YYYY and MM/DD/YYYY and the rows do not tell which ('3/4/2021 9:05' is "
        "3 Apr 2021 (dmy) or 4 Mar 2021 (mdy); '5/6/2021 9:05' is 5 Jun 2021 (dmy) or 6 May 2021 (mdy)): import "
        "again with --date-order dmy or --date-order mdy"
    ]


@pytest.mark.parametrize(
    ("order", "created"),
    [
        ("dmy", [datetime(2021, 4, 3, 9, 5), datetime(2021, 6, 5)]),
        ("mdy", [datetime(2021, 3, 4, 9, 5), datetime(2021, 5, 6)]),
    ],
)
def test_date_order_option_reads_an_undecided_file(order, created):
    result = preview_import("jira.csv", jira("X-1,3/4/2021 9:05,,,,", "X-2,5/6/2021,,,,"), date_order=order)
    assert result.problems == []
    assert dates(result, "created_at") == created
    label = "DD/MM/YYYY" if order == "dmy" else "MM/DD/YYYY"
    assert f"dates read as {label}" in result.notes
    assert f"day and month order given by --date-order {order}" in result.notes


def test_date_order_option_overrides_what_the_rows_suggest():
    # The rows say month-first (see above); the user's word wins, and a value that cannot be day-first is named.
    data = jira("X-1,9/2/2021,9/9/2021,9/9/2021,,", "X-2,3/9/2021,4/2/2021,4/2/2021,,")
    result = preview_import("jira.csv", data, date_order="dmy")
    assert dates(result, "created_at") == [datetime(2021, 2, 9), datetime(2021, 9, 3)]
    bad = preview_import("jira.csv", jira("X-1,9/13/2021,,,,"), date_order="dmy")
    assert [str(p) for p in bad.problems] == [
        "jira.csv: row 2, column Created: '9/13/2021' is not a date in this file's format DD/MM/YYYY"
    ]


def test_german_headers_mean_day_first_when_the_rows_do_not_tell():
    csv = "Zusammenfassung,Vorgangsschlüssel,Vorgangstyp,Status,Erstellt\nA,ABR-1,Story,Erledigt,06.09.2024 13:55\n"
    result = preview_import("jira.csv", csv.encode())
    assert result.problems == []
    assert dates(result, "created_at") == [datetime(2024, 9, 6, 13, 55)]


def test_a_file_mixing_two_layouts_is_refused_naming_the_row():
    result = preview_import("jira.csv", jira("X-1,08/Sep/21 2:02 PM,,,,", "X-2,09/Sep/21 9:00 AM,,,,",
                                             "X-3,2021-09-10 10:00,,,,"))  # fmt: skip
    assert [str(p) for p in result.problems] == [
        "jira.csv: row 4, column Created: '2021-09-10 10:00' is written as YYYY-MM-DD, but this file's dates are "
        "DD/MMM/YY (one layout per file)"
    ]
    result = preview_import("jira.csv", jira("X-1,2021-09-08,,,,", "X-2,2021-09-09,,,,", "X-3,10.09.2021,,,,"))
    assert [str(p) for p in result.problems] == [
        "jira.csv: row 4, column Created: '10.09.2021' is written as DD.MM.YYYY, but this file's dates are "
        "YYYY-MM-DD (one layout per file)"
    ]


def test_a_files_only_date_being_invalid_names_the_layout_it_is_written_in():
    result = preview_import("jira.csv", jira("X-1,31/Sep/21 10:00 AM,,,,"))
    assert [str(p) for p in result.problems] == [
        "jira.csv: row 2, column Created: '31/Sep/21 10:00 AM' is not a date in this file's format DD/MMM/YY"
    ]


def test_resolved_dates_within_a_sprint_add_to_the_evidence():
    # Created a month apart day-first (9 Feb, 9 Mar) is not proof alone; resolved 9 Sep and 9 Aug day-first, both
    # in their last sprint, is: month-first keeps each within a week.
    rows = ("X-1,9/2/2021,,9/9/2021,,S1", "X-2,9/3/2021,,9/8/2021,,S1")
    result = preview_import("jira.csv", jira(*rows))
    assert result.problems == []
    assert dates(result, "created_at") == [datetime(2021, 9, 2), datetime(2021, 9, 3)]
    only_created = preview_import("jira.csv", jira("X-1,9/2/2021,,,,S1", "X-2,9/3/2021,,,,S1"))
    assert "the rows do not tell which" in str(only_created.problems[0])
