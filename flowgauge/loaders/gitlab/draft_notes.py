"""A merge request's draft history from GitLab's system notes, in every wording GitLab has used.

GitLab records no draft events of its own in the API; it writes a system note each time an MR is marked a draft or
ready, and the wording changed over the years:

  * 'marked as a **Work In Progress**' / 'unmarked as a **Work In Progress**'   (until 13.x: WIP)
  * 'marked as a **Draft**' / 'unmarked as a **Draft**'                         (13.x, after the WIP rename)
  * 'marked this merge request as **draft**' / '... as **ready**'               (14.x on; older instances and
    imports without the bold markup)

Markdown emphasis is dropped and case ignored before matching, so each appears with or without its markup.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flowgauge.loaders.github.mapping import parse_time

DRAFT, READY = "draft", "ready"
_STATE = r"(?:a )?(?:draft|wip|work in progress)"
_MADE_DRAFT = re.compile(rf"^marked (?:this merge request )?as {_STATE}$")
_MADE_READY = re.compile(rf"^(?:marked (?:this merge request )?as ready|unmarked (?:this merge request )?as {_STATE})$")
_MARKUP = re.compile(r"[*_`]")


def draft_event(note: dict[str, Any]) -> str | None:
    """DRAFT or READY when the note is a system note marking the MR so, else None."""
    if not note.get("system"):
        return None
    text = " ".join(_MARKUP.sub("", note.get("body") or "").lower().split()).rstrip(".")
    if _MADE_DRAFT.match(text):
        return DRAFT
    if _MADE_READY.match(text):
        return READY
    return None


def ready_for_review_at(
    mr: dict[str, Any], notes: list[dict[str, Any]], created_at: datetime | None
) -> datetime | None:
    """First time the MR left draft, as GitHub's ready-for-review event gives it: created_at if it was opened ready
    (its first draft note marks it a draft), the first 'ready' note if it was opened as a draft, NULL while it is
    still a first draft."""
    events = sorted(
        (
            (parse_time(note["created_at"]), kind)
            for note in notes
            if (kind := draft_event(note)) and note.get("created_at")
        ),
        key=lambda event: event[0],
    )
    if events and events[0][1] == DRAFT:
        return created_at  # opened ready, made a draft later
    ready = [at for at, kind in events if kind == READY]
    if ready:
        return ready[0]
    return None if mr.get("draft", mr.get("work_in_progress")) else created_at
