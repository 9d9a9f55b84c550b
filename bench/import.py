"""Benchmark: `flowgauge import` of a canonical CSV against pandas.read_csv of the same file.

    .venv/bin/python bench/import.py [--rows 1000000] [--keep DIR]

Writes a pull_requests.csv of --rows rows (every column type: text, integers, booleans, timestamps
with and without offsets, ;-separated lists, a few formula-looking titles), then times in one process:
pandas.read_csv (the baseline: parsing only, no types checked), preview_import (parse + validate
every value against the schema, de-duplicate by key) and import_files (all that, plus the snapshot
write). Prints seconds, rows per second and each time as a ratio of the pandas time.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import pandas as pd

from flowgauge.loaders.imports import import_files, preview_import

HEADER = "pr_id,repo_id,number,title,state,is_draft,created_at,merged_at,lines_added,lines_deleted,labels,issue_keys\n"


def write_csv(path: Path, rows: int, seed: int = 7) -> None:
    """A realistic canonical pull_requests.csv of `rows` rows."""
    rng = random.Random(seed)
    repos = [f"acme/service-{n}" for n in range(50)]
    titles = ["Fix flaky test", "Bump deps", '=HYPERLINK("x")', "Refactor, part 2", "+1 retries", "Add metrics"]
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        for n in range(rows):
            repo = repos[n % len(repos)]
            day, hour = 1 + n % 28, n % 24
            offset = ("Z", "+02:00", "-05:00", "")[n % 4]
            merged = f"2024-03-{day:02d}T{hour:02d}:30:00Z" if n % 3 else ""
            title = titles[n % len(titles)].replace('"', '""')
            out.write(
                f'{repo}#{n},{repo},{n},"{title}",{"merged" if merged else "open"},{"true" if n % 7 == 0 else "false"},'
                f"2024-03-{day:02d}T{hour:02d}:00:00{offset},{merged},{rng.randint(0, 900)},{rng.randint(0, 300)},"
                f"bug;p{n % 3},PAY-{n % 1000}\n"
            )


def timed(action, repeat: int = 2) -> float:
    """Best of `repeat` runs, so one-off costs (imports, DuckDB extension loading) do not count."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="folder to write the CSV and snapshot into (kept)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="flowgauge-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = folder / "pull_requests.csv"
    write_csv(csv_path, args.rows)
    data = csv_path.read_bytes()
    print(f"{args.rows:,} rows, {len(data) / 1024 / 1024:,.1f} MB")

    baseline = timed(lambda: pd.read_csv(csv_path))
    preview = timed(lambda: preview_import(csv_path.name, data, max_bytes=len(data) + 1))
    snapshot = folder / "bench.duckdb"

    def import_fresh() -> None:
        snapshot.unlink(missing_ok=True)
        import_files([csv_path], snapshot, max_bytes=len(data) + 1)

    full = timed(import_fresh)

    print(f"{'step':<44}{'seconds':>10}{'rows/s':>14}{'x pandas':>10}")
    for label, seconds in (
        ("pandas.read_csv (baseline, no validation)", baseline),
        ("preview_import (parse + validate + dedupe)", preview),
        ("import_files (preview + snapshot write)", full),
    ):
        print(f"{label:<44}{seconds:>10.2f}{args.rows / seconds:>14,.0f}{seconds / baseline:>10.2f}")


if __name__ == "__main__":
    main()
