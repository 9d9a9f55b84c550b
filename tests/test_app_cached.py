"""The app's aggregates are kept per values source and the filters it reads, and always equal the engine's."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from close_values import same_values

from flowgauge.metrics import DEFAULT_RULES, METRICS, Filters
from flowgauge.metrics.engine import aggregate_selection, sources_of
from flowgauge.snapshot import open_snapshot
from flowgauge.ui import cached
from flowgauge.ui.connection import connections
from flowgauge.ui.part_cache import PartCache

# A window no other test asks for: the store of parts lives as long as the process.
WINDOW = Filters(date(2026, 4, 3), date(2026, 6, 27))


def test_a_bots_toggle_recomputes_only_the_sources_that_read_bots(app_data_dir, monkeypatch):
    identity = connections().identity(app_data_dir / "demo.duckdb")
    asked: list[set[str]] = []
    aggregate_sources = cached.aggregate_sources

    def recording(con, sources, *arguments):
        asked.append(set(sources))
        return aggregate_sources(con, sources, *arguments)

    monkeypatch.setattr(cached, "aggregate_sources", recording)
    pr_sources = {"pr_values", "pr_open_values"}

    def aggregates(filters):
        """The view's aggregates, and the source sets they were computed in (sorted)."""
        asked.clear()
        result = cached.aggregates(identity, filters, ("week",), DEFAULT_RULES, True, None)
        # The PR sources are aggregated on one cursor and the others on a second at once (cached._PR_SOURCES).
        assert all(sources <= pr_sources or not sources & pr_sources for sources in asked), asked
        return result, sorted(asked, key=sorted)

    bots_out, computed = aggregates(WINDOW)
    assert computed == [set(sources_of(METRICS)) - pr_sources, pr_sources]
    bots_in, computed = aggregates(replace(WINDOW, include_bots=True))
    assert computed == [{"code_values"}, pr_sources]  # only the sources that read the bot rule
    again, computed = aggregates(WINDOW)
    assert computed == []  # every part kept
    assert again == bots_out
    con = open_snapshot(app_data_dir / "demo.duckdb")
    try:
        for filters, shown in ((WINDOW, bots_out), (replace(WINDOW, include_bots=True), bots_in)):
            direct = aggregate_selection(con, filters, groupings=("week",))
            assert shown.filters == filters
            assert shown.notes == direct.notes and shown.available == direct.available
            assert same_values(shown.rows, direct.rows) and same_values(shown.by_group, direct.by_group)
    finally:
        con.close()
    # The fixture's bot merged PRs: the toggle is a different selection, not a cache hit on the same one.
    assert bots_in.rows[("merge_frequency", None)]["num"] > bots_out.rows[("merge_frequency", None)]["num"]
    assert bots_in.rows[("deploy_frequency", None)] == bots_out.rows[("deploy_frequency", None)]


def test_the_part_store_drops_the_least_recently_used_and_the_expired(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("flowgauge.ui.part_cache.time.monotonic", lambda: clock[0])
    store = PartCache(max_entries=2, ttl_seconds=10)
    store.put("a", 1)
    store.put("b", 2)
    assert store.get("a") == 1  # now "b" is the least recently used
    store.put("c", 3)
    assert (store.get("a"), store.get("b"), store.get("c"), len(store)) == (1, None, 3, 2)
    clock[0] += 5
    store.put("d", 4)  # "a" goes: "c" was used after it
    clock[0] += 5.5  # "c" was stored 10.5 s ago, "d" 5.5 s ago
    assert (store.get("c"), store.get("d"), len(store)) == (None, 4, 1)
