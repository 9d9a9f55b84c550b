"""Benchmark: the snapshot writer's cost per page of 100 pull requests, against how many rows the snapshot holds.

A GitHub page of 100 PRs writes 100 pull_requests and pr_code_origins rows, about 300 pr_reviews, 450 pr_commits and
450 commits. This writes such pages into snapshots already holding --stored PRs (with 3 reviews and 4.5 commits each),
each page with its cursor, through SnapshotWriter as the GitHub loader does (one transaction a page; a plain INSERT
checked against the primary key's index, the page written again with INSERT OR REPLACE when it repeats stored keys)
and, in the same run, through the writer's earlier path, kept here for comparison only (INSERT OR REPLACE for every
table, the commits asked for first, a commit per statement): pages of new PRs (a first load) and pages of stored PRs
(a re-sync of PRs that changed). Prints milliseconds per page, wall and process CPU.

Run: .venv/bin/python bench/store_upsert.py [--stored 10000,200000] [--pages 10]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from flowgauge.loaders.store import SnapshotWriter, write_snapshot

REPO = "bench/repo"
T0 = datetime(2025, 1, 1)


def page_rows(first: int, count: int, title: str = "Change") -> dict[str, list[dict]]:
    """The rows of PRs first..first+count-1, as a GitHub page maps them."""
    rows: dict[str, list[dict]] = {t: [] for t in ("pull_requests", "pr_code_origins", "pr_reviews", "pr_commits")}
    rows["commits"] = []
    for n in range(first, first + count):
        pr_id, at = f"{REPO}#{n}", T0 + timedelta(minutes=n)
        rows["pull_requests"].append(
            {"pr_id": pr_id, "repo_id": REPO, "number": n, "title": f"{title} {n}", "url": f"https://github.test/{n}",
             "author_id": f"dev{n % 60}", "state": "merged", "is_draft": False, "base_branch": "main",
             "head_branch": f"feature/pay-{n}", "created_at": at, "ready_for_review_at": at, "first_commit_at": at,
             "first_review_at": at, "first_approval_at": at, "merged_at": at, "closed_at": at, "updated_at": at,
             "lines_added": 30, "lines_deleted": 5, "files_changed": 3, "lines_changed_after_open": 4,
             "merge_commit_sha": f"{n:040x}", "merge_method": "squash", "labels": ["backend"],
             "issue_keys": [f"PAY-{n}"]}
        )  # fmt: skip
        origin = {"pr_id": pr_id, "origin": "unassisted", "evidence_kind": None, "evidence": None}
        rows["pr_code_origins"].append(origin)
        for r in range(3):
            rows["pr_reviews"].append(
                {"pr_id": pr_id, "review_id": str(n * 10 + r), "reviewer_id": f"dev{(n + r) % 60}",
                 "state": "approved", "submitted_at": at, "comment_count": r}
            )  # fmt: skip
        for c in range(4 + n % 2):
            sha = f"{n:032x}{c:08x}"
            rows["pr_commits"].append({"pr_id": pr_id, "repo_id": REPO, "sha": sha})
            rows["commits"].append(
                {"repo_id": REPO, "sha": sha, "author_id": f"dev{n % 60}", "authored_at": at, "committed_at": at,
                 "lines_added": 10, "lines_deleted": 2, "files_changed": 1, "parent_shas": [], "subject": f"c{c}"}
            )  # fmt: skip
    return rows


def fill(path: Path, prs: int) -> None:
    """A snapshot holding prs PRs with their reviews and commits."""
    with write_snapshot(path, fresh=True) as writer:
        for first in range(0, prs, 20_000):
            for table, rows in page_rows(first, min(20_000, prs - first)).items():
                writer.upsert(table, pa.Table.from_pylist(rows))


def save_page(writer: SnapshotWriter, rows: dict[str, list[dict]]) -> None:
    """The writer's path: as the GitHub loader saves a page, with its cursor, in one transaction."""

    def write(writer: SnapshotWriter) -> None:
        for table in ("pull_requests", "pr_reviews", "pr_commits", "pr_code_origins"):
            writer.upsert(table, rows[table])
        writer.insert_new("commits", rows["commits"])
        writer.save_cursor("github:bench", REPO, "pull_requests", '{"after": "x"}', complete=False)

    writer.in_one_transaction(write)


def save_page_earlier(writer: SnapshotWriter, rows: dict[str, list[dict]]) -> None:
    """The writer's earlier path, for comparison only: INSERT OR REPLACE for every table, the stored commits asked for
    first."""
    con = writer.con
    shas = [c["sha"] for c in rows["commits"]]
    query = "SELECT sha FROM commits WHERE repo_id = ? AND list_contains(?, sha)"
    stored = {row[0] for row in con.execute(query, [REPO, shas]).fetchall()}
    for table in ("pull_requests", "pr_reviews", "pr_commits", "pr_code_origins", "commits"):
        data = rows[table] if table != "commits" else [c for c in rows[table] if c["sha"] not in stored]
        if data:
            _replace(con, table, pa.Table.from_pylist(data))
    writer.save_cursor("github:bench", REPO, "pull_requests", '{"after": "x"}', complete=False)


def _replace(con: duckdb.DuckDBPyConnection, table: str, data: pa.Table) -> None:
    con.register("_incoming", data)
    try:
        con.execute(f'INSERT OR REPLACE INTO "{table}" BY NAME SELECT * FROM _incoming')  # table names from this file
    finally:
        con.unregister("_incoming")


def per_page(path: Path, save: Callable, pages: list[dict[str, list[dict]]]) -> tuple[float, float]:
    """(wall ms, process CPU ms) per page of saving pages into a copy of the snapshot at path (discarded after)."""
    work = path.with_name("work.duckdb")
    work.write_bytes(path.read_bytes())
    try:
        with write_snapshot(work) as writer:
            wall, cpu = time.perf_counter(), time.process_time()
            for rows in pages:
                save(writer, rows)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        work.unlink(missing_ok=True)
    return 1000 * wall / len(pages), 1000 * cpu / len(pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stored", default="10000,200000", help="PRs already in the snapshot, comma-separated")
    parser.add_argument("--pages", type=int, default=10, help="pages of 100 PRs timed per case")
    args = parser.parse_args()
    for stored in (int(n) for n in args.stored.split(",")):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bench.duckdb"
            fill(path, stored)
            new = [page_rows(stored + 100 * p, 100) for p in range(args.pages)]
            changed = [page_rows(100 * p, 100, title="Changed") for p in range(args.pages)]
            results = {}
            for name, save in (("writer", save_page), ("earlier path", save_page_earlier)):
                results[name, "new"] = per_page(path, save, new)
                results[name, "stored"] = per_page(path, save, changed)
        print(f"snapshot holding {stored:,} PRs ({3 * stored:,} reviews, {int(4.5 * stored):,} commits):")
        for kind, label in (("new", "pages of new PRs (first load)"), ("stored", "pages of stored PRs (re-sync)")):
            (w_wall, w_cpu), (e_wall, e_cpu) = results["writer", kind], results["earlier path", kind]
            print(
                f"  {label}: writer {w_wall:.1f} ms a page ({w_cpu:.1f} ms CPU); earlier path {e_wall:.1f} ms "
                f"({e_cpu:.1f} ms CPU): {e_wall / w_wall:.1f}x the writer's wall time"
            )


if __name__ == "__main__":
    main()
