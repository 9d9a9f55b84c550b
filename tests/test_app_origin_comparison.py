"""The AI page's tables: metrics by origin side by side, our ratios beside the published ones, the agents' PRs
waiting longest for review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa

from flowgauge.metrics.engine import MetricResult
from flowgauge.ui.charts import format_value
from flowgauge.ui.origin_comparison import by_origin_table, reference_lines, waiting_longest


def result(metric_id: str, value: float | None, n: int) -> MetricResult:
    names = {"acceptance_rate": ("Acceptance rate", "percent", "rate"), "pickup_time": ("Pickup time", "hours", "p75")}
    name, unit, statistic = names[metric_id]
    return MetricResult(metric_id, name, unit, "lower", statistic, value, n)


def test_metrics_sit_side_by_side_by_origin():
    results = {
        "agentic": {
            "acceptance_rate": result("acceptance_rate", 33.0, 30),
            "pickup_time": result("pickup_time", 21, 9),
        },
        "ai_assisted": {
            "acceptance_rate": result("acceptance_rate", 90, 200),
            "pickup_time": result("pickup_time", 6, 180),
        },
        "unassisted": {
            "acceptance_rate": result("acceptance_rate", 92, 500),
            "pickup_time": result("pickup_time", 4, 450),
        },
    }
    table = by_origin_table(results, ("acceptance_rate", "pickup_time")).to_pylist()
    assert table[1] == {
        "metric": "Pickup time",
        "unit": "hours",
        "statistic": "p75",
        "Agentic": 21,
        "Agentic (n)": 9,
        "AI-assisted": 6,
        "AI-assisted (n)": 180,
        "Unassisted": 4,
        "Unassisted (n)": 450,
    }


@dataclass(frozen=True)
class Figure:
    label: str
    kind: str
    value: float
    metric_id: str | None
    origins: tuple[str, ...]
    baseline_origins: tuple[str, ...] = ()
    unit: str = "times"
    source_name: str = "LinearB 2026"
    confidence: str = "secondary"

    def ratio_text(self, ours: float | None) -> str:
        published = f"{self.value:g}x in {self.source_name} ({self.confidence})"
        return published if ours is None else f"{ours:.1f}x here; {published}"


def test_our_ratios_are_computed_like_the_published_ones():
    values = {
        ("pickup_time", ("agentic",)): 21.0,
        ("pickup_time", ("unassisted",)): 5.0,
        ("acceptance_rate", ("agentic", "ai_assisted")): 40.0,
        ("review_time", ("agentic",)): None,
    }
    figures = [
        Figure("Agentic PRs wait for pickup", "ratio", 5.3, "pickup_time", ("agentic",), ("unassisted",)),
        Figure("Acceptance of AI PRs", "value", 32.7, "acceptance_rate", ("agentic", "ai_assisted"), unit="percent"),
        Figure("Review once picked up", "ratio", 0.5, "review_time", ("agentic",), ("unassisted",)),
        Figure("Issues per AI PR", "ratio", 1.7, None, ("agentic",), ("unassisted",)),  # no metric of ours
    ]
    lines = reference_lines(figures, lambda metric, origins: values.get((metric, origins), 4.0))
    assert lines == [
        "Agentic PRs wait for pickup: 4.2x here; 5.3x in LinearB 2026 (secondary)",
        f"Acceptance of AI PRs: {format_value(40.0, 'percent')} here; {format_value(32.7, 'percent')} in LinearB 2026 "
        "(secondary)",
        "Review once picked up: 0.5x in LinearB 2026 (secondary)",
    ]


def test_the_agents_unreviewed_open_prs_longest_waiting_first():
    at = datetime
    rows = pa.Table.from_pylist(
        [
            {"pr_id": "acme/web#1", "state": "open", "is_draft": False, "review_at": None, "ready_at": at(2024, 3, 1)},
            {"pr_id": "acme/web#2", "state": "open", "is_draft": False, "review_at": None, "ready_at": at(2024, 3, 4)},
            {"pr_id": "acme/web#3", "state": "open", "is_draft": True, "review_at": None, "ready_at": at(2024, 2, 1)},
            {
                "pr_id": "acme/web#4",
                "state": "open",
                "is_draft": False,
                "review_at": at(2024, 3, 2),
                "ready_at": at(2024, 2, 1),
            },
            {
                "pr_id": "acme/web#5",
                "state": "merged",
                "is_draft": False,
                "review_at": None,
                "ready_at": at(2024, 1, 1),
            },
        ]
    )
    waiting = waiting_longest(rows, at(2024, 3, 5)).to_pylist()
    assert [(row["pr_id"], row["waiting_hours"]) for row in waiting] == [("acme/web#1", 96.0), ("acme/web#2", 24.0)]
    assert waiting_longest(rows.slice(0, 0), at(2024, 3, 5)).num_rows == 0


def test_the_list_is_cut_to_the_count():
    rows = pa.Table.from_pylist(
        [
            {
                "pr_id": f"acme/web#{i}",
                "state": "open",
                "is_draft": False,
                "review_at": None,
                "ready_at": datetime(2024, 3, i),
            }
            for i in range(1, 4)
        ]
    )
    assert waiting_longest(rows, datetime(2024, 3, 5), 1).column("pr_id").to_pylist() == ["acme/web#1"]
