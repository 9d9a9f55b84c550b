"""Bytes to text and records: safe display names, the size limit, encodings, CSV with repeated headers, JSON."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import sys
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from flowgauge.loaders.imports.validation import Problems
from flowgauge.rules.code_origin import DEFAULT_CODE_ORIGIN, CodeOriginRules

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
PARQUET_MAGIC = b"PAR1"

# Jira descriptions and comment columns can hold megabytes of text in one cell.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def display_name(name: str) -> str:
    """The base name of an uploaded file, for messages only: never used to build a filesystem path."""
    base = re.split(r"[\\/]", str(name))[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base if base not in ("", ".", "..") else "upload"


def stem(name: str) -> str:
    """File name without directory and extension(s): 'pull_requests.csv' -> 'pull_requests'."""
    base = display_name(name)
    for suffix in (".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".txt", ".parquet"):
        if base.lower().endswith(suffix):
            return base[: -len(suffix)]
    return base.rsplit(".", 1)[0] if "." in base else base


def human_size(size_bytes: int) -> str:
    """Bytes as the user would say them: '312.4 MB'."""
    if size_bytes >= 1024 * 1024:
        return f"{size_bytes / (1024 * 1024):,.1f} MB"
    if size_bytes >= 1024:
        return f"{size_bytes / 1024:,.1f} KB"
    return f"{size_bytes:,} bytes"


def check_size(name: str, size_bytes: int, max_bytes: int) -> None:
    """Refuse files over the configured limit before reading them."""
    if size_bytes > max_bytes:
        problems = Problems(name)
        raise problems.reject(
            None,
            None,
            f"the file is {human_size(size_bytes)}, over the import limit of {human_size(max_bytes)} "
            "(raise the limit with --max-mb, or split the file)",
        )


class NotText(ValueError):
    """Bytes that are not text in an encoding Flowgauge reads; str() says what they look like instead."""


# Formats people export by mistake instead of CSV or JSON, known by their first bytes.
_MAGIC = {
    b"PK\x03\x04": "a ZIP archive (an Excel .xlsx workbook?), not CSV or JSON: export the sheet as CSV",
    b"\xd0\xcf\x11\xe0": "an old Excel .xls workbook, not CSV or JSON: export the sheet as CSV",
    b"\x1f\x8b": "gzip-compressed: unpack it first",
    b"%PDF": "a PDF document, not CSV or JSON",
}
_SAMPLE_BYTES = 65536
# Control characters other than tab, line feed, carriage return and form feed do not occur in exported text.
_BINARY_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was read as: UTF-8 (with or without BOM), UTF-16 (with BOM, or plain ASCII-range
    text without one), else Windows-1252/Latin-1. NotText for binary data, which no guess should turn into text."""
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise NotText(f"is {what}")
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[len(codecs.BOM_UTF8) :], "utf-8", "UTF-8 with BOM", skipped=len(codecs.BOM_UTF8))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", "UTF-16")
    without_bom = _utf16_without_bom(data[:_SAMPLE_BYTES])
    if without_bom:
        return _strict(data, *without_bom)
    if b"\x00" in data:
        raise NotText("is a binary file, not text (CSV, JSON or JSON Lines)")
    try:
        text, encoding = data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        try:
            # Excel on Windows writes cp1252, a superset of Latin-1 for printable characters.
            text, encoding = data.decode("cp1252"), "Windows-1252 (Latin-1)"
        except UnicodeDecodeError:
            text, encoding = data.decode("latin-1"), "Latin-1"
    sample = text[:_SAMPLE_BYTES]
    # A few control characters in cells are data (shown escaped in messages); dozens, one in every hundred
    # characters, are not text at all.
    controls = len(_BINARY_CONTROLS.findall(sample))
    if controls > 32 and controls * 100 > len(sample):
        raise NotText("is a binary file, not text (CSV, JSON or JSON Lines)")
    return text, encoding


def _utf16_without_bom(sample: bytes) -> tuple[str, str] | None:
    """(codec, label) when the bytes look like UTF-16 text without a byte-order mark: mostly ASCII-range
    characters, so a NUL in nearly every other byte, all on the same side."""
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even_nuls = sample[0 : 2 * pairs : 2].count(0)
    odd_nuls = sample[1 : 2 * pairs : 2].count(0)
    if odd_nuls >= 0.9 * pairs and even_nuls <= 0.05 * pairs:
        return "utf-16-le", "UTF-16 little-endian without BOM"
    if even_nuls >= 0.9 * pairs and odd_nuls <= 0.05 * pairs:
        return "utf-16-be", "UTF-16 big-endian without BOM"
    return None


def _strict(data: bytes, codec: str, label: str, skipped: int = 0) -> tuple[str, str]:
    try:
        return data.decode(codec), label
    except UnicodeDecodeError as error:
        # The offset counts from the start of the file, byte-order mark included, as a hex editor shows it.
        raise NotText(f"is not valid {label} text (a bad byte at offset {skipped + error.start:,})") from None


# The Python codec of every encoding decode() names, for readers that take bytes (Arrow's CSV reader).
CODECS = {
    "UTF-8": "utf8",
    "UTF-8 with BOM": "utf8",
    "UTF-16": "utf-16",
    "UTF-16 little-endian without BOM": "utf-16-le",
    "UTF-16 big-endian without BOM": "utf-16-be",
    "Windows-1252 (Latin-1)": "cp1252",
    "Latin-1": "latin1",
}


def first_line(text: str) -> str:
    """The header line, whatever the line ending: LF, CRLF, or CR alone (old Mac exports)."""
    return re.split(r"\r\n|\r|\n", text[:_SAMPLE_BYTES], maxsplit=1)[0]


def normal(header: str) -> str:
    """A header compared loosely: 'Issue key', 'issue_key' and ' ISSUE-KEY ' are the same column."""
    return re.sub(r"[\s_\-]+", " ", header.strip().lower())


@dataclass
class CsvTable:
    """A CSV file's header and rows; a header may repeat (Jira writes one 'Sprint' column per sprint)."""

    header: list[str]
    rows: list[list[str]]
    delimiter: str

    @cached_property
    def _positions(self) -> dict[str, list[int]]:
        positions: dict[str, list[int]] = {}
        for i, name in enumerate(self.header):
            positions.setdefault(normal(name), []).append(i)
        return positions

    def add_aliases(self, aliases: dict[str, str]) -> None:
        """Let columns be found by other names too: a localised export's headers by their English names."""
        for alias, name in aliases.items():
            if normal(alias) in self._positions and normal(name) not in self._positions:
                self._positions[normal(name)] = self._positions[normal(alias)]

    def has(self, *names: str) -> bool:
        """True when every named column is present."""
        return all(normal(name) in self._positions for name in names)

    def first(self, *names: str) -> str | None:
        """The header as written of the first of names present, for messages."""
        for name in names:
            if normal(name) in self._positions:
                return self.header[self._positions[normal(name)][0]]
        return None

    def get(self, row: list[str], *names: str) -> str | None:
        """The stripped value of the first column among names that has one; None when all are absent or empty."""
        for name in names:
            for i in self._positions.get(normal(name), ())[:1]:
                if row[i].strip():
                    return row[i].strip()
        return None

    def get_all(self, row: list[str], name: str) -> list[str]:
        """Non-empty values of every column with this header, in file order."""
        return [row[i].strip() for i in self._positions.get(normal(name), ()) if row[i].strip()]

    @staticmethod
    def row_number(index: int) -> int:
        """Row number as a spreadsheet shows it (the header is row 1)."""
        return index + 2


def sniff_delimiter(header_line: str) -> str:
    """Comma, semicolon (European Excel) or tab, whichever the header line uses most."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(name: str, text: str) -> CsvTable:
    """Parse CSV text keeping repeated headers; rows of the wrong width are problems."""
    problems = Problems(name)
    if not text.strip():
        raise problems.reject(None, None, "the file is empty")
    delimiter = sniff_delimiter(first_line(text))
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise problems.reject(None, None, f"is not readable as CSV ({error})") from None
    records = [r for r in records if any(cell.strip() for cell in r)]
    if not records:
        raise problems.reject(None, None, "the file is empty")
    header = [cell.strip() for cell in records[0]]
    rows = records[1:]
    for index, row in enumerate(rows):
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header) :]):
            problems.add(
                CsvTable.row_number(index),
                None,
                f"has {len(row)} cells but the header has {len(header)} columns",
            )
        elif len(row) != len(header):
            rows[index] = (row + [""] * len(header))[: len(header)]
    problems.raise_if_any()
    if not rows:
        raise problems.reject(None, None, "has a header row but no data rows")
    return CsvTable(header, rows, delimiter)


def parse_json(name: str, text: str) -> Any:
    """A JSON document, or a list of records for JSON Lines; broken JSON names the line and column."""
    problems = Problems(name)
    if not text.strip():
        raise problems.reject(None, None, "the file is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        first_error = error
    lines = text.splitlines()
    if len([line for line in lines if line.strip()]) > 1 and text.lstrip().startswith("{"):
        records = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as error:
                if number == 1:
                    break  # not JSON Lines after all: report the whole-document error
                raise problems.reject(
                    number, None, f"is not valid JSON at column {error.colno} ({error.msg}); was the file truncated?"
                ) from None
        else:
            return records
    error = first_error
    # A whole document ends with its closing bracket; one that stops anywhere else was cut off.
    if error.pos >= len(text.rstrip()) or text.rstrip()[-1:] not in ("]", "}"):
        message = (
            f"the JSON ends early at line {error.lineno}, column {error.colno} ({error.msg}): the file looks truncated"
        )
    else:
        message = f"is not valid JSON: parsing stopped at line {error.lineno}, column {error.colno} ({error.msg})"
    raise problems.reject(None, None, message)


class Upload:
    """One file handed to the importer: a display name and its bytes, decoded and parsed on demand."""

    def __init__(
        self,
        name: str,
        data: bytes,
        date_order: str | None = None,
        code_origin: CodeOriginRules = DEFAULT_CODE_ORIGIN,
    ) -> None:
        self.name = display_name(name)
        self.stem = stem(name)
        self.data = data
        # 'dmy' or 'mdy' when the user said how to read dates that fit both (--date-order); None to detect.
        self.date_order = date_order
        # The rules file's [code_origin] patterns, as the API and git loaders apply them (exports with PR trails).
        self.code_origin = code_origin

    @cached_property
    def _decoded(self) -> tuple[str, str]:
        try:
            return decode(self.data)
        except NotText as error:
            raise Problems(self.name).reject(None, None, str(error)) from None

    @property
    def text(self) -> str:
        """The file as text."""
        return self._decoded[0]

    @property
    def encoding(self) -> str:
        """The encoding the text was read as."""
        return self._decoded[1]

    @property
    def is_parquet(self) -> bool:
        """True for Parquet files (by their magic bytes, not their name)."""
        return self.data[:4] == PARQUET_MAGIC

    @property
    def looks_like_json(self) -> bool:
        """True when the text starts like a JSON document or JSON Lines."""
        return not self.is_parquet and self.text.lstrip()[:1] in ("[", "{")

    @cached_property
    def header(self) -> set[str]:
        """The CSV header's column names, compared loosely (see normal()); empty for JSON and Parquet."""
        if self.is_parquet or self.looks_like_json:
            return set()
        line = first_line(self.text)
        return {normal(h) for h in next(csv.reader([line], delimiter=sniff_delimiter(line)), [])}

    def has_columns(self, *names: str) -> bool:
        """True when the CSV header has every named column."""
        return all(normal(name) in self.header for name in names)

    @cached_property
    def json(self) -> Any:
        """The parsed JSON document (a list of records for JSON Lines)."""
        return parse_json(self.name, self.text)

    @cached_property
    def csv(self) -> CsvTable:
        """The parsed CSV table."""
        return read_csv(self.name, self.text)

    def encoding_notes(self) -> list[str]:
        """A note when the file was not plain UTF-8, so the user can check accented names."""
        if self.encoding in ("UTF-8", "UTF-8 with BOM"):
            return []
        return [f"not UTF-8: read as {self.encoding}"]


def reject_empty(upload: Upload) -> None:
    """An empty upload is refused before detection."""
    if not upload.data.strip():
        raise Problems(upload.name).reject(None, None, "the file is empty")


def reject_unreadable(upload: Upload) -> None:
    """Binary data, text in no encoding Flowgauge reads and damaged Parquet are refused before detection."""
    if not upload.is_parquet:
        _ = upload.text  # decoding raises ImportRejected for bytes that are not text
        return
    try:
        pq.read_metadata(io.BytesIO(upload.data))
    except (pa.ArrowInvalid, OSError):
        raise Problems(upload.name).reject(
            None, None, "is not a readable Parquet file: it may be truncated or damaged"
        ) from None


def json_records(upload: Upload, *container_keys: str) -> list[dict] | None:
    """The records of a JSON export: the document if it is a list of objects, else the list under a container key."""
    if not upload.looks_like_json:
        return None
    doc = upload.json
    if isinstance(doc, dict):
        for key in container_keys:
            if isinstance(doc.get(key), list):
                doc = doc[key]
                break
    if isinstance(doc, list) and doc and all(isinstance(item, dict) for item in doc):
        return doc
    return None


def first_keys(upload: Upload, *container_keys: str) -> set[str]:
    """Keys of the first JSON record, for detection; empty when the file is not such JSON."""
    records = json_records(upload, *container_keys)
    return set(records[0]) if records else set()


def tabular_records(upload: Upload) -> list[tuple[int, dict[str, Any]]]:
    """(row number, {normalised column: value}) from a CSV or a JSON array/lines; the first of repeated headers wins."""
    if upload.looks_like_json:
        records = json_records(upload, "data", "items", "deployments") or []
        return [(n, {normal(k): v for k, v in r.items()}) for n, r in enumerate(records, start=1)]
    table = upload.csv
    names = [normal(h) for h in table.header]
    out = []
    for index, row in enumerate(table.rows):
        record: dict[str, Any] = {}
        for name, value in zip(names, row, strict=True):
            record.setdefault(name, value.strip() or None)
        out.append((table.row_number(index), record))
    return out


def pick(record: dict[str, Any], *names: str) -> Any:
    """The first non-empty value among several accepted column names."""
    for name in names:
        value = record.get(normal(name))
        if value not in (None, ""):
            return value
    return None
