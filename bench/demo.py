"""Benchmark `flowgauge demo`: seconds, PRs per second and peak memory per scale, as ratios against scale 1.

Each scale runs in its own subprocess so its peak resident memory (ru_maxrss) is its own.
Usage: .venv/bin/python bench/demo.py [SCALE ...]   (default: 1 10)
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

END_ON = date(2026, 11, 26)


def run_child(scale: float, out: Path) -> None:
    """Generate one snapshot and print its figures as JSON (runs inside the subprocess)."""
    from flowgauge.loaders.demo import save_demo

    started = time.perf_counter()
    counts = save_demo(out, scale=scale, seed=7, end_on=END_ON)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    figures = {"scale": scale, "seconds": seconds, "prs": counts["pull_requests"], "rows": sum(counts.values())}
    print(json.dumps(figures | {"peak_mb": peak_mb, "file_mb": out.stat().st_size / 2**20}))


def measure(scale: float) -> dict:
    """Figures for one scale, from a fresh subprocess writing to a temporary folder."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "demo.duckdb"
        result = subprocess.run(
            [sys.executable, __file__, "--child", str(scale), str(out)], capture_output=True, text=True, check=True
        )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(scales: list[float]) -> None:
    """Run every scale (scale 1 first, as the baseline) and print a table of absolute figures and ratios."""
    baseline = measure(1.0)
    results = [baseline] + [measure(s) for s in scales if s != 1.0]
    print("scale | PRs | rows | seconds | PRs/s | peak RSS MiB | file MiB | x PRs | x seconds | x peak RSS")
    for r in results:
        print(
            f"{r['scale']:g} | {r['prs']:,} | {r['rows']:,} | {r['seconds']:.1f} | {r['prs'] / r['seconds']:,.0f} | "
            f"{r['peak_mb']:,.0f} | {r['file_mb']:,.0f} | {r['prs'] / baseline['prs']:.1f} | "
            f"{r['seconds'] / baseline['seconds']:.1f} | {r['peak_mb'] / baseline['peak_mb']:.2f}"
        )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        run_child(float(sys.argv[2]), Path(sys.argv[3]))
    else:
        main([float(a) for a in sys.argv[1:]] or [1.0, 10.0])
