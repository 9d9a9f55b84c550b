"""LinearB 2026's AI figures as reference values and ratios (never tiers), and the errors of a bad figures file."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowgauge.metrics.benchmark_files import BenchmarkFileError
from flowgauge.metrics.reference_figures import figures_for, read_reference_file, reference_figures

SOURCE = """[source]
id = "team-ai"
name = "Our AI notes"
publisher = "Us"
year = 2026
source_url = "https://example.com/ai"
confidence = "primary"

[figures.pickup]
kind = "ratio"
value = 2.0
origins = ["agentic"]
"""


def test_the_2026_ai_figures_are_shipped_with_their_origins_and_confidence():
    figures = reference_figures()
    published = {key: (f.kind, f.value, f.unit, f.origins, f.baseline_origins) for key, f in figures.items()}
    assert published == {
        "linearb-2026-ai.acceptance_rate_ai": ("value", 32.7, "percent", ("agentic", "ai_assisted"), ()),
        "linearb-2026-ai.acceptance_rate_unassisted": ("value", 84.4, "percent", ("unassisted",), ()),
        "linearb-2026-ai.pickup_time_ai_vs_unassisted": (
            "ratio", 4.6, "times", ("agentic", "ai_assisted"), ("unassisted",)
        ),
        "linearb-2026-ai.pickup_time_agentic_vs_unassisted": ("ratio", 5.3, "times", ("agentic",), ("unassisted",)),
        "linearb-2026-ai.review_time_ai_vs_unassisted": (
            "ratio", 0.5, "times", ("agentic", "ai_assisted"), ("unassisted",)
        ),
        "linearb-2026-ai.issues_per_pr_ai_vs_human": (
            "ratio", 1.7, "times", ("agentic", "ai_assisted"), ("unassisted",)
        ),
    }  # fmt: skip
    assert {f.confidence for f in figures.values()} == {"secondary", "inferred"}
    assert figures["linearb-2026-ai.review_time_ai_vs_unassisted"].confidence == "inferred"  # "about 2x faster"
    assert all(f.year == 2026 and f.publisher == "LinearB" for f in figures.values())
    assert [f.value for f in figures_for("pickup_time")] == [4.6, 5.3]


def test_a_ratio_reads_beside_the_teams_own():
    pickup = reference_figures()["linearb-2026-ai.pickup_time_ai_vs_unassisted"]
    assert pickup.ratio_text(3.14) == "3.1x here; 4.6x in LinearB 2026 (AI productivity edition) (secondary)"
    assert pickup.ratio_text(None) == "4.6x in LinearB 2026 (AI productivity edition) (secondary)"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("", "team.toml:9: figures.pickup.baseline_origins: a ratio needs baseline_origins, a value has none"),
        ('baseline_origins = ["robots"]\n', "team.toml:13: figures.pickup.baseline_origins: must list origins among"),
        ('baseline_origins = ["unassisted"]\nvalue_x = 1\n', "team.toml:14: figures.pickup.value_x: unknown key"),
    ],
)
def test_a_bad_figure_names_the_file_line_and_key(change, message):
    with pytest.raises(BenchmarkFileError) as raised:
        read_reference_file(Path("team.toml"), SOURCE + change)
    assert str(raised.value).startswith(message)
