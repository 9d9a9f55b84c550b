"""The change against the previous window on a snapshot whose facts were never prepared: measured once the view is
drawn, then drawn in its turn.

A never-prepared snapshot (copied in by hand, or after an upgrade changed the facts' cache key) has no kept facts, so
its first view stages its own window's. Staging the previous window's too, before drawing, made the first view at a
million PRs take twice as long (bench/README.md, session 13). The Overview therefore draws its window's values
first, says the change is being measured, and measures the previous window on a background thread once the browser
has drawn the page: the first poll of the fragment below comes from the browser a second after it drew the page,
so the measurement never takes the cores the page and the browser are still using.
"""

from __future__ import annotations

import streamlit as st

from flowgauge.metrics import Filters, MetricResult
from flowgauge.snapshot import SnapshotIdentity
from flowgauge.ui import cached
from flowgauge.ui.text import plain

POLL_SECONDS = 1.0
_POLLS = "fg_previous_window_polls"
_VIEW = "fg_previous_window_view"


def results_and_previous(
    identity: SnapshotIdentity, filters: Filters, statistic: str
) -> tuple[dict[str, MetricResult], dict[str, MetricResult] | None]:
    """Each metric over the selection, and over the previous window; the latter None when the snapshot's facts are
    not kept and the previous window is not measured yet (call measuring_note once the view is drawn)."""
    if cached.whole_facts_kept(identity, filters):
        return cached.results_with_previous(identity, filters, statistic)
    now = cached.results(identity, filters, statistic)
    return now, cached.previous_results_if_measured(identity, filters, statistic)


def measuring_note(identity: SnapshotIdentity, filters: Filters, days: int) -> None:
    """Say the change against the previous window is being measured; start measuring it once the browser has drawn
    the view, and run the page again when it is measured."""
    view = (identity, filters)
    if st.session_state.get(_VIEW) != view:
        st.session_state[_VIEW] = view
        st.session_state[_POLLS] = 0
    _until_measured(identity, filters, days)


@st.fragment(run_every=POLL_SECONDS)
def _until_measured(identity: SnapshotIdentity, filters: Filters, days: int) -> None:
    polls = st.session_state.get(_POLLS, 0)
    st.session_state[_POLLS] = polls + 1
    # The fragment also runs inline in the page's run: only a later run of the same view (a poll, sent by the browser
    # once it has drawn the page, or the page run again) starts the measurement.
    if polls:
        future = cached.previous_results_later(identity, filters)
        if future.done():
            error = future.exception()
            if error is None:
                st.rerun()  # the whole page, which finds the previous window measured and draws each change
            st.caption(plain(f"The change against the previous {days} days could not be measured: {error}"))
            return
    st.caption(f"Change against the previous {days} days: measuring…")
