"""A corpus of bad and awkward input files, each made in the test's folder, with what `flowgauge import` must say.

A case is either refused (one line on stderr naming the file, and row and column where there is one; exit 1; the
snapshot untouched) or accepted (exit 0, the values read as the file meant them, any guess named in the summary).
Add a case by appending to REFUSED or ACCEPTED; docs/robustness.md lists what is covered.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

SURVEY_HEADER = "date,team,question,score,respondent"
PR_HEADER = "pr_id,repo_id,number,title,state,is_draft,created_at,merged_at"
TEN_MB = 10 * 1024 * 1024


@dataclass(frozen=True)
class Refused:
    """A file the import must refuse: `message` is the whole stderr line after 'flowgauge: error: ' (or its start,
    when it ends with '...'); {path} stands for the path as typed."""

    id: str
    name: str
    content: bytes | Callable[[Path], None]
    message: str


@dataclass(frozen=True)
class Accepted:
    """A file the import must read: `query` on the snapshot afterwards returns `expected`; `summary` must appear in
    the import's output (a note naming what was guessed or dropped)."""

    id: str
    name: str
    content: bytes
    query: str
    expected: list[tuple]
    summary: str = ""


def survey(*rows: str, newline: str = "\n") -> bytes:
    return newline.join([SURVEY_HEADER, *rows, ""]).encode()


def pull_requests(*rows: str) -> bytes:
    return "\n".join([PR_HEADER, *rows, ""]).encode()


def _directory(path: Path) -> None:
    path.mkdir()


def _parquet(rows: list[dict]) -> bytes:
    out = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), out)
    return out.getvalue()


def _truncated_parquet() -> bytes:
    whole = _parquet([{"team_id": "payments", "name": "Payments"}] * 50)
    return whole[: len(whole) // 2]


def _binary() -> bytes:
    # Deterministic noise with NUL bytes, as a zip, an image or a database file would have.
    return bytes((i * 37 + 11) % 256 for i in range(4096))


def _control_noise() -> bytes:
    # Binary without a single NUL: control characters on every other byte.
    return b"".join(bytes([65 + i % 26, 1 + i % 7]) for i in range(2048))


OUT_OF_RANGE = "is outside the dates Flowgauge accepts (1970-01-01 to 2099-12-31 UTC)"
KIND_HINT = "; name it after a Flowgauge table (e.g. pull_requests.csv) or choose a kind: "

REFUSED: list[Refused] = [
    Refused("empty", "survey.csv", b"", "survey.csv: the file is empty"),
    Refused("whitespace only", "survey.csv", b"\n\n  \r\n", "survey.csv: the file is empty"),
    Refused(
        "header only",
        "incidents.csv",
        b"incident_id,source,title,opened_at\n",
        "incidents.csv: has a header row but no data rows",
    ),
    Refused(
        "wrong delimiter",
        "export.csv",
        b"date|team|question|score|respondent\n2026-06-10|platform|Ease|4|a1\n",
        "export.csv: cannot tell what this file is: a table with a single column "
        "(date|team|question|score|respondent): is it separated by something other than commas, semicolons or tabs?"
        + KIND_HINT
        + "...",
    ),
    Refused(
        "binary with NUL bytes",
        "export.csv",
        _binary(),
        "export.csv: is a binary file, not text (CSV, JSON or JSON Lines)",
    ),
    Refused(
        "binary without NUL bytes",
        "export.csv",
        _control_noise(),
        "export.csv: is a binary file, not text (CSV, JSON or JSON Lines)",
    ),
    Refused(
        "Excel workbook",
        "jira.csv",
        b"PK\x03\x04\x14\x00\x06\x00" + bytes(200),
        "jira.csv: is a ZIP archive (an Excel .xlsx workbook?), not CSV or JSON: export the sheet as CSV",
    ),
    Refused(
        "UTF-16 without BOM, cut mid-character",
        "survey.csv",
        survey("2026-06-10,platform,Ease,4,a1").decode().encode("utf-16-le") + b"\x00\xd8",
        "survey.csv: is not valid UTF-16 little-endian without BOM text (a bad byte at offset 132)",
    ),
    Refused(
        "UTF-8 BOM with invalid bytes",
        "survey.csv",
        b"\xef\xbb\xbf" + survey("2026-06-10,pl\\xff\\xfeform,Ease,4,a1").replace(b"\\xff\\xfe", b"\xff\xfe"),
        "survey.csv: is not valid UTF-8 with BOM text (a bad byte at offset 52)",
    ),
    Refused(
        "CR-only line endings with a bad value",
        "survey.csv",
        survey("2026-06-10,platform,Ease,4,a1", "2026-06-10,platform,Ease,high,a2", newline="\r"),
        "survey.csv: row 3, column score: 'high' is not a number",
    ),
    Refused(
        "huge field with a bad value on a later row",
        "pull_requests.csv",
        pull_requests(
            f"acme/x#1,acme/x,1,{'x' * TEN_MB},merged,false,2026-01-01T00:00:00Z,2026-01-02T00:00:00Z",
            "acme/x#2,acme/x,2,small,merged,false,2026-01-01T00:00:00Z,yesterday",
        ),
        "pull_requests.csv: row 3, column merged_at: 'yesterday' is not a timestamp (expected e.g. "
        "2024-03-01T14:05:00Z or 2024-03-01 14:05)",
    ),
    Refused(
        "year 10000 in a canonical table",
        "pull_requests.csv",
        pull_requests("acme/x#1,acme/x,1,T,merged,false,2026-01-01T00:00:00Z,10000-01-01T00:00:00Z"),
        f"pull_requests.csv: row 2, column merged_at: '10000-01-01T00:00:00Z' {OUT_OF_RANGE}",
    ),
    Refused(
        "Go's zero time in a canonical table",
        "pull_requests.csv",
        pull_requests("acme/x#1,acme/x,1,T,open,false,0001-01-01T00:00:00Z,"),
        f"pull_requests.csv: row 2, column created_at: '0001-01-01T00:00:00Z' {OUT_OF_RANGE}",
    ),
    Refused(
        "year 1900 in a survey",
        "survey.csv",
        survey("1900-06-10,platform,Ease,4,a1"),
        f"survey.csv: row 2, column date: '1900-06-10' {OUT_OF_RANGE}",
    ),
    Refused(
        "year 2150 in gh pr list output",
        "prs.json",
        json.dumps(
            [
                {
                    "number": 7,
                    "title": "Far future",
                    "state": "OPEN",
                    "createdAt": "2150-01-01T00:00:00Z",
                    "author": {"login": "ana"},
                    "url": "https://github.com/acme/web/pull/7",
                    "baseRefName": "main",
                    "headRefName": "f",
                    "isDraft": False,
                }
            ]
        ).encode(),
        f"prs.json: row 1, column createdAt: '2150-01-01T00:00:00Z' {OUT_OF_RANGE}",
    ),
    Refused(
        "epoch milliseconds past year 9999 in deployment events",
        "deploys.json",
        json.dumps(
            [
                {
                    "repo": "acme/web",
                    "environment": "production",
                    "sha": "abc123",
                    "started_at": 1e20,
                    "finished_at": 1e20,
                    "status": "succeeded",
                }
            ]
        ).encode(),
        f"deploys.json: row 1, column started_at: '1e+20' {OUT_OF_RANGE}",
    ),
    Refused(
        "impossible date in a canonical table",
        "pull_requests.csv",
        pull_requests("acme/x#1,acme/x,1,T,merged,false,2026-01-01T00:00:00Z,2026-02-30T10:00:00Z"),
        "pull_requests.csv: row 2, column merged_at: '2026-02-30T10:00:00Z' is not a timestamp (expected e.g. "
        "2024-03-01T14:05:00Z or 2024-03-01 14:05)",
    ),
    Refused(
        "impossible date in a survey",
        "survey.csv",
        survey("2026-06-10,platform,Ease,4,a1", "2026-02-30,platform,Ease,4,a2"),
        "survey.csv: row 3, column date: '2026-02-30' is not a date in this file's format YYYY-MM-DD",
    ),
    Refused(
        "a column named twice",
        "teams.csv",
        b"team_id,name,name\npayments,Payments,Pay\n",
        "teams.csv: row 1, column name: appears more than once in the header",
    ),
    Refused(
        "terminal escape codes in a cell",
        "survey.csv",
        survey("2026-06-10,platform,Ease,\x1b[31m4\x1b[0m\x07,a1"),
        "survey.csv: row 2, column score: '\\x1b[31m4\\x1b[0m\\x07' is not a number",
    ),
    Refused(
        "a line break inside a quoted bad value",
        "survey.csv",
        survey('2026-06-10,platform,Ease,"4\nfive",a1'),
        "survey.csv: row 2, column score: '4\\nfive' is not a number",
    ),
    Refused("directory instead of a file", "folder.csv", _directory, "{path}: is a directory, not a file"),
    Refused("missing file", "nowhere.csv", lambda path: None, "{path}: no such file"),
    Refused(
        "corrupt Parquet",
        "teams.parquet",
        b"PAR1" + b"\x00garbage" * 20 + b"PAR1",
        "teams.parquet: is not a readable Parquet file: it may be truncated or damaged",
    ),
    Refused(
        "truncated Parquet",
        "teams.parquet",
        _truncated_parquet(),
        "teams.parquet: is not a readable Parquet file: it may be truncated or damaged",
    ),
    Refused(
        "truncated JSON",
        "deploys.json",
        b'[{"repo": "acme/web", "environment": "production", "sha": "abc", "started_at": "2026-01-0',
        "deploys.json: the JSON ends early at line 1, column 80 (Unterminated string starting at): the file looks "
        "truncated",
    ),
]

HOSTILE_TITLE = "=cmd|' /C calc'!A0 <script>alert(1)</script> **bold** [sign in](javascript:alert(1))"

ACCEPTED: list[Accepted] = [
    Accepted(
        "CR-only line endings",
        "survey.csv",
        survey("2026-06-10,platform,Ease,4,a1", "2026-06-10,platform,Ease,5,a2", newline="\r"),
        "SELECT respondent, score FROM survey_responses ORDER BY respondent",
        [("a1", 4.0), ("a2", 5.0)],
    ),
    Accepted(
        "CR-only line endings in a canonical table",
        "teams.csv",
        b"team_id,name\rpayments,Payments\rweb,Web\r",
        "SELECT team_id, name FROM teams WHERE team_id IN ('payments', 'web') ORDER BY team_id",
        [("payments", "Payments"), ("web", "Web")],
    ),
    Accepted(
        "UTF-16 without BOM",
        "survey.csv",
        survey("2026-06-10,platform,Lärm im Büro,4,a1").decode().encode("utf-16-le"),
        "SELECT question, score FROM survey_responses",
        [("Lärm im Büro", 4.0)],
        "not UTF-8: read as UTF-16 little-endian without BOM",
    ),
    Accepted(
        "Latin-1",
        "teams.csv",
        "team_id,name\npayments,Zahlungsverkehr Müller\n".encode("latin-1"),
        "SELECT name FROM teams WHERE team_id = 'payments'",
        [("Zahlungsverkehr Müller",)],
        "not UTF-8: read as Windows-1252 (Latin-1)",
    ),
    Accepted(
        "huge field (10 MB)",
        "pull_requests.csv",
        pull_requests(f"acme/x#1,acme/x,1,{'x' * TEN_MB},merged,false,2026-01-01T00:00:00Z,2026-01-02T00:00:00Z"),
        "SELECT length(title) FROM pull_requests",
        [(TEN_MB,)],
    ),
    Accepted(
        "duplicate keys (the last row wins)",
        "teams.csv",
        b"team_id,name\npayments,Payments\npayments,Payments and Billing\n",
        "SELECT team_id, name FROM teams WHERE team_id = 'payments'",
        [("payments", "Payments and Billing")],
        "1 duplicate row dropped",
    ),
    Accepted(
        "formula, HTML and Markdown in text, kept as text",
        "pull_requests.csv",
        pull_requests(f'acme/x#1,acme/x,1,"{HOSTILE_TITLE}",merged,false,2026-01-01T00:00:00Z,2026-01-02T00:00:00Z'),
        "SELECT title FROM pull_requests",
        [(HOSTILE_TITLE,)],
    ),
]


def write_case(folder: Path, name: str, content: bytes | Callable[[Path], None]) -> Path:
    """The case's file (or folder) in folder; returns its path."""
    path = folder / name
    if callable(content):
        content(path)
    else:
        path.write_bytes(content)
    return path


def folder_listing(folder: Path) -> list[str]:
    """Every file and folder under folder, relative, sorted: what a failed import must not change."""
    found = []
    for root, dirs, files in os.walk(folder):
        found.extend(os.path.relpath(os.path.join(root, name), folder) for name in dirs + files)
    return sorted(found)
