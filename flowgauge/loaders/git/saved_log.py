"""Reading saved `git log --pretty=fuller --numstat [--parents --raw]` text into commit records.

Such logs are what people attach to tickets and what tools like Perceval record. Bytes are split on
LF only (a CR inside a message stays in the message), and every field is decoded as UTF-8 with
undecodable bytes replaced, so Latin-1 names and broken encodings never stop a read. Raw (':')
lines and combined-diff ('::') lines are skipped; numstat lines, with any rename notation, count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from flowgauge.loaders.git.log_reader import CommitRecord, IncompleteLog

_COMMIT = re.compile(rb"^commit ([0-9a-f]{40})((?: [0-9a-f]{40})*)(?: \(.*\))?$")
_PERSON = re.compile(rb"^(?:Author|Commit):\s+(.*?)\s*<([^>]*)>\s*$")
_DATE = re.compile(rb"^(?:AuthorDate|CommitDate):\s+(.+?)\s*$")
_NUMSTAT = re.compile(rb"^(\d+|-)\t(\d+|-)\t")


def parse_saved_log(lines: Iterable[bytes]) -> Iterator[CommitRecord]:
    """Commit records from the lines (bytes, LF-split) of a saved fuller-format git log."""
    record: CommitRecord | None = None
    header: dict[str, object] = {}
    message: list[bytes] = []
    for raw in lines:
        line = raw.rstrip(b"\n")
        commit = _COMMIT.match(line)
        if commit:
            if record is not None or header:
                yield _finish(record, header, message)
            header, message, record = {"sha": commit[1].decode(), "parents": commit[2].decode().split()}, [], None
            continue
        if record is None:
            if not header:
                if line.strip():
                    raise IncompleteLog(f"saved git log does not start with a commit line: {line[:60]!r}")
                continue
            _header_line(line, header)
            if len(header) == 6:
                record = _record(header)
            continue
        if line.startswith(b"    ") or (not line and not record.files_changed):
            message.append(line[4:])
        elif (stat := _NUMSTAT.match(line)) is not None:
            record.files_changed += 1
            if stat[1] != b"-":
                record.lines_added += int(stat[1])
                record.lines_deleted += int(stat[2])
    if record is not None or header:
        yield _finish(record, header, message)


def _header_line(line: bytes, header: dict[str, object]) -> None:
    person = _PERSON.match(line)
    if person and "author" not in header:
        header["author"] = (person[1].decode("utf-8", "replace"), person[2].decode("utf-8", "replace"))
    elif person:
        header["committer"] = True
    elif (date := _DATE.match(line)) is not None:
        key = "authored_at" if "authored_at" not in header else "committed_at"
        header[key] = _utc(date[1].decode("ascii", "replace"))


def _record(header: dict[str, object]) -> CommitRecord:
    name, email = header["author"]
    return CommitRecord(
        sha=header["sha"],
        parents=tuple(header["parents"]),
        raw_name=name,
        raw_email=email,
        name=name,
        email=email,
        authored_at=header["authored_at"],
        committed_at=header["committed_at"],
        message="",
    )


def _finish(record: CommitRecord | None, header: dict[str, object], message: list[bytes]) -> CommitRecord:
    if record is None:
        raise IncompleteLog(f"saved git log ends inside the header of commit {header.get('sha')}")
    text = b"\n".join(message).strip(b"\n").decode("utf-8", "replace")
    record.message = text + "\n" if text else ""
    return record


def _utc(text: str) -> datetime:
    """'Tue Feb 11 22:10:39 2014 -0800' as naive UTC."""
    return datetime.strptime(text, "%a %b %d %H:%M:%S %Y %z").astimezone(UTC).replace(tzinfo=None)
