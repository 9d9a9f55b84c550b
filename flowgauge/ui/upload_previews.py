"""Upload previews kept in the uploading session only, for a few minutes, and only for the files uploaded now.

Every widget change reruns the Data page, and parsing a large export again each time would make the upload flow
slow; but a process-wide cache would keep parsed uploads in a shared server's memory after their users left, and
hand one session's parsed file to another that uploads the same bytes. So the previews live in the session's own
state: a file removed from the uploader (or the session ending) frees its preview, and a preview older than
PREVIEW_TTL_S is parsed again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, MutableMapping, Sequence
from time import monotonic

import streamlit as st

from flowgauge.loaders.imports import ImportPreview, preview_import
from flowgauge.rules.code_origin import DEFAULT_CODE_ORIGIN, CodeOriginRules

PREVIEW_TTL_S = 600.0
# Previews kept at most per session: more files than this in one upload are parsed again on each rerun.
MAX_PREVIEWS = 8
SESSION_KEY = "fg_upload_previews"

PreviewKey = tuple[str, str, str, str]  # (file name, kind, date order or "", SHA-256 of the bytes)
Parse = Callable[[str, bytes, str, str | None], ImportPreview]


def session_previews(
    files: Sequence[tuple[str, bytes]],
    kind: str,
    date_order: str | None,
    code_origin: CodeOriginRules = DEFAULT_CODE_ORIGIN,
) -> list[ImportPreview]:
    """The preview of each uploaded (name, bytes) file, reusing this session's recent previews; PR exports are
    classified by code_origin, the rules in force."""
    kept = st.session_state.get(SESSION_KEY) or {}

    def parse(name: str, data: bytes, kind: str, date_order: str | None) -> ImportPreview:
        return preview_import(name, data, kind, date_order=date_order, code_origin=code_origin)

    previews, keep = previews_for(kept, files, kind, date_order, monotonic(), parse)
    st.session_state[SESSION_KEY] = keep
    return previews


def forget_previews() -> None:
    """Drop this session's previews (after an import, the files are done with)."""
    st.session_state.pop(SESSION_KEY, None)


def previews_for(
    kept: MutableMapping[PreviewKey, tuple[float, ImportPreview]],
    files: Sequence[tuple[str, bytes]],
    kind: str,
    date_order: str | None,
    now: float,
    parse: Parse,
) -> tuple[list[ImportPreview], dict[PreviewKey, tuple[float, ImportPreview]]]:
    """(previews of files, the entries to keep): each file's kept preview when younger than PREVIEW_TTL_S, else a
    fresh parse; only the first MAX_PREVIEWS files' entries are kept, and nothing of files not in this upload."""
    previews, keep = [], {}
    for name, data in files:
        key = (name, kind, date_order or "", hashlib.sha256(data).hexdigest())
        stored = kept.get(key)
        if stored is None or now - stored[0] >= PREVIEW_TTL_S:
            stored = (now, parse(name, data, kind, date_order))
        if len(keep) < MAX_PREVIEWS:
            keep[key] = stored
        previews.append(stored[1])
    return previews, keep
