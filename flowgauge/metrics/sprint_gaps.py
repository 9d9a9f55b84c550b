"""What a snapshot's sprints lack for planning accuracy (sprint dates, a changelog), in words that say what to load."""

from __future__ import annotations

from collections.abc import Mapping

TO_DATE_SPRINTS = (
    "import a sprint calendar beside the Jira CSV export (flowgauge import --template sprints; docs/imports.md) "
    "or load the sprints with the Jira loader (flowgauge snapshot jira; docs/loaders-api.md)"
)
NO_SPRINTS = (
    "no sprint data in this snapshot: import a Jira export with a sprint calendar (docs/imports.md) or load "
    "sprints with the Jira loader (flowgauge snapshot jira; docs/loaders-api.md)"
)


def _undated(count: int, which: str = "", where: str = "") -> str:
    """'12 sprints in this snapshot have no dates: ...' / '1 other sprint has no dates: ...'."""
    many = count != 1
    noun = f"{count:,} {which}sprint{'s' if many else ''}{where}"
    return f"{noun} {'have' if many else 'has'} no dates: {TO_DATE_SPRINTS}"


def empty_reason(available: Mapping[str, int], nothing_selected: str) -> str | None:
    """Why planning accuracy is empty when sprint dates are the cause: no sprint is dated ('12 sprints in this
    snapshot have no dates: ...'), or none ended in the selection and some have no dates; else None."""
    undated = int(available.get("undated_sprints") or 0)
    if not undated:
        return None
    if not available.get("dated_sprints"):
        return _undated(undated, where=" in this snapshot")
    return f"{nothing_selected}, and {_undated(undated, which='other ')}"
