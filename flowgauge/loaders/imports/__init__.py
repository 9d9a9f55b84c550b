"""Imports: exported files (Jira, PagerDuty, Opsgenie, GitHub, GitLab, deployments, team maps, surveys,
canonical tables) into a snapshot, all-or-nothing, with problems named by file, row and column.

The app's upload page and `flowgauge import` call the same API:

    detect_kind(name, data) -> str
        The kind id of a file (a key of KINDS); raises ImportRejected when no kind fits.
    preview_import(name, data, kind="auto", *, max_bytes=DEFAULT_MAX_BYTES, progress=None) -> ImportPreview
        Parses and validates the whole file and writes nothing: typed Arrow tables per canonical table,
        duplicates dropped per table, notes (encoding, time zones, date format), and problems (empty when
        the file can be imported).
    import_files(files, into, kind="auto", *, max_bytes=DEFAULT_MAX_BYTES, progress=None) -> ImportReport
        files: (name, bytes) pairs (uploads) or paths. Validates every file first; on any problem raises
        ImportRejected and the snapshot is untouched; else writes all files in one write_snapshot(into),
        creating the snapshot if it does not exist. One `sources` row per file ('import:<file name>').
    canonical_template_csv(table) -> str
        A header-only CSV of a canonical table.
    template_csv(name) -> str
        The header-only CSV offered as a download and by `flowgauge import --template`: the sprint calendar for
        'sprints', else canonical_template_csv(name).
    KINDS: kind id -> human label.
    ImportProblem(file, row, column, message); str() reads
        "jira.csv: row 14, column Created: '31/31/24' is not a date in this file's format DD/MMM/YY".
        CSV rows count the header as row 1 (as a spreadsheet shows them); JSON records count from 1.
    ImportRejected(LoaderError): .problems (at most 50 per file listed), .total; its message is the first
        problem plus "(and N more)".
    progress: a callable (message, fraction 0..1 of the whole import) called as work advances.
    date_order: 'dmy' or 'mdy' (DATE_ORDERS) for files whose every date fits both day-first and month-first and
        whose rows do not tell which (preview_import and import_files take it; without it such a file is refused).

File names are reduced to their base name for messages and never used to build a filesystem path.
"""

from flowgauge.loaders.imports.dates import DATE_ORDERS
from flowgauge.loaders.imports.parsed import Progress
from flowgauge.loaders.imports.pipeline import (
    KINDS,
    FileReport,
    ImportPreview,
    ImportReport,
    detect_kind,
    import_files,
    preview_import,
    template_csv,
)
from flowgauge.loaders.imports.reading import DEFAULT_MAX_BYTES
from flowgauge.loaders.imports.tables import canonical_template_csv, table_specs
from flowgauge.loaders.imports.validation import ImportProblem, ImportRejected

__all__ = [
    "DATE_ORDERS",
    "DEFAULT_MAX_BYTES",
    "KINDS",
    "FileReport",
    "ImportPreview",
    "ImportProblem",
    "ImportRejected",
    "ImportReport",
    "Progress",
    "canonical_template_csv",
    "detect_kind",
    "import_files",
    "preview_import",
    "table_specs",
    "template_csv",
]
