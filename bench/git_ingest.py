"""Benchmark: `flowgauge snapshot git` against plain git log (the floor) and PyDriller (the Python peer).

    .venv/bin/python bench/git_ingest.py PATH [--build N] [--pydriller-commits N] [--memory]

--build N first writes a synthetic repository of N commits at PATH with git fast-import (merge,
squash PRs, version tags every 100 commits, 400 files). Reports seconds, commits per second and
ratios: flowgauge without line age / `git log --numstat`, flowgauge with line age / `git log -p -U0
--first-parent`, PyDriller / flowgauge per commit. --memory adds the peak RSS of a fresh process
loading the full history and a quarter of it, to show memory does not grow with history (Linux).
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from flowgauge.loaders.git import load_git_repos
from flowgauge.loaders.git.log_reader import LOG_OPTIONS, MERGE_OPTIONS

FILES = 400
LINES_PER_FILE = 100


def build_repository(path: Path, commits: int, seed: int = 7) -> None:
    """A synthetic history of about `commits` commits, written in one git fast-import run."""
    rng = random.Random(seed)
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    importer = subprocess.Popen(["git", "-C", str(path), "fast-import", "--quiet"], stdin=subprocess.PIPE)
    out = importer.stdin
    files = {f"src/mod{n:03d}/file{n}.py": [f"line {n} {i}\n" for i in range(LINES_PER_FILE)] for n in range(FILES)}
    names = list(files)
    people = [(f"Dev {n}", f"dev{n}@example.com") for n in range(40)]
    mark, stamp, main_mark, written, number = 0, 1_420_070_400, None, 0, 0

    def emit(ref: str, message: str, changed: dict[str, list[str]], parents: list[int | None]) -> int:
        nonlocal mark, stamp
        mark += 1
        stamp += rng.randint(600, 7200)
        name, email = rng.choice(people)
        body = message.encode()
        lines = [f"commit {ref}", f"mark :{mark}", f"author {name} <{email}> {stamp} +0000"]
        lines += [f"committer {name} <{email}> {stamp} +0000", f"data {len(body)}"]
        out.write(("\n".join(lines) + "\n").encode() + body + b"\n")
        if parents and parents[0] is not None:
            out.write(f"from :{parents[0]}\n".encode())
        for parent in parents[1:]:
            out.write(f"merge :{parent}\n".encode())
        for file_name, content in changed.items():
            data = "".join(content).encode()
            out.write(f"M 100644 inline {file_name}\ndata {len(data)}\n".encode() + data + b"\n")
        out.write(b"\n")
        return mark

    def change() -> dict[str, list[str]]:
        changed = {}
        for file_name in rng.sample(names, rng.randint(1, 3)):
            content = files[file_name]
            for _ in range(rng.randint(1, 4)):
                content[rng.randrange(len(content))] = f"edit {stamp} {rng.random():.6f}\n"
            at = rng.randrange(len(content))
            content[at:at] = [f"new {stamp} {k}\n" for k in range(rng.randint(0, 3))]
            changed[file_name] = content
        return changed

    main_mark = emit("refs/heads/main", "Initial import", dict(files), [None])
    written = 1
    while written < commits:
        number += 1
        if number % 3 == 0:
            branch = f"refs/heads/feature-{number}"
            tip, branch_files = main_mark, {}
            for step in range(rng.randint(1, 3)):
                changed = change()
                branch_files.update(changed)
                tip = emit(branch, f"Work on PAY-{number} step {step}", changed, [tip])
                written += 1
            message = f"Merge pull request #{number} from acme/feature-{number}\n\nFeature {number}"
            main_mark = emit("refs/heads/main", message, branch_files, [main_mark, tip])
            out.write(f"reset {branch}\n\n".encode())  # drop the branch ref, as after a merged PR
        else:
            main_mark = emit("refs/heads/main", f"Change {number} (#{number})", change(), [main_mark])
        written += 1
        if number % 100 == 0:
            out.write(f"reset refs/tags/v1.{number // 100}.0\nfrom :{main_mark}\n\n".encode())
    out.close()
    if importer.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "-C", str(path), "reset", "-q", "--hard", "main"], check=True)


def best_of(runs: int, measure) -> tuple[float, float]:
    """(wall, CPU) seconds of the fastest of several runs: on a shared machine slower runs measure the
    neighbours. CPU adds this process and its git children, so it does not depend on their load."""
    results = []
    for _ in range(runs):
        cpu_before = _cpu_seconds()
        wall = measure()
        results.append((wall, _cpu_seconds() - cpu_before))
    return min(results)


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def time_git(path: Path, args: list[str]) -> float:
    """Seconds to run a git command and drain its output, as a loader reading it would."""
    started = time.perf_counter()
    process = subprocess.Popen(["git", "-C", str(path), *args], stdout=subprocess.PIPE)
    while process.stdout.read(1 << 20):
        pass
    process.wait()
    return time.perf_counter() - started


def time_flowgauge(path: Path, line_age: bool) -> float:
    """Seconds for a complete first load into a new snapshot file."""
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        load_git_repos([path], Path(folder) / "bench.duckdb", line_age=line_age)
        return time.perf_counter() - started


def time_pydriller(path: Path, limit: int) -> tuple[float, float, int]:
    """(wall, CPU) seconds for PyDriller to read the newest `limit` commits with their modified lines."""
    from pydriller import Repository

    started, cpu_before, seen = time.perf_counter(), _cpu_seconds(), 0
    for commit in Repository(str(path), order="reverse").traverse_commits():
        for modified in commit.modified_files:
            modified.added_lines, modified.deleted_lines  # noqa: B018 - forces PyDriller to parse the diff
        seen += 1
        if seen >= limit:
            break
    return time.perf_counter() - started, _cpu_seconds() - cpu_before, seen


def peak_rss_mb(path: Path, line_age: bool) -> float:
    """Peak resident memory in MB of a fresh Python process loading the clone.

    Read from VmHWM: ru_maxrss would carry over the RSS of this (large) process across fork and exec.
    """
    code = (
        "import tempfile, pathlib\n"
        "from flowgauge.loaders.git import load_git_repos\n"
        "with tempfile.TemporaryDirectory() as d:\n"
        f"    load_git_repos([{str(path)!r}], pathlib.Path(d) / 'm.duckdb', line_age={line_age})\n"
        "status = pathlib.Path('/proc/self/status').read_text()\n"
        "print(next(int(line.split()[1]) for line in status.splitlines() if line.startswith('VmHWM:')) / 1024)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout.strip())


def truncated_clone(path: Path, keep_fraction: float, into: Path) -> Path:
    """A clone sharing path's objects whose main stops after keep_fraction of the first-parent line."""
    line = subprocess.run(
        ["git", "-C", str(path), "rev-list", "--first-parent", "--reverse", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    subprocess.run(["git", "clone", "-q", "--shared", "--bare", str(path), str(into)], check=True)
    subprocess.run(["git", "-C", str(into), "update-ref", "HEAD", line[int(len(line) * keep_fraction) - 1]], check=True)
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--build", type=int, default=0, help="first build a synthetic repository of N commits")
    parser.add_argument("--pydriller-commits", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each command, fastest counts; 0: none")
    parser.add_argument("--memory", action="store_true")
    args = parser.parse_args()
    if args.build:
        started = time.perf_counter()
        build_repository(args.path, args.build)
        print(f"built {args.path} in {time.perf_counter() - started:.1f} s")
    total = int(subprocess.run(["git", "-C", str(args.path), "rev-list", "--count", "HEAD"], capture_output=True,
                               text=True, check=True).stdout)  # fmt: skip
    line = int(subprocess.run(["git", "-C", str(args.path), "rev-list", "--count", "--first-parent", "HEAD"],
                              capture_output=True, text=True, check=True).stdout)  # fmt: skip
    print(f"{args.path}: {total:,} commits, {line:,} on the first-parent line")
    if args.runs:
        report_times(args, total, line)
    if args.memory:
        report_memory(args.path)


def report_times(args: argparse.Namespace, total: int, line: int) -> None:
    """Time the floors, flowgauge and PyDriller; print seconds, rates and ratios."""
    # One untimed load first: it pays one-off imports (DuckDB pulls in pandas) and warms git's caches.
    time_flowgauge(args.path, line_age=False)
    numstat = best_of(args.runs, lambda: time_git(args.path, ["log", "--numstat", "HEAD"]))
    history_pass = best_of(args.runs, lambda: time_git(args.path, ["log", *LOG_OPTIONS, "HEAD"]))
    merge_pass = best_of(args.runs, lambda: time_git(args.path, ["log", *MERGE_OPTIONS, "HEAD"]))
    patch = best_of(args.runs, lambda: time_git(args.path, ["log", "-p", "-U0", "--first-parent", "HEAD"]))
    plain = best_of(args.runs, lambda: time_flowgauge(args.path, line_age=False))
    aged = best_of(args.runs, lambda: time_flowgauge(args.path, line_age=True))
    rows = [
        ("git log --numstat (floor)", *numstat, total),
        ("git log, the loader's history pass", *history_pass, total),
        ("git log, the loader's merge pass", *merge_pass, total),
        ("git log -p -U0 --first-parent (floor)", *patch, line),
        ("flowgauge, no line age", *plain, total),
        ("flowgauge, with line age", *aged, total),
    ]
    if args.pydriller_commits:
        driller_wall, driller_cpu, seen = time_pydriller(args.path, args.pydriller_commits)
        rows.append((f"PyDriller, newest {seen:,} commits, modified lines", driller_wall, driller_cpu, seen))
    print(f"{'':<48} {'wall s':>8} {'CPU s':>8} {'commits/s':>10}")
    for label, wall, cpu, commits in rows:
        print(f"{label:<48} {wall:8.2f} {cpu:8.2f} {commits / wall:10,.0f}")
    for label, ours, floor, goal in (
        ("flowgauge (no line age) / git log --numstat", plain, numstat, "goal <= 1.5x"),
        ("flowgauge (no line age) / its history pass", plain, history_pass, ""),
        ("flowgauge (line age) / git log -p -U0", aged, patch, "goal <= 4x"),
    ):
        print(f"ratio {label:<48} wall {ours[0] / floor[0]:.2f}x  CPU {ours[1] / floor[1]:.2f}x  {goal}")
    if args.pydriller_commits:
        per_commit = driller_wall / seen
        print(f"ratio PyDriller / flowgauge per commit, wall: {per_commit / (plain[0] / total):.1f}x without line age, "
              f"{per_commit / (aged[0] / total):.1f}x with line age")  # fmt: skip


def report_memory(path: Path) -> None:
    """Peak memory loading a quarter of the history and all of it: flat means the same figures."""
    with tempfile.TemporaryDirectory() as folder:
        quarter = truncated_clone(path, 0.25, Path(folder) / "quarter.git")
        for label, clone in (("quarter of history", quarter), ("full history", path)):
            for line_age in (False, True):
                age = "with line age" if line_age else "no line age  "
                print(f"peak RSS of the loading process, {label:<18} {age}: {peak_rss_mb(clone, line_age):6.0f} MB")


if __name__ == "__main__":
    main()
