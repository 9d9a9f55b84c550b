"""Progress events API loaders emit; the CLI turns them into rich progress bars."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ProgressEvent:
    """Items loaded so far in one repository's stream (total when the source says), and quota left."""

    repo_id: str
    stream: str
    items: int
    total: int | None
    quota: str
    finished: bool = False


ProgressCallback = Callable[[ProgressEvent], None]


def no_progress(event: ProgressEvent) -> None:
    """The default callback: ignore progress."""
