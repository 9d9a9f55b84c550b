"""What every robustness case asserts: the exit status, one error line naming what was wrong, no traceback, and the
target snapshot byte-identical with nothing left beside it."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ERROR_PREFIX = "flowgauge: error: "


@dataclass(frozen=True)
class FlowgaugeRun:
    """A finished `flowgauge` process: exit status and its two streams."""

    returncode: int
    stdout: str
    stderr: str


def run_flowgauge(*args: str, cwd=None, env=None, timeout: float = 120) -> FlowgaugeRun:
    """Run the `flowgauge` command (its real entry point, python -m flowgauge.cli.main) in a subprocess."""
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "COLUMNS": "200", "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "flowgauge.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env={**environment, **(env or {})},
    )
    return FlowgaugeRun(result.returncode, result.stdout, result.stderr)


def one_error_line(output: str) -> str:
    """The single `flowgauge: error:` line of a failed run's stderr (its text after the prefix); fails the test when
    the run printed a traceback, no error line, or more than one."""
    assert "Traceback" not in output, output
    errors = [line for line in output.splitlines() if line.startswith(ERROR_PREFIX)]
    assert len(errors) == 1, output
    return errors[0].removeprefix(ERROR_PREFIX)


def digest(path: Path) -> str | None:
    """The SHA-256 of a file's bytes, or None when it does not exist."""
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def work_files(folder: Path) -> list[str]:
    """Names of the write leftovers in a data folder: work copies, their WALs, resume notes, unfinished cache builds
    (lock files are not leftovers: they are kept by design)."""
    names = [p.name for p in folder.iterdir() if p.name.startswith(".") and (".tmp-" in p.name or ".partial" in p.name)]
    cache = folder / ".flowgauge-cache"
    if cache.is_dir():
        names += [f".flowgauge-cache/{p.name}" for p in cache.iterdir() if ".building" in p.name]
    return sorted(names)
