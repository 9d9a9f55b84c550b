"""The "Latest published" benchmark set: for each metric, the newest band LinearB or DORA published, kept as it was
published (thresholds, statistic, tier names, source, confidence) and naming the edition it came from."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from flowgauge.metrics.benchmark_files import CONFIDENCES, METRICS
from flowgauge.metrics.benchmark_sets import LATEST_SET_ID, Band, BenchmarkSet

# The publishers whose shipped sets it draws on; a team's own targets are never mixed into it.
PUBLISHERS = ("LinearB", "DORA (Google Cloud)")


def latest_published(sets: Iterable[BenchmarkSet]) -> BenchmarkSet:
    """A set holding, for every metric some publication bands, the band of the most recent one; the others are
    listed as unpublished. The headline is the newest publication (with the most bands in a tie)."""
    sources = [benchmark_set for benchmark_set in sets if benchmark_set.publisher in PUBLISHERS]
    if not sources:
        raise ValueError("no LinearB or DORA set to build the Latest published set from")
    headline = max(sources, key=lambda candidate: (candidate.year, len(candidate.bands)))
    bands: dict[str, Band] = {}
    for metric_id in METRICS:
        candidates = [source for source in sources if source.band(metric_id) is not None]
        if candidates:
            newest = max(candidates, key=lambda source: _preference(source, metric_id, headline))
            bands[metric_id] = newest.bands[metric_id]
    editions = sorted({(band.year or 0, band.origin_name) for band in bands.values()}, reverse=True)
    return BenchmarkSet(
        set_id=LATEST_SET_ID,
        name="Latest published",
        publisher=headline.publisher,
        year=headline.year,
        statistic=None,  # each band keeps the statistic it was published at
        tier_names=headline.tier_names,
        source_url=headline.source_url,
        confidence=headline.confidence,
        description=(
            f"Each metric against the most recent band published for it, read against {headline.name}: "
            + ", ".join(name for _, name in editions)
            + ". A band keeps its own statistic, tier names and confidence."
        ),
        path=Path(__file__),
        bands=bands,
        unpublished=tuple(metric_id for metric_id in METRICS if metric_id not in bands),
        headline=headline.name,
    )


def _preference(source: BenchmarkSet, metric_id: str, headline: BenchmarkSet) -> tuple:
    # Newest first; in one year (LinearB 2024's P75 and Average columns print the same rate bands) the surer band,
    # then the headline's statistic (LinearB compares at P75 since 2024), then the band with more tiers.
    band = source.bands[metric_id]
    return (
        source.year,
        -CONFIDENCES.index(band.confidence),
        source.statistic == headline.statistic,
        len(band.thresholds),
        source.set_id,
    )
