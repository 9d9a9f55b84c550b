"""Reading one benchmark set file: TOML text to checked plain values, every error naming the file, line and key."""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowgauge.errors import FlowgaugeError

DIRECTIONS = ("lower", "higher")
CONFIDENCES = ("primary", "secondary", "inferred")  # strongest first
# 'rate' = one value over the whole period (a count ratio or a frequency), not a statistic of a distribution.
STATISTICS = ("median", "p75", "p90", "mean", "rate")
DISTRIBUTION_STATISTICS = ("median", "p75", "p90", "mean")


class BenchmarkFileError(FlowgaugeError):
    """A benchmark set file is not valid; the message names the file, the line and the key."""


@dataclass(frozen=True)
class MetricSpec:
    """What a band for one metric must agree with: unit, better direction, kind and largest threshold."""

    unit: str
    direction: str | None  # None: no better direction is fixed, the file says which
    kind: str  # 'distribution' (compared at median/p75/p90/mean) or 'rate' (one value per period)
    maximum: float | None = None  # 100 for shares in percent, 1 for ratios


HOURS, PERCENT = "hours", "percent"
_HOUR_METRICS = (
    "coding_time",
    "pickup_time",
    "approve_time",
    "merge_time",
    "review_time",
    "deploy_time",
    "cycle_time",
    "lead_time_for_changes",
    "failed_deployment_recovery_time",
    "mttr",
)
_SHARE_METRICS = (
    "planning_accuracy",
    "pm_prs_linked_to_issue",
    "pm_issues_linked_to_parent",
    "pm_in_progress_with_estimate",
    "pm_in_progress_with_assignee",
    "acceptance_rate",
)
# The metric ids of flowgauge.metrics that a band may benchmark.
METRICS: Mapping[str, MetricSpec] = {
    **{metric_id: MetricSpec(HOURS, "lower", "distribution") for metric_id in _HOUR_METRICS},
    "pr_size": MetricSpec("lines", "lower", "distribution"),
    "pr_maturity": MetricSpec("ratio", "higher", "rate", 1.0),  # LinearB's headline is a weighted average
    "merge_frequency": MetricSpec("PRs per developer per week", "higher", "rate"),
    "deploy_frequency": MetricSpec("deployments per week", "higher", "rate"),
    "deploy_frequency_per_dev": MetricSpec("deployments per developer per week", "higher", "rate"),
    "change_failure_rate": MetricSpec(PERCENT, "lower", "rate", 100.0),
    "deployment_rework_rate": MetricSpec(PERCENT, "lower", "rate", 100.0),
    "rework_rate": MetricSpec(PERCENT, "lower", "rate", 100.0),
    "refactor_rate": MetricSpec(PERCENT, "lower", "rate", 100.0),
    **{metric_id: MetricSpec(PERCENT, "higher", "rate", 100.0) for metric_id in _SHARE_METRICS},
    # Best near 100% and may exceed it (unplanned work finished too), so neither direction is fixed.
    "capacity_accuracy": MetricSpec(PERCENT, None, "rate"),
    # No publisher benchmarks these; listed so a team can set its own targets for them.
    "waiting_for_review_rate": MetricSpec(PERCENT, "lower", "rate", 100.0),
    "stale_open_prs": MetricSpec("PRs", "lower", "rate"),
    "review_load": MetricSpec("reviews per reviewer per week", None, "rate"),  # too low can be a problem too
    "survey_score": MetricSpec("percent of scale", "higher", "distribution", 100.0),
    # Adoption of AI tools: whether more is better is the organisation's call, so the file says which.
    "agentic_pr_share": MetricSpec(PERCENT, None, "rate", 100.0),
    "ai_assisted_pr_share": MetricSpec(PERCENT, None, "rate", 100.0),
}

_SET_KEYS = {"id", "name", "publisher", "year", "statistic", "tier_names", "source_url", "confidence", "description"}
_SET_REQUIRED = ("id", "name", "publisher", "year", "tier_names", "source_url", "confidence")
_BAND_KEYS = {"unit", "direction", "thresholds", "statistic", "tier_names", "source_url", "confidence", "note"}
_BAND_REQUIRED = ("unit", "direction", "thresholds", "confidence")
_SET_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column \d+\)$|\s*\(at end of document\)$")


@dataclass(frozen=True)
class ParsedSet:
    """A checked set file as plain values: the [set] fields, one dict of Band fields per metric, omissions."""

    fields: dict[str, Any]
    bands: dict[str, dict[str, Any]]
    omitted: dict[str, str]


def line_of(text: str, table: tuple[str, ...], key: str | None = None) -> int:
    """1-based line of `key = ...` inside [table] (or of the [table] header); 1 when neither is found."""
    wanted = ".".join(table)
    current, header_line = "", 0
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            current = re.sub(r"[\s\"']", "", header.group(1))
            if current == wanted:
                header_line = number
        elif key is not None and current == wanted and re.match(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=", line):
            return number
    return header_line or 1


def parse_benchmark_file(path: Path, text: str) -> ParsedSet:
    """Check one set file's text; raises BenchmarkFileError naming path, line and key of the first problem."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        position = _TOML_POSITION.search(message)
        line = int(position.group(1)) if position and position.group(1) else max(1, len(text.splitlines()))
        raise BenchmarkFileError(f"{path}:{line}: invalid TOML: {_TOML_POSITION.sub('', message)}") from None
    checker = _Checker(path, text)
    checker.unknown_keys((), document, {"set", "bands", "omitted"})
    set_table = checker.table(("set",), document.get("set"), required=True)
    fields = checker.set_fields(set_table)
    bands_table = checker.table(("bands",), document.get("bands"), required=False)
    if not bands_table:
        raise checker.fail(("set",), None, "the file has no [bands.<metric_id>] table, so nothing to compare")
    bands = {
        metric_id: checker.band(metric_id, checker.table(("bands", metric_id), table, required=True), fields)
        for metric_id, table in bands_table.items()
    }
    omitted = {}
    for metric_id, table in checker.table(("omitted",), document.get("omitted", {}), required=False).items():
        where = ("omitted", metric_id)
        checker.metric_id(where, metric_id)
        if metric_id in bands:
            raise checker.fail(where, None, f"{metric_id} has a band in this file; a metric is banded or omitted")
        entry = checker.table(where, table, required=True)
        checker.unknown_keys(where, entry, {"note"})
        omitted[metric_id] = checker.string(where, "note", entry.get("note"))
    return ParsedSet(fields, bands, omitted)


class _Checker:
    """Validates the parsed document of one file, raising errors that point at the offending line."""

    def __init__(self, path: Path, text: str) -> None:
        self.path, self.text = path, text

    def fail(self, table: tuple[str, ...], key: str | None, problem: str) -> BenchmarkFileError:
        name = ".".join((*table, key) if key else table)
        return BenchmarkFileError(f"{self.path}:{line_of(self.text, table, key)}: {name}: {problem}")

    def table(self, where: tuple[str, ...], value: object, *, required: bool) -> dict[str, Any]:
        if value is None and not required:
            return {}
        if value is None:
            raise self.fail(where, None, f"missing table [{'.'.join(where)}]")
        if not isinstance(value, dict):
            raise self.fail(where, None, f"must be a table [{'.'.join(where)}], got {value!r}")
        return value

    def unknown_keys(self, where: tuple[str, ...], table: Mapping[str, Any], known: set[str]) -> None:
        for key in table:
            if key not in known:
                hint = difflib.get_close_matches(key, known, n=1)
                suggestion = f" (did you mean '{hint[0]}'?)" if hint else f" (known: {', '.join(sorted(known))})"
                raise self.fail(where, key, f"unknown key '{key}'{suggestion}")

    def string(self, where: tuple[str, ...], key: str, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, key, f"must be a non-empty string, got {value!r}")
        return value.strip()

    def choice(self, where: tuple[str, ...], key: str, value: object, allowed: tuple[str, ...]) -> str:
        if value not in allowed:
            raise self.fail(where, key, f"must be one of {', '.join(allowed)}; got {value!r}")
        return str(value)

    def names(self, where: tuple[str, ...], value: object) -> tuple[str, ...]:
        if not isinstance(value, list) or len(value) < 2 or not all(isinstance(n, str) and n.strip() for n in value):
            raise self.fail(where, "tier_names", f"must list at least two tier names, best first; got {value!r}")
        if len(set(value)) != len(value):
            raise self.fail(where, "tier_names", f"names must differ; got {value!r}")
        return tuple(name.strip() for name in value)

    def metric_id(self, where: tuple[str, ...], metric_id: str) -> None:
        if metric_id not in METRICS:
            hint = difflib.get_close_matches(metric_id, METRICS, n=1)
            suggestion = f"did you mean '{hint[0]}'?" if hint else "see docs/benchmarks.md for the list"
            raise self.fail(where, None, f"unknown metric id '{metric_id}' ({suggestion})")

    def set_fields(self, table: dict[str, Any]) -> dict[str, Any]:
        where = ("set",)
        self.unknown_keys(where, table, _SET_KEYS)
        for key in _SET_REQUIRED:
            if key not in table:
                raise self.fail(where, None, f"missing key '{key}'")
        set_id = self.string(where, "id", table["id"])
        if not _SET_ID.fullmatch(set_id):
            raise self.fail(where, "id", f"must be lower-case letters, digits and '-'; got {set_id!r}")
        year = table["year"]
        if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2200:
            raise self.fail(where, "year", f"must be a year such as 2026; got {year!r}")
        statistic = table.get("statistic")
        if statistic is not None:
            statistic = self.choice(where, "statistic", statistic, DISTRIBUTION_STATISTICS)
        return {
            "set_id": set_id,
            "name": self.string(where, "name", table["name"]),
            "publisher": self.string(where, "publisher", table["publisher"]),
            "year": year,
            "statistic": statistic,
            "tier_names": self.names(where, table["tier_names"]),
            "source_url": self.string(where, "source_url", table["source_url"]),
            "confidence": self.choice(where, "confidence", table["confidence"], CONFIDENCES),
            "description": str(table.get("description", "")).strip(),
        }

    def band(self, metric_id: str, table: dict[str, Any], set_fields: Mapping[str, Any]) -> dict[str, Any]:
        where = ("bands", metric_id)
        self.metric_id(where, metric_id)
        spec = METRICS[metric_id]
        self.unknown_keys(where, table, _BAND_KEYS)
        for key in _BAND_REQUIRED:
            if key not in table:
                raise self.fail(where, None, f"missing key '{key}'")
        if table["unit"] != spec.unit:
            raise self.fail(where, "unit", f"{metric_id} is measured in '{spec.unit}'; got {table['unit']!r}")
        direction = self.choice(where, "direction", table["direction"], DIRECTIONS)
        if spec.direction is not None and direction != spec.direction:
            raise self.fail(where, "direction", f"{metric_id} is {spec.direction}-is-better; got {direction!r}")
        statistic = self.band_statistic(where, metric_id, table.get("statistic"), set_fields["statistic"])
        thresholds = self.thresholds(where, table["thresholds"], spec)
        tier_names = set_fields["tier_names"]
        if "tier_names" in table:
            tier_names = self.names(where, table["tier_names"])
        if len(tier_names) != len(thresholds) + 1:
            key = "tier_names" if "tier_names" in table else "thresholds"
            raise self.fail(
                where,
                key,
                f"{len(thresholds)} thresholds make {len(thresholds) + 1} tiers but there are "
                f"{len(tier_names)} tier names ({', '.join(tier_names)})",
            )
        return {
            "metric_id": metric_id,
            "unit": spec.unit,
            "statistic": statistic,
            "direction": direction,
            "thresholds": thresholds,
            "tier_names": tier_names,
            "source_url": self.string(where, "source_url", table.get("source_url", set_fields["source_url"])),
            "confidence": self.choice(where, "confidence", table["confidence"], CONFIDENCES),
            "note": str(table.get("note", "")).strip(),
        }

    def band_statistic(self, where: tuple[str, ...], metric_id: str, value: object, set_statistic: str | None) -> str:
        kind = METRICS[metric_id].kind
        if value is None:
            if kind == "rate":
                return "rate"
            if set_statistic is None:
                raise self.fail(where, None, "missing key 'statistic' (the set declares none)")
            return set_statistic
        statistic = self.choice(where, "statistic", value, STATISTICS)
        if kind == "rate" and statistic != "rate":
            raise self.fail(where, "statistic", f"{metric_id} is one rate per period: use 'rate'; got {statistic!r}")
        if kind == "distribution" and statistic == "rate":
            raise self.fail(where, "statistic", f"{metric_id} is a distribution: use median, p75, p90 or mean")
        if kind == "distribution" and set_statistic is not None and statistic != set_statistic:
            raise self.fail(
                where, "statistic", f"the set compares at {set_statistic!r}; a set holds one statistic, got {value!r}"
            )
        return statistic

    def thresholds(self, where: tuple[str, ...], value: object, spec: MetricSpec) -> tuple[float, ...]:
        numbers = value if isinstance(value, list) else None
        if (
            not numbers
            or not all(isinstance(n, int | float) and not isinstance(n, bool) for n in numbers)
            or not all(math.isfinite(n) for n in numbers)
        ):
            raise self.fail(where, "thresholds", f"must be a list of numbers; got {value!r}")
        if any(later <= earlier for earlier, later in zip(numbers, numbers[1:], strict=False)):
            raise self.fail(where, "thresholds", f"must be strictly ascending; got {numbers!r}")
        if numbers[0] < 0 or (spec.maximum is not None and numbers[-1] > spec.maximum):
            bound = f"0 and {spec.maximum:g}" if spec.maximum is not None else "0 and above"
            raise self.fail(where, "thresholds", f"must lie between {bound} ({spec.unit}); got {numbers!r}")
        return tuple(float(n) for n in numbers)
