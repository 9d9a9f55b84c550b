"""Published benchmark sets (LinearB, DORA) and the user's own, as data: load them and place a value in a tier."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from flowgauge.metrics.benchmark_files import (
    CONFIDENCES,
    DIRECTIONS,
    METRICS,
    STATISTICS,
    BenchmarkFileError,
    line_of,
    parse_benchmark_file,
)

__all__ = [
    "CONFIDENCES",
    "DEFAULT_SET_ID",
    "DIRECTIONS",
    "DORA_KEYS",
    "LATEST_SET_ID",
    "METRICS",
    "STATISTICS",
    "Band",
    "BenchmarkFileError",
    "BenchmarkSet",
    "DoraCluster",
    "Tier",
    "dora_cluster",
    "load_benchmark_sets",
    "read_benchmark_set",
    "user_sets_folder",
]

# Latest published: every metric against the newest band LinearB or DORA published for it (LinearB 2026 at P75
# where it has one, LinearB 2024/2025 and DORA 2021/2024 elsewhere), each card naming the edition; built from the
# shipped sets by flowgauge.metrics.latest_published. The single-year sets stay selectable.
LATEST_SET_ID = "latest-published"
DEFAULT_SET_ID = LATEST_SET_ID

DORA_KEYS = ("deploy_frequency", "lead_time_for_changes", "change_failure_rate", "failed_deployment_recovery_time")


@dataclass(frozen=True)
class Band:
    """One metric's tier boundaries in one set; a value exactly on a boundary falls in the worse tier."""

    metric_id: str
    unit: str
    statistic: str
    direction: str  # 'lower' or 'higher' is better
    thresholds: tuple[float, ...]  # ascending boundaries between tiers (len = tiers - 1)
    tier_names: tuple[str, ...]  # best first
    source_url: str
    confidence: str  # 'primary' | 'secondary' | 'inferred'
    note: str = ""
    # The publication the band was read from (a composite set such as Latest published keeps each band's own).
    origin_set_id: str = ""
    origin_name: str = ""
    publisher: str = ""
    year: int | None = None

    def rank(self, value: float) -> int:
        """Index into tier_names (0 = best) of the tier value falls in."""
        if self.direction == "lower":
            # value < t1 -> 0; t1 <= value < t2 -> 1; ...; value >= t_last -> last
            return bisect_right(self.thresholds, value)
        # Mirrored: value > t_last -> 0; ...; t1 < value <= t2 -> tiers - 2; value <= t1 -> last
        return len(self.thresholds) - bisect_left(self.thresholds, value)

    def classify(self, value: float | None) -> Tier | None:
        """The tier value falls in, or None when there is no value (None or NaN)."""
        if value is None or math.isnan(value):
            return None
        rank = self.rank(value)
        return Tier(self.tier_names[rank], rank, self)


@dataclass(frozen=True)
class Tier:
    """Where one value falls in one band: name and rank index band.tier_names (0 = best)."""

    name: str
    rank: int
    band: Band


@dataclass(frozen=True)
class BenchmarkSet:
    """One publication's thresholds at one statistic (or a team's own targets), read from one TOML file."""

    set_id: str
    name: str
    publisher: str
    year: int
    statistic: str | None  # the statistic its distribution bands use; rates always use 'rate'
    tier_names: tuple[str, ...]
    source_url: str
    confidence: str
    description: str
    path: Path
    bands: Mapping[str, Band] = field(hash=False)
    # Metrics the publication covers but this set deliberately leaves out, with the reason (shown to users).
    omitted: Mapping[str, str] = field(default_factory=dict, hash=False)
    # Metrics no publication has a band for: said once in the scorecard's legend, not on each card (composite sets).
    unpublished: tuple[str, ...] = ()
    headline: str = ""  # a composite set: the publication most of its bands come from, which cards are read against

    def differs_from_headline(self, band: Band) -> str:
        """'' when band comes from this set's own publication; else how it differs ('another publisher', 'an
        earlier edition'), for a composite set whose bands come from several publications."""
        if band.publisher and band.publisher != self.publisher:
            return "another publisher"
        if band.year is not None and band.year != self.year:
            return "an earlier edition" if band.year < self.year else "a later edition"
        return ""

    def band(self, metric_id: str) -> Band | None:
        """This set's band for metric_id, or None when the set has no benchmark for it."""
        return self.bands.get(metric_id)

    def classify(self, metric_id: str, value: float | None) -> Tier | None:
        """The tier of value for metric_id; None when this set has no benchmark for it or there is no value."""
        band = self.bands.get(metric_id)
        return None if band is None else band.classify(value)


@dataclass(frozen=True)
class DoraCluster:
    """The DORA cluster a selection falls in: the worst cluster among the keys that have a value."""

    name: str
    rank: int  # index into the set's tier_names (0 = Elite)
    tiers: Mapping[str, Tier] = field(hash=False)  # the keys used, each with its own tier
    missing: tuple[str, ...] = ()  # DORA keys without a value or without a band in the set


def dora_cluster(values: Mapping[str, float | None], benchmark_set: BenchmarkSet) -> DoraCluster | None:
    """The cluster whose thresholds the selection meets on every DORA key it has a value for; None if no key has."""
    tiers: dict[str, Tier] = {}
    missing: list[str] = []
    for metric_id in DORA_KEYS:
        band = benchmark_set.band(metric_id)
        tier = band.classify(values.get(metric_id)) if band is not None else None
        # A band with its own tier names (a partial band) has ranks that do not line up with the clusters.
        if tier is None or band.tier_names != benchmark_set.tier_names:
            missing.append(metric_id)
        else:
            tiers[metric_id] = tier
    if not tiers:
        return None
    worst = max(tier.rank for tier in tiers.values())
    return DoraCluster(benchmark_set.tier_names[worst], worst, tiers, tuple(missing))


def user_sets_folder(data_folder: Path) -> Path:
    """Where a user's own sets live: `benchmarks/` in the data folder, beside the snapshots (app, report, config)."""
    return Path(data_folder) / "benchmarks"


def load_benchmark_sets(user_dir: Path | None = None) -> dict[str, BenchmarkSet]:
    """Every shipped set plus each *.toml in user_dir (a missing folder adds none), keyed by set_id (read-only)."""
    sets = dict(_shipped_sets())
    if user_dir is None:
        return sets
    user_dir = Path(user_dir).expanduser()
    if not user_dir.exists():
        return sets
    if not user_dir.is_dir():
        raise BenchmarkFileError(f"{user_dir}: the benchmark folder is a file, not a folder")
    for path in sorted(user_dir.glob("*.toml")):
        _add(sets, path, _read_text(path))
    return sets


def read_benchmark_set(path: Path, text: str) -> BenchmarkSet:
    """The set defined by one file's text; raises BenchmarkFileError naming path, line and key."""
    parsed = parse_benchmark_file(path, text)
    origin = {
        "origin_set_id": parsed.fields["set_id"],
        "origin_name": parsed.fields["name"],
        "publisher": parsed.fields["publisher"],
        "year": parsed.fields["year"],
    }
    bands = {metric_id: Band(**fields, **origin) for metric_id, fields in parsed.bands.items()}
    return BenchmarkSet(**parsed.fields, path=path, bands=bands, omitted=parsed.omitted)


@cache
def _shipped_sets() -> tuple[tuple[str, BenchmarkSet], ...]:
    # Package data does not change while the process runs, so it is parsed once.
    sets: dict[str, BenchmarkSet] = {}
    folder = resources.files("flowgauge.metrics").joinpath("benchmarks")
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if entry.name.endswith(".toml"):
            _add(sets, Path(str(entry)), entry.read_text(encoding="utf-8"))
    from flowgauge.metrics.latest_published import latest_published  # it builds on the sets read above

    composite = latest_published(sets.values())
    return ((composite.set_id, composite), *sets.items())


def _add(sets: dict[str, BenchmarkSet], path: Path, text: str) -> None:
    benchmark_set = read_benchmark_set(path, text)
    existing = sets.get(benchmark_set.set_id)
    if existing is not None:
        raise BenchmarkFileError(
            f"{path}:{line_of(text, ('set',), 'id')}: set.id: '{benchmark_set.set_id}' is already defined "
            f"in {existing.path}"
        )
    sets[benchmark_set.set_id] = benchmark_set


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise BenchmarkFileError(f"{path}:1: not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise BenchmarkFileError(f"{path}: cannot read the file ({error.strerror})") from None
