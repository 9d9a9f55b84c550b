"""Benchmark: staging one window's per-item facts with the fact SQL of an earlier commit and of the working tree.

    .venv/bin/python bench/window_facts.py [--snapshot PATH] [--start 2026-04-01] [--end 2026-07-01]
        [--base COMMIT] [--rounds 4] [--by none|team] [--files pr_facts,commit_facts,...]

On one read-only snapshot (default the app benchmark's /tmp/flowgauge-app-bench/big.duckdb), stages each fact file
of flowgauge.metrics.facts.FACT_FILES for the window [start, end) with the parameters a never-prepared snapshot's
first view uses (facts.warm_window: no filters, default rules, by 'none'), once with the file's text at --base
(`git show BASE:flowgauge/metrics/sql/X.sql`; default 4a4d356, the main the session-13 rewrites started from) and
once with the working tree's: each round stages original, current, current, original, or the reverse every other
round (--rounds rounds after one unmeasured warm-up round, the previous result dropped untimed). Prints per file the
median wall seconds and CPU seconds of each (time.process_time: user + system of this process, so every DuckDB
thread; os.times counts in 10 ms ticks, too coarse for the smaller files), the ratio current / original, and
whether both staged the same rows (EXCEPT ALL both ways, and the row counts).

It keeps both cores busy: run it on a quiet machine and note the load average (printed) beside its figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from flowgauge.metrics.facts import FACT_FILES, _whole_snapshot_params
from flowgauge.metrics.filters import DEFAULT_RULES
from flowgauge.metrics.runner import parameters_of, sql_text
from flowgauge.snapshot import open_snapshot

REPO = Path(__file__).resolve().parent.parent
SQL_FOLDER = "flowgauge/metrics/sql"
BASE = "4a4d356089bc2383d8031f3eddcae68e6c77b955"  # main before the session-13 rewrites of the fact SQL


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(REPO), *args], check=True, capture_output=True, text=True).stdout


def original_text(base: str, name: str) -> str:
    return git("show", f"{base}:{SQL_FOLDER}/{name}.sql")


def stage(con: duckdb.DuckDBPyConnection, table: str, text: str, params: dict[str, Any]) -> tuple[float, float]:
    """CREATE OR REPLACE TEMP TABLE table AS text; wall and CPU seconds it took."""
    bound = {key: params[key] for key in parameters_of(text) if key in params}
    con.execute(f"DROP TABLE IF EXISTS {table}")  # freeing the previous result is not this statement's cost
    cpu_before, wall_before = time.process_time(), time.perf_counter()
    con.execute(f"CREATE TEMP TABLE {table} AS {text}", bound)
    return time.perf_counter() - wall_before, time.process_time() - cpu_before


def differing_rows(con: duckdb.DuckDBPyConnection, left: str, right: str) -> int:
    """Rows of either table not matched one for one in the other (EXCEPT ALL both ways)."""
    return con.execute(
        f"SELECT (SELECT count(*) FROM (SELECT * FROM {left} EXCEPT ALL SELECT * FROM {right})) "
        f"+ (SELECT count(*) FROM (SELECT * FROM {right} EXCEPT ALL SELECT * FROM {left}))"
    ).fetchall()[0][0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snapshot", default="/tmp/flowgauge-app-bench/big.duckdb")
    parser.add_argument("--start", type=datetime.fromisoformat, default=datetime(2026, 4, 1))
    parser.add_argument("--end", type=datetime.fromisoformat, default=datetime(2026, 7, 1))
    parser.add_argument("--base", default=BASE, help="commit whose fact SQL is the original")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--by", choices=("none", "team"), default="none", help="'team': with the authors' team lists")
    parser.add_argument("--files", default=",".join(FACT_FILES.values()))
    args = parser.parse_args()
    base = git("rev-parse", args.base).strip()
    names = [name for name in args.files.split(",") if name]

    print(f"snapshot {args.snapshot}, window [{args.start:%Y-%m-%d}, {args.end:%Y-%m-%d}), by {args.by}")
    print(f"original: {base[:12]}; current: working tree; {args.rounds} rounds after a warm-up")
    print(f"load average {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    con = open_snapshot(args.snapshot)
    params = {**_whole_snapshot_params(DEFAULT_RULES, ()), "start": args.start, "end": args.end, "by": args.by}
    stage(con, "fg_bots", sql_text("stage_bots"), params)
    texts = {name: {"original": original_text(base, name), "current": sql_text(name)} for name in names}
    checks: dict[str, str] = {}
    times: dict[str, dict[str, list[tuple[float, float]]]] = {name: {"original": [], "current": []} for name in names}
    for round_number in range(args.rounds + 1):
        # Each version first and last in turn: the first statement after another file's also pays for some of its
        # clean-up (an unchanged file measures about 0.7 when one version always goes first).
        abba = ("original", "current", "current", "original")
        order = abba if round_number % 2 else ("current", "original", "original", "current")
        for name in names:
            for version in order:
                measured = stage(con, f"bench_{version}", texts[name][version], params)
                if round_number:
                    times[name][version].append(measured)
            if round_number == 0:
                rows = {
                    version: con.execute(f"SELECT count(*) FROM bench_{version}").fetchall()[0][0]
                    for version in ("original", "current")
                }
                differing = differing_rows(con, "bench_original", "bench_current")
                checks[name] = (
                    f"{rows['current']} rows, same rows" if differing == 0 and rows["original"] == rows["current"]
                    else f"DIFFERENT: {rows['original']} vs {rows['current']} rows, {differing} unmatched"
                )  # fmt: skip
    print(f"load average {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    columns = ("original wall s", "original CPU s", "current wall s", "current CPU s", "CPU current/original")
    print(f"{'file':<20}" + "".join(f"{column:>22}" for column in columns) + "  rows")
    total = {"original": [0.0, 0.0], "current": [0.0, 0.0]}
    for name in names:
        medians = {}
        for version in ("original", "current"):
            wall = statistics.median(measured[0] for measured in times[name][version])
            cpu = statistics.median(measured[1] for measured in times[name][version])
            medians[version] = (wall, cpu)
            total[version][0] += wall
            total[version][1] += cpu
        (ow, oc), (cw, cc) = medians["original"], medians["current"]
        print(f"{name:<20}{ow:>22.3f}{oc:>22.2f}{cw:>22.3f}{cc:>22.2f}{cc / oc:>22.2f}  {checks[name]}")
    (ow, oc), (cw, cc) = total["original"], total["current"]
    print(f"{'all':<20}{ow:>22.3f}{oc:>22.2f}{cw:>22.3f}{cc:>22.2f}{cc / oc:>22.2f}")
    con.close()


if __name__ == "__main__":
    main()
