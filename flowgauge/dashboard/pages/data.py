"""Data: the snapshots with their sources and freshness, data quality, metric definitions and file uploads."""

import streamlit as st

from flowgauge.access.gate import can
from flowgauge.access.roles import Role
from flowgauge.loaders.store import utc_now
from flowgauge.rules import describe_rules
from flowgauge.ui import cached, downloads, tables
from flowgauge.ui.empty_states import describe
from flowgauge.ui.frame import page_context
from flowgauge.ui.freshness import source_freshness
from flowgauge.ui.text import plain
from flowgauge.ui.upload import draw_upload

context = page_context()
view = context.view
st.title("Data")

# Uploading writes snapshots: editors and admins only (the import itself checks the role again).
uploads = can(Role.EDITOR)
snapshots_tab, quality_tab, definitions_tab, *upload_tab = st.tabs(
    ["Snapshots", "Data quality", "Definitions & rules", *(["Upload files"] if uploads else [])]
)

with snapshots_tab:
    summaries = cached.snapshot_summaries(context.data_dir, context.choices.snapshots)
    st.caption(f"Snapshot files in the data folder ({plain(context.data_dir)}); freshness is the last completed load.")
    downloads.table(tables.snapshots_table(summaries), "snapshots")
    current = summaries[view.snapshot]
    st.subheader(plain(f"{view.snapshot}.duckdb"))
    left, right = st.columns(2)
    with left:
        st.markdown("**Tables** (row counts and the UTC span of each table's main time column)")
        downloads.table(tables.table_spans(current), f"{view.snapshot}-tables")
    with right:
        st.markdown("**Sources** loaded into this snapshot")
        downloads.table(tables.sources_table(current), f"{view.snapshot}-sources")
    synced = source_freshness(context.identity)
    if synced:
        st.markdown("**Scheduled syncs** (`flowgauge sync`): each configured source's latest run")
        downloads.table(
            tables.sync_runs_table(synced, utc_now()),
            f"{view.snapshot}-syncs",
            column_config={"error": st.column_config.TextColumn(width="large")},
        )

with quality_tab:
    results = cached.results(context.identity, view.filters(), view.statistic)
    st.caption(
        f"For {describe(view)}: how many items each metric used, what it left out and why, and how it was "
        "measured where that differs from its main rule."
    )
    downloads.table(tables.quality_table(results), "data-quality")
    st.subheader("Left out by the rules")
    st.caption(
        "What the rules in force leave out of this snapshot's numbers, whatever the filters: deployments a load did "
        "not store or the metrics do not count as production, PRs of unknown authors and PRs titled like a bot's "
        "(left out with the bots)."
    )
    left_out = cached.rule_effects(context.identity)
    if left_out:
        downloads.table(tables.lines_table(left_out, "left out"), "left-out-by-rules")
    else:
        st.write("Nothing: every deployment is production under the rule, and every PR has a known author.")

with definitions_tab:
    st.subheader("Metric definitions")
    downloads.table(
        tables.definitions_table(),
        "metric-definitions",
        column_config={"definition": st.column_config.TextColumn(width="large")},
    )
    st.subheader("Rules in force")
    st.caption(
        "How deployments, incidents, PRs and bots are recognised, from load to metric; every number on every page "
        "uses these. They come from the rules file (flowgauge.rules.toml; see docs/rules.md)."
    )
    downloads.table(tables.described_rules_table(describe_rules(context.rules)), "rules")
    st.caption("As every result records them:")
    downloads.table(tables.rules_table(context.rules.linking.as_dict()), "linking-rules")
    st.subheader(f"Benchmark set: {plain(context.benchmark_set.name)}")
    st.caption(plain(context.benchmark_set.description))
    downloads.table(tables.benchmark_table(context.benchmark_set), "benchmark-set")

if uploads:
    with upload_tab[0]:
        draw_upload(context.data_dir, view.snapshot, context.choices.snapshots, context.rules.code_origin)
