"""CSV downloads escape cells a spreadsheet would run as formulas; data text is escaped before Markdown."""

import csv
import io

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from flowgauge.csv_safety import escape_csv_cell, to_csv_bytes
from flowgauge.ui.charts import format_value
from flowgauge.ui.text import plain


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("fix: a-b = c", "fix: a-b = c"),
        (-2.5, -2.5),  # numbers stay numbers
        (None, None),
    ],
)
def test_formula_looking_cells_get_a_leading_quote(cell, written):
    assert escape_csv_cell(cell) == written


def test_csv_bytes_have_a_header_and_escaped_text_cells():
    table = pa.table({"title": ["=cmd|' /C calc'!A0", "plain"], "hours": [-1.5, 2.0], "labels": [["a", "b"], []]})
    rows = list(csv.reader(io.StringIO(to_csv_bytes(table).decode("utf-8"))))
    assert rows == [["title", "hours", "labels"], ["'=cmd|' /C calc'!A0", "-1.5", "a; b"], ["plain", "2.0", ""]]


def test_data_text_is_escaped_before_markdown():
    # The word joiner (U+2060) after "http:" keeps GitHub's autolinking from finding the URL in the parsed text.
    assert (
        plain("![x](http://e) <b>hi</b> :red[x]") == "\\!\\[x\\]\\(http\\:\u2060//e\\) \\<b\\>hi\\</b\\> \\:red\\[x\\]"
    )


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (31.25, "hours", "31.2 h"),
        (146.0, "hours", "146 h"),
        (4.46, "percent", "4.5 %"),
        (180.0, "lines", "180 lines"),
        (0.834, "ratio", "0.83"),
        (39.61, "deployments per week", "39.6 /wk"),
        (None, "hours", "–"),
    ],
)
def test_values_are_shown_with_their_units(value, unit, shown):
    assert format_value(value, unit) == shown


def test_big_tables_show_a_capped_grid_and_say_so():
    def script():
        import pyarrow as pa

        from flowgauge.ui import downloads

        downloads.table(pa.table({"n": list(range(12))}), "numbers", max_rows=5)

    at = AppTest.from_function(script).run()
    assert not at.exception
    assert list(at.dataframe[0].value["n"]) == [0, 1, 2, 3, 4]
    assert "Showing the first 5 of 12 rows; the CSV has them all." in at.caption[0].value
