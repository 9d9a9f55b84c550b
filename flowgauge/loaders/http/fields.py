"""Reading API items field by field: a missing optional field becomes None and is counted, an item missing a
field its row cannot be built without is skipped and counted with the reason.

APIs change and self-hosted servers lag behind (a GitLab deployment without `updated_at`, a GitHub Enterprise
run without `run_started_at`), so a loader never indexes a response with `item["key"]`: it reads through an
`Item`, and what the response lacked ends in the load summary instead of a KeyError.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Skipped items named in one summary line; the rest are counted only.
NAMED_SKIPS = 5


class SkipItem(Exception):  # noqa: N818 - a signal to skip one item, not an error of the load
    """An item lacks a field its row cannot be built without."""

    def __init__(self, stream: str, path: str) -> None:
        super().__init__(f"{stream}: no {path}")
        self.stream = stream
        self.path = path


@dataclass
class FieldNotes:
    """What API items lacked in one load: optional fields per stream, and the items skipped for a required one."""

    missing: dict[str, dict[str, int]] = field(default_factory=dict)
    skipped: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def note_missing(self, stream: str, path: str) -> None:
        """Count one item of stream without the optional field path."""
        fields = self.missing.setdefault(stream, {})
        fields[path] = fields.get(path, 0) + 1

    def note_skipped(self, skip: SkipItem, where: str) -> None:
        """Count one item skipped for lack of a required field; where names it (id, number or position)."""
        self.skipped.setdefault(skip.stream, {}).setdefault(skip.path, []).append(where)

    def merge(self, other: FieldNotes) -> None:
        """Add what another part of the same load noted."""
        for stream, fields in other.missing.items():
            for path, count in fields.items():
                mine = self.missing.setdefault(stream, {})
                mine[path] = mine.get(path, 0) + count
        for stream, reasons in other.skipped.items():
            for path, items in reasons.items():
                self.skipped.setdefault(stream, {}).setdefault(path, []).extend(items)

    def skipped_count(self, stream: str) -> int:
        """Items of stream skipped, all reasons together."""
        return sum(len(items) for items in self.skipped.get(stream, {}).values())

    def lines(self) -> list[str]:
        """One summary line per stream and field: 'deployments: 3 without updated_at'."""
        out = []
        for stream, fields in sorted(self.missing.items()):
            out += [f"{stream}: {count:,} without {path}" for path, count in sorted(fields.items())]
        for stream, reasons in sorted(self.skipped.items()):
            for path, items in sorted(reasons.items()):
                more = len(items) - NAMED_SKIPS
                named = ", ".join(items[:NAMED_SKIPS]) + (f" and {more:,} more" if more > 0 else "")
                out.append(f"{stream}: {len(items):,} skipped, no {path} ({named})")
        return out


_ABSENT = object()


class Item:
    """One JSON object of an API response, read by path; what it lacks is noted in a FieldNotes under stream.

    - `extra` is for fields some answers leave out by design: nothing is counted.
    - `get` is for fields whose null has a meaning (mergedAt of an open PR): only an absent key is counted.
    - `want` is for fields the row needs a value from but can do without: absent or null are counted.
    - `need` is for fields the row cannot be built without: absent or null raise SkipItem.
    Each field is counted once per item however often it is read.
    """

    def __init__(self, data: Any, notes: FieldNotes | None, stream: str, prefix: str = "") -> None:
        self.data = data if isinstance(data, dict) else {}
        self.notes = notes if notes is not None else FieldNotes()
        self.stream = stream
        self.prefix = prefix
        self._noted: set[str] = set()

    def _lookup(self, keys: tuple[str, ...]) -> tuple[Any, str | None]:
        """(value, path of the first absent key or None); a null on the way ends the walk with None."""
        value: Any = self.data
        for depth, key in enumerate(keys):
            if not isinstance(value, dict):
                return None, None
            if key not in value:
                return None, self._path(keys[: depth + 1])
            value = value[key]
            if value is None:
                return None, None
        return value, None

    def _path(self, keys: tuple[str, ...]) -> str:
        return self.prefix + ".".join(keys)

    def _note(self, path: str) -> None:
        if path not in self._noted:
            self._noted.add(path)
            self.notes.note_missing(self.stream, path)

    def extra(self, *keys: str) -> Any:
        """The value at the path, or None, never counted: for fields some answers leave out by design (GitLab's
        list endpoints omit a pipeline's started_at and a commit's stats)."""
        return self._lookup(keys)[0]

    def get(self, *keys: str) -> Any:
        """The value at the path, or None; an absent key is counted, a null is not."""
        value, absent = self._lookup(keys)
        if absent is not None:
            self._note(absent)
        return value

    def want(self, *keys: str) -> Any:
        """The value at the path, or None; absent or null is counted."""
        value, absent = self._lookup(keys)
        if value is None:
            self._note(absent or self._path(keys))
        return value

    def need(self, *keys: str) -> Any:
        """The value at the path; absent or null raises SkipItem naming the field."""
        value, absent = self._lookup(keys)
        if value is None:
            raise SkipItem(self.stream, absent or self._path(keys))
        return value

    def sub(self, *keys: str) -> Item:
        """The object at the path as an Item (empty when absent or null), counting under the same stream."""
        return Item(self.get(*keys), self.notes, self.stream, self._path(keys) + ".")

    def each(self, *keys: str, stream: str | None = None) -> list[Item]:
        """The objects of the list at the path as Items (nulls left out); an absent list is counted."""
        values = self.get(*keys)
        if not isinstance(values, list):
            return []
        if stream is not None:
            return [Item(v, self.notes, stream) for v in values if isinstance(v, dict)]
        prefix = self._path(keys) + "[]."
        return [Item(v, self.notes, self.stream, prefix) for v in values if isinstance(v, dict)]
