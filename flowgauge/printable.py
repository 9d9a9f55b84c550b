"""Text from files made safe for a one-line message: control and direction characters shown as escapes."""

from __future__ import annotations

import re

# C0/C1 controls (NUL, ESC, CR, LF, TAB...), Unicode line/paragraph separators and the bidirectional
# overrides that can make a terminal show text in another order than it was written.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """The text with every control character replaced by its escape (\\x00, \\n, \\u202e): one line, no bytes."""
    return _UNSAFE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char)
    if named:
        return named
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
