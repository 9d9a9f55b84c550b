"""Line numbers of keys in a TOML text: tomllib gives none for values, so messages find the key's line here."""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+|\"[^\"]*\")\s*=")


class KeyLines:
    """Where each table and key starts: `line(("github", 1, "org"))` is the line of `org` in the second [[github]]."""

    def __init__(self, text: str) -> None:
        self._lines: dict[tuple, int] = {}
        counts: dict[str, int] = {}
        table: tuple = ()
        for number, line in enumerate(text.splitlines(), start=1):
            header = _HEADER.match(line)
            if header:
                name = header.group(2).strip().strip("\"'")
                if header.group(1) == "[[":
                    index = counts.get(name, -1) + 1
                    counts[name] = index
                    table = (name, index)
                else:
                    table = (name,)
                self._lines.setdefault(table, number)
                continue
            key = _KEY.match(line)
            if key:
                self._lines.setdefault((*table, key.group(1).strip('"')), number)

    def line(self, where: tuple) -> int | None:
        """The line of the key (or the table) at where, or of the nearest enclosing table that has one."""
        while where:
            if where in self._lines:
                return self._lines[where]
            where = where[:-1]
        return None
