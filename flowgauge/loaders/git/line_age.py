"""Line age per first-parent commit, for the code rework and refactor rates.

Replays `git log --first-parent --reverse -p -U0 -M` oldest first, keeping for every current file
the time each of its lines was last changed (through renames; deleted files are dropped), so memory
is bounded by the size of the tree at its largest, not by the length of history.

For each commit, every line a hunk removes or replaces is 'touched': lines_recent counts those last
changed under recent_days before the commit, lines_old the rest (lines_recent + lines_old equals the
commit's deletions against its first parent); lines_new counts added lines beyond the lines each
hunk removed. Times are committer times: when a change landed on the branch. Binary files and lines
whose history is unknown count as old.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import IO

from flowgauge.loaders.git.repository import stream_git

DEFAULT_RECENT_DAYS = 21
LINE_AGE_OPTIONS = (
    "--first-parent",
    "--reverse",
    "--diff-merges=first-parent",
    "--root",
    "-p",
    "-U0",
    "-M",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--format=%x1e%H%x00%ct",
)
_HUNK = re.compile(rb"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_EPOCH = datetime(1970, 1, 1)
_ESCAPES = {b"a": 7, b"b": 8, b"t": 9, b"n": 10, b"v": 11, b"f": 12, b"r": 13, b'"': 34, b"\\": 92}


@dataclass(frozen=True, slots=True)
class LineAge:
    """Touched-line counts of one commit."""

    sha: str
    committed_at: datetime
    lines_new: int
    lines_recent: int
    lines_old: int


def fetch_line_ages(path: Path, head: str, recent_days: int = DEFAULT_RECENT_DAYS) -> Iterator[LineAge]:
    """Line ages of every first-parent commit up to head, oldest first."""
    with stream_git(path, ["log", *LINE_AGE_OPTIONS, head, "--"]) as stdout:
        yield from parse_line_ages(stdout, recent_days)


def parse_line_ages(stream: IO[bytes], recent_days: int = DEFAULT_RECENT_DAYS) -> Iterator[LineAge]:
    """Line ages from the bytes of `git log` run with LINE_AGE_OPTIONS, oldest commit first."""
    window = recent_days * 86400
    files: dict[bytes, list[int]] = {}
    lines = iter(stream)
    sha: str | None = None
    when = 0
    new = recent = old = 0
    current: list[int] | None = None
    in_header = False
    old_path: bytes | None = None
    for line in lines:
        if line.startswith(b"@@") and current is not None:
            hunk = _HUNK.match(line)
            if hunk is None:
                continue
            in_header = False
            removed = int(hunk[2]) if hunk[2] is not None else 1
            added = int(hunk[4]) if hunk[4] is not None else 1
            # Earlier hunks of this file are already applied, so new-side numbers index the list.
            start = int(hunk[3]) - 1 if added else int(hunk[3])
            for stamp in current[start : start + removed]:
                if when - stamp < window:
                    recent += 1
                else:
                    old += 1
            old += max(0, removed - len(current[start : start + removed]))
            new += max(0, added - removed)
            current[start : start + removed] = [when] * added
            # Skip the hunk's text at C speed; a '\ No newline' line among it leaves one text line
            # over, which the loop ignores because it only reacts to headers.
            deque(islice(lines, removed + added), maxlen=0)
        elif line.startswith(b"diff --git "):
            in_header, current, old_path = True, None, None
        elif line.startswith(b"\x1e"):
            if sha is not None:
                yield LineAge(sha, _EPOCH + timedelta(seconds=when), new, recent, old)
            head, _, stamp_text = line[1:].rstrip(b"\n").partition(b"\0")
            sha, when = head.decode("ascii"), int(stamp_text)
            new = recent = old = 0
            in_header, current = False, None
        elif in_header:
            if line.startswith(b"rename from "):
                old_path = _unquote(line[12:].rstrip(b"\n"))
            elif line.startswith(b"rename to ") and old_path is not None:
                files[_unquote(line[10:].rstrip(b"\n"))] = files.pop(old_path, [])
            elif line.startswith(b"--- "):
                old_path = _path(line[4:], b"a/")
            elif line.startswith(b"+++ "):
                new_path = _path(line[4:], b"b/")
                if new_path is None:
                    # Deleted: the hunks run against the detached list, then it is gone.
                    current = files.pop(old_path, []) if old_path is not None else []
                else:
                    current = files.setdefault(new_path, [])
    if sha is not None:
        yield LineAge(sha, _EPOCH + timedelta(seconds=when), new, recent, old)


def _path(text: bytes, prefix: bytes) -> bytes | None:
    """The repository path in a ---/+++ line, or None for /dev/null."""
    text = text.rstrip(b"\n")
    # git ends the name with a tab when it contains a space (for GNU patch).
    text = text.removesuffix(b"\t")
    if text == b"/dev/null":
        return None
    return _unquote(text).removeprefix(prefix)


def _unquote(text: bytes) -> bytes:
    """A path as git prints it, C-quoted when it has special bytes, back to its raw bytes."""
    if not (text.startswith(b'"') and text.endswith(b'"') and len(text) >= 2):
        return text
    body, out, i = text[1:-1], bytearray(), 0
    while i < len(body):
        byte = body[i : i + 1]
        if byte == b"\\" and i + 1 < len(body):
            following = body[i + 1 : i + 2]
            if following.isdigit():
                out.append(int(body[i + 1 : i + 4], 8))
                i += 4
                continue
            out.append(_ESCAPES.get(following, following[0]))
            i += 2
            continue
        out += byte
        i += 1
    return bytes(out)
