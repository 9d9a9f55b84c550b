"""Sections of the project's own docs (docs/*.md), shown in the app where a page says what to load."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"
_HEADING = re.compile(r"^(#{1,6}) (.+?)\s*$")


@cache
def section(file: str, heading: str) -> str | None:
    """The Markdown under the first heading of docs/<file> that starts with heading, up to the next heading of the same
    or a higher level; None when the docs are not installed beside the code (a wheel) or have no such heading."""
    try:
        lines = (DOCS / file).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    body: list[str] = []
    level = 0
    in_code = False
    for line in lines:
        in_code ^= line.startswith("```")
        match = None if in_code or line.startswith("```") else _HEADING.match(line)
        if level and match and len(match[1]) <= level:
            break
        if level:
            body.append(line)
        elif match and match[2].startswith(heading):
            level = len(match[1])
    return "\n".join(body).strip() or None
