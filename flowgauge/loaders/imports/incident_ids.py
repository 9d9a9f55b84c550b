"""Incident ids for export rows that have none: stable ids from the row's content, and exact duplicates told apart."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flowgauge.loaders.imports.validation import counted

# The fields that identify an incident when the export gives no id: the same incident exported again next month has
# the same title, times and service, whatever its severity or URL became meanwhile.
IDENTITY_FIELDS = ("title", "opened_at", "acknowledged_at", "resolved_at")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def content_id(source: str, incident: Mapping[str, Any], service: str | None) -> str:
    """'pagerduty:content:1f3a…': the same source, title, times and service always give the same id."""
    # A unit separator between fields, so ('a b', 'c') and ('a', 'b c') never hash alike.
    text = "\x1f".join([source, *(_text(incident.get(f)) for f in IDENTITY_FIELDS), _text(service)])
    return f"{source}:content:{hashlib.sha256(text.encode()).hexdigest()[:16]}"


class IncidentIds:
    """Gives each incident row of one file its id: the export's own, or one made from the row's content.

    Rows without an id are duplicates only when every field matches; those are dropped here and counted. Two rows
    sharing identity fields but differing in another (a severity, say) are two incidents: the later one's id gets
    '~2', '~3' in file order.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.made = 0
        self.exact_duplicates = 0
        self._seen: dict[str, list[dict[str, Any]]] = {}

    def assign(self, given: str | None, incident: dict[str, Any], service: str | None) -> str | None:
        """The row's incident id, or None when it repeats an earlier id-less row field for field (drop it)."""
        if given:
            return f"{self.source}:{given}"
        base = content_id(self.source, incident, service)
        content = {**incident, "service": service}
        earlier = self._seen.setdefault(base, [])
        if content in earlier:
            self.exact_duplicates += 1
            return None
        earlier.append(content)
        self.made += 1
        return base if len(earlier) == 1 else f"{base}~{len(earlier)}"

    def notes(self) -> list[str]:
        """What the preview and the import summary say about the ids made and the rows dropped."""
        notes = []
        if self.made:
            notes.append(
                f"{counted(self.made, 'incident')} without an id: identified by source, title, times and service"
            )
        if self.exact_duplicates:
            notes.append(
                f"{counted(self.exact_duplicates, 'exact duplicate row')} without an id dropped (every field the same)"
            )
        return notes
