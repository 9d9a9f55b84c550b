"""Benchmark: what keeping a snapshot's large tables in time order costs its writes, and saves a window's facts.

    .venv/bin/python bench/time_order.py [--snapshot PATH] [--rounds 3] [--start 2026-04-01] [--end 2026-07-01]

On a snapshot written as the loaders left it (default the app benchmark's /tmp/flowgauge-app-bench/big.duckdb,
about a million PRs, written repository after repository), in a scratch folder beside it:

1. The rewrite: a copy of it saved by `write_snapshot(check_time_order=True)`, as `flowgauge upgrade` does; prints
   the tables put in order, the wall seconds and both files' sizes.
2. A sync's write: 100 new PRs with 3 reviews each (the newest, so appended in order) written into the ordered copy,
   with the save's time-order check and, in the same run, with the check switched off (the writer as it was): the
   median wall seconds of --rounds writes each, and the ratio. The check's own cost on every time-ordered table is
   printed too (`time_order.placement`).
3. The window's facts: every fact file of flowgauge.metrics.facts staged for [start, end) from the snapshot as
   written and from the ordered copy, alternating (bench/window_facts.py's method, same SQL both sides): median CPU
   seconds each, the ratio, and whether both staged the same rows.

It keeps both cores busy and needs about three times the snapshot's size free on its disk; note the load average
(printed) beside its figures.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from window_facts import differing_rows, stage  # noqa: E402 - bench/ is not a package

from flowgauge.loaders import store, time_order  # noqa: E402
from flowgauge.loaders.store import write_snapshot  # noqa: E402
from flowgauge.metrics.facts import FACT_FILES, _whole_snapshot_params  # noqa: E402
from flowgauge.metrics.filters import DEFAULT_RULES  # noqa: E402
from flowgauge.metrics.runner import sql_text  # noqa: E402
from flowgauge.snapshot import open_snapshot  # noqa: E402


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def rewrite(written: Path, ordered: Path) -> None:
    shutil.copyfile(written, ordered)
    started = time.perf_counter()
    with write_snapshot(ordered, check_time_order=True) as writer:
        pass
    took = time.perf_counter() - started
    print(f"1. rewrite: {', '.join(writer.tables_put_in_time_order) or 'nothing out of order'} in {took:.1f} s")
    print(f"   file: {written.stat().st_size / 1e9:.2f} GB as written, {ordered.stat().st_size / 1e9:.2f} GB in order")


def sync_pages(ordered: Path, rounds: int) -> None:
    con = open_snapshot(ordered)
    newest = con.execute("SELECT max(created_at) FROM pull_requests").fetchall()[0][0]
    print("2. the save's check of a table a write wrote (time_order.placement), on the ordered copy")
    for order in time_order.TIME_ORDERS:
        started = time.perf_counter()
        placement = time_order.placement(con, order.table)
        took = time.perf_counter() - started
        print(f"   check {order.table:<25} {placement.rows:>10,} rows {placement.misplaced:>9,} misplaced {took:.2f} s")
    con.close()
    real_check = store.tables_to_reorder
    times: dict[str, list[float]] = {"with the check": [], "without": []}
    for round_number in range(rounds):
        for label in ("with the check", "without") if round_number % 2 else ("without", "with the check"):
            at = newest + timedelta(minutes=round_number * 1000 + (label == "without") * 500)
            prs = [_pr(f"{label[:4]}-{round_number}-{n}", at + timedelta(minutes=n)) for n in range(100)]
            reviews = [_review(row, k) for row in prs for k in range(3)]
            store.tables_to_reorder = real_check if label == "with the check" else (lambda con, written: [])
            try:
                started = time.perf_counter()
                with write_snapshot(ordered) as writer:
                    writer.upsert("pull_requests", prs)
                    writer.upsert("pr_reviews", reviews)
                times[label].append(time.perf_counter() - started)
            finally:
                store.tables_to_reorder = real_check
            assert writer.tables_put_in_time_order == [], writer.tables_put_in_time_order
    checked, unchecked = (statistics.median(times[label]) for label in ("with the check", "without"))
    print(f"   a sync's write of 100 PRs and 300 reviews, median of {rounds}: {checked:.2f} s with the check, "
          f"{unchecked:.2f} s without ({checked / unchecked:.2f}x)")  # fmt: skip


def _pr(key: str, at: datetime) -> dict:
    return {
        "pr_id": f"bench/time-order#{key}",
        "repo_id": "bench/time-order",
        "number": 1,
        "state": "merged",
        "is_draft": False,
        "created_at": at,
        "merged_at": at + timedelta(hours=3),
        "closed_at": at + timedelta(hours=3),
        "updated_at": at + timedelta(hours=3),
    }


def _review(row: dict, k: int) -> dict:
    return {
        "pr_id": row["pr_id"],
        "review_id": str(k),
        "state": "approved",
        "submitted_at": row["created_at"] + timedelta(hours=1),
        "comment_count": k,
    }


def window_facts(written: Path, ordered: Path, start: datetime, end: datetime, rounds: int) -> None:
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    for name, path in (("written", written), ("ordered", ordered)):
        con.execute(f"ATTACH '{path}' AS {name} (READ_ONLY)")
    params = {**_whole_snapshot_params(DEFAULT_RULES, ()), "start": start, "end": end, "by": "none"}
    times: dict[str, dict[str, list[float]]] = {name: {"written": [], "ordered": []} for name in FACT_FILES.values()}
    checks = {}
    for round_number in range(rounds + 1):
        order = ("written", "ordered", "ordered", "written")
        order = order if round_number % 2 else order[::-1]
        for name in FACT_FILES.values():
            for version in order:
                con.execute(f"USE {version}")
                stage(con, "fg_bots", sql_text("stage_bots"), params)
                measured = stage(con, f"temp.bench_{version}", sql_text(name), params)
                if round_number:
                    times[name][version].append(measured[1])
            if round_number == 0:
                rows = con.execute("SELECT count(*) FROM temp.bench_ordered").fetchall()[0][0]
                differing = differing_rows(con, "temp.bench_written", "temp.bench_ordered")
                checks[name] = f"{rows} rows, same rows" if differing == 0 else f"DIFFERENT: {differing} unmatched"
    print(f"3. the window's facts [{start:%Y-%m-%d}, {end:%Y-%m-%d}), median CPU s of {rounds} rounds")
    total = {"written": 0.0, "ordered": 0.0}
    for name in FACT_FILES.values():
        written_cpu, ordered_cpu = (statistics.median(times[name][version]) for version in ("written", "ordered"))
        total["written"] += written_cpu
        total["ordered"] += ordered_cpu
        print(f"   {name:<22} as written {written_cpu:.2f}  in order {ordered_cpu:.2f}  "
              f"({ordered_cpu / written_cpu:.2f}x)  {checks[name]}")  # fmt: skip
    print(f"   {'all':<22} as written {total['written']:.2f}  in order {total['ordered']:.2f}  "
          f"({total['ordered'] / total['written']:.2f}x)")  # fmt: skip
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snapshot", type=Path, default=Path("/tmp/flowgauge-app-bench/big.duckdb"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--start", type=datetime.fromisoformat, default=datetime(2026, 4, 1))
    parser.add_argument("--end", type=datetime.fromisoformat, default=datetime(2026, 7, 1))
    args = parser.parse_args()
    scratch = args.snapshot.parent / "time-order-bench"
    scratch.mkdir(exist_ok=True)
    ordered = scratch / "ordered.duckdb"
    print(f"snapshot {args.snapshot}; load average {load_average()}")
    try:
        rewrite(args.snapshot, ordered)
        window_facts(args.snapshot, ordered, args.start, args.end, args.rounds)
        sync_pages(ordered, args.rounds)
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(scratch)
    print(f"load average {load_average()}")


if __name__ == "__main__":
    main()
