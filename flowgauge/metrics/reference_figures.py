"""Published figures that are not bands (LinearB 2026's AI findings): values and ratios to read a team's own
numbers against, never a tier. Read from flowgauge/metrics/reference/*.toml."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from flowgauge.metrics.benchmark_files import CONFIDENCES, BenchmarkFileError, line_of

KINDS = ("value", "ratio")  # a published value of a metric, or the ratio of a metric between two origins
ORIGINS = ("agentic", "ai_assisted", "unassisted")  # Flowgauge's code origins a figure can be about
_SOURCE_KEYS = ("id", "name", "publisher", "year", "source_url", "confidence")
_FIGURE_KEYS = {"label", "metric_id", "kind", "value", "unit", "origins", "baseline_origins", "note", "confidence"}


@dataclass(frozen=True)
class ReferenceFigure:
    """One published figure: a value (32.7 % acceptance) or a ratio between origins (4.6 times the pickup time)."""

    figure_id: str  # "<source id>.<figure key>", e.g. "linearb-2026-ai.pickup_time_ai_vs_unassisted"
    label: str
    kind: str  # 'value' | 'ratio'
    value: float
    unit: str  # the metric's unit for a value; 'times' for a ratio (origins' metric ÷ baseline origins' metric)
    metric_id: str | None  # the Flowgauge metric it is about; None when Flowgauge has no such metric
    origins: tuple[str, ...]  # the PRs it describes, as Flowgauge's origins
    baseline_origins: tuple[str, ...]  # a ratio's denominator; () for a value
    source_name: str
    publisher: str
    year: int
    source_url: str
    confidence: str  # 'primary' | 'secondary' | 'inferred'
    note: str = ""

    def ratio_text(self, ours: float | None) -> str:
        """'3.1x here; 4.6x in LinearB 2026 (AI productivity edition) (secondary)', or the published one alone."""
        published = f"{self.value:g}x in {self.source_name} ({self.confidence})"
        return published if ours is None or math.isnan(ours) else f"{ours:.1f}x here; {published}"


def reference_figures() -> dict[str, ReferenceFigure]:
    """Every shipped reference figure, keyed by figure_id (shared: treat as read-only)."""
    return dict(_shipped())


def figures_for(metric_id: str) -> list[ReferenceFigure]:
    """The reference figures about one metric (e.g. 'pickup_time': the AI and agentic pickup ratios)."""
    return [figure for figure in _shipped_values() if figure.metric_id == metric_id]


def read_reference_file(path: Path, text: str) -> list[ReferenceFigure]:
    """The figures of one file's text; raises BenchmarkFileError naming path, line and key of the first problem."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise BenchmarkFileError(f"{path}: invalid TOML: {error}") from None

    def fail(table: tuple[str, ...], key: str | None, problem: str) -> BenchmarkFileError:
        name = ".".join((*table, key) if key else table)
        return BenchmarkFileError(f"{path}:{line_of(text, table, key)}: {name}: {problem}")

    source = document.get("source")
    if not isinstance(source, dict):
        raise fail(("source",), None, "missing table [source]")
    for key in _SOURCE_KEYS:
        if key not in source:
            raise fail(("source",), None, f"missing key '{key}'")
    if source["confidence"] not in CONFIDENCES:
        raise fail(("source",), "confidence", f"must be one of {', '.join(CONFIDENCES)}")
    figures = []
    for key, entry in (document.get("figures") or {}).items():
        where = ("figures", key)
        unknown = set(entry) - _FIGURE_KEYS
        if unknown:
            raise fail(where, sorted(unknown)[0], f"unknown key (known: {', '.join(sorted(_FIGURE_KEYS))})")
        if entry.get("kind") not in KINDS:
            raise fail(where, "kind", f"must be one of {', '.join(KINDS)}; got {entry.get('kind')!r}")
        value = entry.get("value")
        if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value) or value <= 0:
            raise fail(where, "value", f"must be a positive number; got {value!r}")
        origins = _origins(entry.get("origins"), where, "origins", fail)
        baseline = _origins(entry.get("baseline_origins", []), where, "baseline_origins", fail)
        if (entry["kind"] == "ratio") != bool(baseline):
            raise fail(where, "baseline_origins", "a ratio needs baseline_origins, a value has none")
        confidence = entry.get("confidence", source["confidence"])
        if confidence not in CONFIDENCES:
            raise fail(where, "confidence", f"must be one of {', '.join(CONFIDENCES)}")
        figures.append(
            ReferenceFigure(
                figure_id=f"{source['id']}.{key}",
                label=str(entry.get("label", key)),
                kind=entry["kind"],
                value=float(value),
                unit=str(entry.get("unit", "times")),
                metric_id=entry.get("metric_id"),
                origins=origins,
                baseline_origins=baseline,
                source_name=source["name"],
                publisher=source["publisher"],
                year=int(source["year"]),
                source_url=source["source_url"],
                confidence=confidence,
                note=str(entry.get("note", "")).strip(),
            )
        )
    return figures


def _origins(value: Any, where: tuple[str, ...], key: str, fail) -> tuple[str, ...]:
    if not isinstance(value, list) or any(origin not in ORIGINS for origin in value):
        raise fail(where, key, f"must list origins among {', '.join(ORIGINS)}; got {value!r}")
    return tuple(value)


@cache
def _shipped() -> tuple[tuple[str, ReferenceFigure], ...]:
    # Package data does not change while the process runs, so it is parsed once.
    folder = resources.files("flowgauge.metrics").joinpath("reference")
    figures: list[ReferenceFigure] = []
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if entry.name.endswith(".toml"):
            figures += read_reference_file(Path(str(entry)), entry.read_text(encoding="utf-8"))
    return tuple((figure.figure_id, figure) for figure in figures)


def _shipped_values() -> list[ReferenceFigure]:
    return [figure for _, figure in _shipped()]
