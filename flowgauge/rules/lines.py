"""Where a key sits in a TOML text: tomllib gives values without line numbers, and a refused rule names its line."""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*\[\[?\s*(?P<name>[^\]]*?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*(?P<key>"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")
_PART = re.compile(r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[^.\s"']+)\s*(?:\.|$)""")


def line_of(text: str, table: tuple[str, ...], key: str | None) -> int | None:
    """The 1-based line of key in [table] (or of the [table] header when key is None); None when not found, e.g. for
    a key written inline or dotted."""
    current: tuple[str, ...] | None = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            current = _parts(header.group("name"))
            if key is None and current == table:
                return number
            continue
        found = _KEY.match(line)
        if key is not None and found and current == table and _unquote(found.group("key")) == key:
            return number
    return None


def _parts(name: str) -> tuple[str, ...]:
    return tuple(_unquote(part) for part in _PART.findall(name))


def _unquote(part: str) -> str:
    if len(part) >= 2 and part[0] == part[-1] and part[0] in "\"'":
        inner = part[1:-1]
        return re.sub(r"\\(.)", r"\1", inner) if part[0] == '"' else inner
    return part


def line_in_array(text: str, table: tuple[str, ...], index: int, key: str | None) -> int | None:
    """The 1-based line of key in the index-th (0-based) [[table]] of an array of tables (or of that header when key
    is None); None when not found, e.g. for rules written as an inline array."""
    seen = -1
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            inside = line.strip().startswith("[[") and _parts(header.group("name")) == table
            if inside:
                seen += 1
                if seen == index and key is None:
                    return number
            continue
        found = _KEY.match(line)
        if inside and seen == index and key is not None and found and _unquote(found.group("key")) == key:
            return number
    return None
