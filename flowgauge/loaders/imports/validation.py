"""The error type of imports: problems named by file, row and column, collected before anything is written."""

from __future__ import annotations

from dataclasses import dataclass

from flowgauge.errors import LoaderError
from flowgauge.printable import printable

# A file with thousands of bad cells should still give a readable list; the count stays exact.
MAX_PROBLEMS_PER_FILE = 50


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with an imported file; row counts the header as row 1 in CSV, records from 1 in JSON."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row:,}")
        if self.column is not None:
            where.append(f"column {self.column}")
        place = f"{', '.join(where)}: " if where else ""
        return f"{self.file}: {place}{self.message}"


class ImportRejected(LoaderError):
    """An imported file has problems, so nothing was written; message = first problem + "(and N more)"."""

    def __init__(self, problems: list[ImportProblem], total: int | None = None) -> None:
        self.problems = list(problems)
        self.total = max(total or 0, len(self.problems))
        more = self.total - 1
        suffix = f" (and {more:,} more)" if more > 0 else ""
        super().__init__(f"{self.problems[0]}{suffix}" if self.problems else "import rejected")


class Problems:
    """Collects the problems of one file; parsers add to it and call raise_if_any() when done."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[ImportProblem] = []
        self.total = 0

    def add(self, row: int | None, column: str | None, message: str, *, count: int = 1) -> None:
        """Record a problem; count > 1 says the same problem occurs that many times (only the first is listed)."""
        self.total += count
        if len(self.items) < MAX_PROBLEMS_PER_FILE:
            # Messages quote cells and headers: their control characters are shown as escapes, never sent raw.
            shown_column = printable(column) if column is not None else None
            self.items.append(ImportProblem(self.file, row, shown_column, printable(message)))

    def reject(self, row: int | None, column: str | None, message: str) -> ImportRejected:
        """Add a problem that stops parsing at once, and return the error to raise."""
        self.add(row, column, message)
        return ImportRejected(self.items, self.total)

    def raise_if_any(self) -> None:
        """Raise ImportRejected with everything collected so far, if anything was."""
        if self.items:
            raise ImportRejected(self.items, self.total)

    def __bool__(self) -> bool:
        return bool(self.items)


def counted(count: int, noun: str) -> str:
    """'1 time', '3 times': a count with its noun, for notes and messages."""
    return f"{count:,} {noun if count == 1 else noun + 's'}"
