"""The frame's freshness line: when each synced source last succeeded, and a warning for each stale or failed one."""

from __future__ import annotations

import streamlit as st

from flowgauge.loaders.store import utc_now
from flowgauge.snapshot import SnapshotIdentity
from flowgauge.sync.freshness import SourceFreshness, read_freshness
from flowgauge.ui.connection import connections
from flowgauge.ui.text import plain


@st.cache_data(max_entries=16, ttl=600, show_spinner=False)
def source_freshness(identity: SnapshotIdentity) -> list[SourceFreshness]:
    """The snapshot's sync runs per source (a new sync writes a new file, so a new identity)."""
    with connections().cursor(identity) as cursor:
        return read_freshness(cursor)


def draw_freshness(identity: SnapshotIdentity) -> None:
    """On every page: one caption of last successful syncs, and a warning per source that is stale or failed."""
    sources = source_freshness(identity)
    if not sources:
        return  # a snapshot loaded by hand, not by `flowgauge sync`: nothing to say
    now = utc_now()
    synced = ", ".join(
        f"{s.name} {s.age_hours(now):,.0f} h ago" if s.last_success_at else f"{s.name} never" for s in sources
    )
    st.caption(plain(f"Last successful sync: {synced}."))
    for source in sources:
        warning = source.warning(now)
        if warning:
            # The error comes from a server or a file: text, never Markdown.
            st.warning(plain(warning), icon=":material/sync_problem:")
