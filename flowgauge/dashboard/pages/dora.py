"""DORA: the four keys and deployment rework rate, the cluster the selection falls in, deployments and recovery."""

import streamlit as st

from flowgauge.metrics.benchmark_sets import DORA_KEYS, dora_cluster
from flowgauge.ui import cached, charts, downloads, previous_window, tables
from flowgauge.ui.empty_states import describe, show_empty
from flowgauge.ui.frame import page_context
from flowgauge.ui.scorecard import approximate_mark, approximate_notes, metric_card
from flowgauge.ui.text import plain

DORA_METRICS = (*DORA_KEYS, "deployment_rework_rate")
context = page_context()
view = context.view
st.title("DORA")
st.caption(f"{describe(view)} · {view.statistic}")

now, before = previous_window.results_and_previous(context.identity, view.filters(), view.statistic)
tiered = cached.tiered_results(context.identity, view.filters(), view.statistic, context.benchmark_set)
if now["deploy_frequency"].value is None:
    show_empty("deployments", now["deploy_frequency"].empty_reason, view, "deployments")
    st.stop()

for column, metric_id in zip([*st.columns(3), *st.columns(3)], DORA_METRICS, strict=False):
    with column:
        metric_card(
            now[metric_id],
            (before or {}).get(metric_id),
            context.benchmark_set,
            previous_label=f"previous {view.days} days",
            tiered=tiered[metric_id],
        )
if before is None:
    previous_window.measuring_note(context.identity, view.filters(), view.days)
bucket = now["deploy_frequency"].details.get("dora_bucket")
if bucket:
    st.caption(
        f"Deployment frequency in DORA's answer buckets: **{bucket}**."
        + "".join(f" {plain(note)}." for note in approximate_notes(now["deploy_frequency"]))
    )

st.subheader("DORA cluster")
dora_set = cached.dora_set(str(context.data_dir / "benchmarks"), view.benchmark_set)
at_set_statistic = cached.results(context.identity, view.filters(), dora_set.statistic, DORA_KEYS)
cluster = dora_cluster({key: result.value for key, result in at_set_statistic.items()}, dora_set)
if cluster is None:
    st.info(f"None of the four keys has a value to place in {plain(dora_set.name)}'s clusters.")
else:
    colour, icon = charts.tier_badge(cluster.rank, len(dora_set.tier_names))
    st.badge(f"{plain(cluster.name)} performer", color=colour, icon=icon)
    parts = [
        f"{plain(at_set_statistic[key].name)}: {plain(tier.name)} "
        f"({charts.format_value(at_set_statistic[key].value, at_set_statistic[key].unit)})"
        for key, tier in cluster.tiers.items()
    ]
    st.caption(
        f"The worst cluster any key falls in, against {plain(dora_set.name)} at the {dora_set.statistic} "
        f"({'; '.join(parts)})." + (f" Not placed: {plain(', '.join(cluster.missing))}." if cluster.missing else "")
    )
    marked = {key: found for key in cluster.tiers if (found := approximate_notes(at_set_statistic[key]))}
    if marked:
        notes = list(dict.fromkeys(note for found in marked.values() for note in found))
        names = ", ".join(plain(at_set_statistic[key].name) for key in marked)
        st.markdown(f"{approximate_mark(notes)} :small[:gray[({names})]]")

st.subheader("Deployments and incidents")
deployments = cached.deployment_rows(context.identity, view.filters())
incidents = cached.incident_rows(context.identity, view.filters())
downloads.chart(charts.deployment_timeline(deployments, incidents), "deployment-timeline")

st.subheader("Recovery times")
left, right = st.columns(2)
failed = tables.values_where(deployments, "hours_to_next_success", "failed")
with left:
    st.markdown("**Failed deployment → next successful deployment** (hours)")
    if failed:
        downloads.chart(charts.distribution(failed, "Recovery", "hours", charts.TIER_COLOURS[2]), "recovery-times")
    else:
        show_empty("failed deployments", None, view)
with right:
    st.markdown("**Incident opened → resolved** (hours)")
    resolved = tables.values_where(incidents, "hours_to_resolve")
    if resolved:
        downloads.chart(charts.distribution(resolved, "Incidents", "hours", charts.TIER_COLOURS[3]), "incident-times")
    else:
        show_empty("resolved incidents", None, view, "incidents")

with st.expander("Deployments", expanded=False):
    downloads.table(deployments, "deployments", column_config={"url": st.column_config.LinkColumn("link")})
with st.expander("Incidents", expanded=False):
    downloads.table(incidents, "incidents", column_config={"url": st.column_config.LinkColumn("link")})
