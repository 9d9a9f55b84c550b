"""Detect, parse and validate every file, then write all of them in one snapshot write, or nothing."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import pyarrow as pa
import pyarrow.compute as pc

from flowgauge import time_bounds
from flowgauge.loaders.imports import (
    canonical,
    deployments,
    gh_pr_list,
    github_api_pulls,
    gitlab_api_mrs,
    jira_csv,
    jira_json,
    jira_sprint_report,
    opsgenie_csv,
    opsgenie_json,
    pagerduty_csv,
    pagerduty_json,
    sprint_calendar,
    survey,
    team_map,
)
from flowgauge.loaders.imports.dates import DATE_ORDERS
from flowgauge.loaders.imports.identities import known_people, rename_people
from flowgauge.loaders.imports.parsed import Parsed, Progress, no_progress
from flowgauge.loaders.imports.reading import (
    DEFAULT_MAX_BYTES,
    Upload,
    check_size,
    display_name,
    reject_empty,
    reject_unreadable,
)
from flowgauge.loaders.imports.sprint_dates import DATING_KINDS, drop_undated_note, undated_in_file, undated_in_snapshot
from flowgauge.loaders.imports.tables import (
    NATURAL_KEYS,
    canonical_template_csv,
    dedupe_rows,
    rows_to_arrow,
    table_specs,
)
from flowgauge.loaders.imports.validation import ImportProblem, ImportRejected, Problems, counted
from flowgauge.loaders.store import SnapshotWriter, write_snapshot
from flowgauge.rules.code_origin import DEFAULT_CODE_ORIGIN, CodeOriginRules
from flowgauge.url_safety import keep_web_urls, left_out_note

# Detection order: the most specific shapes first; canonical-by-name last so a file called
# deployments.csv with webhook-style columns is read as deployment events, not a bad table.
MODULES: list[ModuleType] = [
    canonical,
    jira_csv,
    jira_json,
    jira_sprint_report,
    sprint_calendar,
    pagerduty_csv,
    pagerduty_json,
    opsgenie_csv,
    opsgenie_json,
    gh_pr_list,
    github_api_pulls,
    gitlab_api_mrs,
    deployments,
    team_map,
    survey,
]
KINDS: dict[str, str] = {module.KIND: module.LABEL for module in MODULES}
_BY_KIND = {module.KIND: module for module in MODULES}


def template_csv(name: str) -> str:
    """A header-only CSV to fill in: the sprint calendar for 'sprints' (what an export lacks is sprint dates), else
    the canonical table's columns."""
    return sprint_calendar.template_csv() if name == "sprints" else canonical_template_csv(name)


@dataclass(frozen=True)
class ImportPreview:
    """What importing one file would write: typed tables, duplicates dropped, notes, or the problems found."""

    file: str
    kind: str
    kind_label: str
    tables: dict[str, pa.Table]
    duplicates_dropped: dict[str, int]
    notes: list[str]
    problems: list[ImportProblem]


@dataclass(frozen=True)
class FileReport:
    """What one imported file wrote."""

    file: str
    kind: str
    kind_label: str
    rows: dict[str, int]
    duplicates_dropped: dict[str, int]
    notes: list[str]


@dataclass(frozen=True)
class ImportReport:
    """What an import wrote into which snapshot, file by file."""

    snapshot: Path
    files: list[FileReport] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        """Rows written, all files and tables together."""
        return sum(sum(f.rows.values()) for f in self.files)


def detect_kind(name: str, data: bytes) -> str:
    """The kind of an exported file from its structure and headers; ImportRejected when none fits."""
    upload = Upload(name, data)
    reject_empty(upload)
    reject_unreadable(upload)
    return _detect(upload)


def _detect(upload: Upload) -> str:
    for module in MODULES:
        if module.detect(upload):
            return module.KIND
    if canonical.detect_by_name(upload):
        return canonical.KIND
    if upload.is_parquet:
        what = "a Parquet file without a `table` column"
    elif upload.looks_like_json:
        what = "JSON in a shape no known export has"
    elif len(upload.header) == 1:
        what = (
            f"a table with a single column ({next(iter(upload.header))}): is it separated by something other "
            "than commas, semicolons or tabs?"
        )
    else:
        columns = ", ".join(sorted(upload.header)[:8])
        what = f"a table whose columns ({columns}) match no known export"
    raise Problems(upload.name).reject(
        None,
        None,
        f"cannot tell what this file is: {what}; name it after a Flowgauge table (e.g. pull_requests.csv) "
        f"or choose a kind: {', '.join(KINDS)}",
    )


@dataclass
class _Checked:
    preview: ImportPreview
    total_problems: int
    fill_only: frozenset[str]


def _check(upload: Upload, kind: str, max_bytes: int, progress: Progress) -> _Checked:
    kind_id = kind
    try:
        check_size(upload.name, len(upload.data), max_bytes)
        reject_empty(upload)
        reject_unreadable(upload)
        if kind == "auto":
            kind_id = _detect(upload)
        elif kind not in _BY_KIND:
            raise Problems(upload.name).reject(None, None, f"unknown kind '{kind}'; choose one of: {', '.join(KINDS)}")
        parsed = _BY_KIND[kind_id].parse(upload, progress)
        tables, duplicates, link_notes = _finish(upload.name, parsed)
    except ImportRejected as error:
        notes = [f"{error.total:,} problems in all; the first {len(error.problems)} are listed"]
        preview = ImportPreview(
            upload.name,
            kind_id if kind_id in KINDS else "unknown",
            KINDS.get(kind_id, "Unknown file"),
            {},
            {},
            notes if error.total > len(error.problems) else [],
            error.problems,
        )
        return _Checked(preview, error.total, frozenset())
    notes = [*parsed.notes, *link_notes, *undated_in_file(tables.get("sprints"))]
    for table, count in duplicates.items():
        notes.append(f"{table}: {counted(count, 'duplicate row')} dropped (same {table_specs()[table].key_label})")
    preview = ImportPreview(upload.name, kind_id, KINDS[kind_id], tables, duplicates, notes, [])
    return _Checked(preview, 0, parsed.fill_only)


def _finish(file: str, parsed: Parsed) -> tuple[dict[str, pa.Table], dict[str, int], list[str]]:
    """Rows typed against the schema and de-duplicated by key (the last row wins), links that are not http(s) left
    out (NULL: the dashboard would show them as links, and a javascript: one runs when clicked), with a note each."""
    tables: dict[str, pa.Table] = {}
    notes: list[str] = []
    duplicates = dict(parsed.duplicates_dropped)
    for table, rows in parsed.tables.items():
        if isinstance(rows, list):
            rows, dropped = dedupe_rows(table, rows)
            if dropped and table in parsed.main_tables:
                duplicates[table] = duplicates.get(table, 0) + dropped
            try:
                rows = rows_to_arrow(table, rows)
            except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
                # An API dump with, say, a number where text belongs: say which table, not a traceback.
                raise Problems(file).reject(None, None, f"has a {table} value of the wrong type ({error})") from None
        _reject_out_of_range(file, table, rows)
        rows, left_out = keep_web_urls(rows)
        notes += [f"{table}: {left_out_note(count, column)}" for column, count in left_out.items()]
        if rows.num_rows:
            tables[table] = rows
    return tables, duplicates, notes


def _reject_out_of_range(file: str, table: str, data: pa.Table) -> None:
    """The last guard for times the parsers could not place on a row (epoch numbers in API dumps, say)."""
    for name in data.column_names:
        column = data.column(name)
        if pa.types.is_timestamp(column.type):
            low, high = (pa.scalar(moment, pa.timestamp("us")) for moment in (time_bounds.EARLIEST, time_bounds.END))
        elif pa.types.is_date(column.type):
            low, high = (pa.scalar(moment.date(), pa.date32()) for moment in (time_bounds.EARLIEST, time_bounds.END))
        else:
            continue
        # Compared in Arrow: a value past year 9999 has no Python datetime to compare as.
        outside = pc.or_(pc.less(column, low.cast(column.type)), pc.greater_equal(column, high.cast(column.type)))
        if pc.any(outside).as_py():
            value = pc.filter(column, outside).cast(pa.string())[0].as_py()
            raise Problems(file).reject(None, None, f"{table}.{name}: {time_bounds.out_of_range(value)}")


def preview_import(
    name: str,
    data: bytes,
    kind: str = "auto",
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
    date_order: str | None = None,
    code_origin: CodeOriginRules = DEFAULT_CODE_ORIGIN,
) -> ImportPreview:
    """Parse and validate one file completely and say what importing it would write; writes nothing."""
    _check_date_order(date_order)
    upload = Upload(name, data, date_order, code_origin)
    return _check(upload, kind, max_bytes, progress or no_progress).preview


def _check_date_order(date_order: str | None) -> None:
    if date_order is not None and date_order not in DATE_ORDERS:
        raise ValueError(f"date order must be one of {', '.join(DATE_ORDERS)}, not {date_order!r}")


def import_files(
    files: Sequence[tuple[str, bytes]] | Sequence[str | os.PathLike],
    into: str | os.PathLike,
    kind: str = "auto",
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
    date_order: str | None = None,
    code_origin: CodeOriginRules = DEFAULT_CODE_ORIGIN,
) -> ImportReport:
    """Import files into a snapshot (created if missing): all validated first, then written at once or not at all.

    date_order ('dmy' or 'mdy') says how to read dates that fit both day-first and month-first in every file;
    code_origin (the rules file's [code_origin]) how PR exports with bodies and commits are classified."""
    _check_date_order(date_order)
    report = progress or no_progress
    uploads = [_upload(item, max_bytes, date_order, code_origin) for item in files]
    total_bytes = sum(len(u.data) for u in uploads) or 1
    done = 0
    checked: list[_Checked] = []
    for upload in uploads:

        def within(message: str, fraction: float, start: int = done, size: int = len(upload.data)) -> None:
            report(message, 0.9 * (start + fraction * size) / total_bytes)

        checked.append(_check(upload, kind, max_bytes, within))
        done += len(upload.data)
    problems = [p for c in checked for p in c.preview.problems]
    if problems:
        raise ImportRejected(problems, sum(c.total_problems for c in checked))
    report("Writing the snapshot", 0.9)
    written: dict[int, FileReport] = {}
    # Sprint calendars first, so the notes of an export imported with one count only the sprints still undated.
    order = sorted(range(len(checked)), key=lambda i: checked[i].preview.kind not in DATING_KINDS)
    with write_snapshot(into) as writer:
        for index in order:
            written[index] = _save(writer, checked[index])
    report("Done", 1.0)
    return ImportReport(Path(into), [written[index] for index in range(len(checked))])


def _upload(
    item: tuple[str, bytes] | str | os.PathLike, max_bytes: int, date_order: str | None, code_origin: CodeOriginRules
) -> Upload:
    if isinstance(item, tuple):
        return Upload(*item, date_order, code_origin)
    path = Path(item)
    # A path the user typed (not an upload's name), so it is shown as given.
    problems = Problems(str(path))
    if path.is_dir():
        raise problems.reject(None, None, "is a directory, not a file")
    if not path.exists():
        raise problems.reject(None, None, "no such file")
    if not path.is_file():
        raise problems.reject(None, None, "is not a regular file (a device, pipe or socket)")
    try:
        # Check the size before reading, so a huge file is refused without loading it into memory.
        check_size(display_name(path.name), path.stat().st_size, max_bytes)
        return Upload(path.name, path.read_bytes(), date_order, code_origin)
    except OSError as error:
        raise problems.reject(None, None, f"cannot be read ({error.strerror or error})") from None


def _save(writer: SnapshotWriter, item: _Checked) -> FileReport:
    preview = item.preview
    tables, notes = preview.tables, list(preview.notes)
    if preview.kind != canonical.KIND and "person_aliases" in tables:
        renames = known_people(writer, tables["person_aliases"])
        tables = rename_people(tables, renames)
        if renames:
            notes.append(f"{counted(len(renames), 'person')} matched to people already in the snapshot by alias")
    rows = {}
    for table, data in tables.items():
        if table in item.fill_only:
            rows[table] = writer.insert_new(table, data)
        else:
            if table in NATURAL_KEYS:
                _delete_same_natural_key(writer, table, data)
            rows[table] = writer.upsert(table, data)
    if "sprints" in tables:
        # The preview counted the file's undated sprints; the snapshot may have their dates from a calendar.
        notes = drop_undated_note(notes) + undated_in_snapshot(writer.con, tables["sprints"])
    detail = {"kind": preview.kind, "rows": rows, "duplicates_dropped": preview.duplicates_dropped}
    writer.record_source(f"import:{preview.file}", "import", preview.file, detail | {"notes": notes})
    return FileReport(preview.file, preview.kind, preview.kind_label, rows, preview.duplicates_dropped, notes)


def _delete_same_natural_key(writer: SnapshotWriter, table: str, data: pa.Table) -> None:
    """Re-importing rows of a table without a primary key replaces them instead of adding copies."""
    key = [k for k in NATURAL_KEYS[table] if k in data.column_names]
    match = " AND ".join(f't."{k}" IS NOT DISTINCT FROM i."{k}"' for k in key)
    writer.con.register("_incoming", data)
    try:
        writer.con.execute(f'DELETE FROM "{table}" t WHERE EXISTS (SELECT 1 FROM _incoming i WHERE {match})')
    finally:
        writer.con.unregister("_incoming")
