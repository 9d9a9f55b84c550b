"""Streaming `git log` into commit records: one subprocess, NUL-delimited fields, numstat via -z."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

from flowgauge.errors import LoaderError
from flowgauge.loaders.git.repository import stream_git


class IncompleteLog(LoaderError):
    """git log output ended in the middle of a commit record."""


# \x1e opens a record; every field is NUL-terminated by -z framing, and %B (the only free text, which
# git never lets contain NUL) comes last so nothing in a message can shift the fields after it.
_FIELDS = ("%H", "%P", "%an", "%ae", "%aN", "%aE", "%at", "%ct", "%B")
LOG_FORMAT = "%x1e" + "%x00".join(_FIELDS)
# Merges get no diff here (git's default): the line's merges are diffed by a parallel merge pass.
LOG_OPTIONS = (
    "-z",
    "--numstat",
    "--topo-order",
    "--encoding=UTF-8",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    f"--format={LOG_FORMAT}",
)
MERGE_OPTIONS = (*LOG_OPTIONS, "--first-parent", "--merges", "--diff-merges=first-parent")
_NUMSTAT = re.compile(rb"(\d+|-)\t(\d+|-)\t(.*)", re.DOTALL)
_EPOCH = datetime(1970, 1, 1)
_READ_BYTES = 1 << 20


@dataclass(slots=True)
class CommitRecord:
    """One commit as git log reports it; times naive UTC, name/email after .mailmap, raw_* before it."""

    sha: str
    parents: tuple[str, ...]
    raw_name: str
    raw_email: str
    name: str
    email: str
    authored_at: datetime
    committed_at: datetime
    message: str
    lines_added: int = 0
    lines_deleted: int = 0
    files_changed: int = 0

    @property
    def subject(self) -> str:
        """First line of the message, without a trailing carriage return."""
        return self.message.split("\n", 1)[0].rstrip("\r")


def fetch_commits(path: Path, revisions: Sequence[str], since: datetime | None = None) -> Iterator[CommitRecord]:
    """Every commit reachable from revisions (children before parents), read from one git log."""
    args = ["log", *LOG_OPTIONS]
    if since is not None:
        args.append(f"--since={since:%Y-%m-%dT%H:%M:%S}Z")
    with stream_git(path, [*args, *revisions, "--"]) as stdout:
        yield from parse_log(read_chunks(stdout))


def fetch_merge_diffs(path: Path, revisions: Sequence[str], since: datetime | None = None) -> Iterator[CommitRecord]:
    """The first-parent line's merges in revisions, each with numstat against its first parent."""
    args = ["log", *MERGE_OPTIONS]
    if since is not None:
        args.append(f"--since={since:%Y-%m-%dT%H:%M:%S}Z")
    with stream_git(path, [*args, *revisions, "--"]) as stdout:
        yield from parse_log(read_chunks(stdout))


def read_chunks(stream: IO[bytes]) -> Iterator[bytes]:
    """The stream's bytes in large pieces, as soon as they arrive."""
    read = getattr(stream, "read1", stream.read)
    while chunk := read(_READ_BYTES):
        yield chunk


def parse_log(chunks: Iterable[bytes]) -> Iterator[CommitRecord]:
    """Commit records from the bytes of `git log` run with LOG_OPTIONS; IncompleteLog if cut short."""
    tokens = _split_nul(chunks)
    record: CommitRecord | None = None
    for token in tokens:
        body = token.lstrip(b"\n")
        if body.startswith(b"\x1e"):
            if record is not None:
                yield record
            record = _header(body[1:], tokens)
            continue
        if not body:
            continue
        stat = _NUMSTAT.fullmatch(body)
        if record is None or stat is None:
            raise IncompleteLog(f"unexpected text in git log output: {body[:60]!r}")
        # A rename: -z prints the old and new path as the next two fields.
        if not stat[3] and (next(tokens, None) is None or next(tokens, None) is None):
            raise IncompleteLog(f"git log output ends inside commit {record.sha}")
        record.files_changed += 1
        if stat[1] != b"-":
            record.lines_added += int(stat[1])
            record.lines_deleted += int(stat[2])
    if record is not None:
        yield record


def _header(first: bytes, tokens: Iterator[bytes]) -> CommitRecord:
    fields = [first]
    for _ in range(len(_FIELDS) - 1):
        field = next(tokens, None)
        if field is None:
            raise IncompleteLog(f"git log output ends inside commit {first[:40].decode('ascii', 'replace')}")
        fields.append(field)
    sha, parents, raw_name, raw_email, name, email, authored, committed, message = (
        f.decode("utf-8", "replace") for f in fields
    )
    if len(sha) < 40 or not authored.lstrip("-").isdigit() or not committed.lstrip("-").isdigit():
        raise IncompleteLog(f"malformed commit header in git log output: {first[:60]!r}")
    return CommitRecord(
        sha=sha,
        parents=tuple(parents.split()),
        raw_name=raw_name,
        raw_email=raw_email,
        name=name,
        email=email,
        authored_at=_EPOCH + timedelta(seconds=int(authored)),
        committed_at=_EPOCH + timedelta(seconds=int(committed)),
        message=message,
    )


def _split_nul(chunks: Iterable[bytes]) -> Iterator[bytes]:
    rest = b""
    for chunk in chunks:
        parts = (rest + chunk).split(b"\0")
        rest = parts.pop()
        yield from parts
    if rest:
        yield rest
