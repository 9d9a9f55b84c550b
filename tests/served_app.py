"""Running `flowgauge serve` for a test: a free loopback port, the health wait, and the process stopped afterwards."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx

FLOWGAUGE = [sys.executable, "-m", "flowgauge.cli.main"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(base: str, process: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    """Return once Streamlit's health check answers ok; fail (pointing at the log) if the process ends first."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(f"{base}/_stcore/health", timeout=2).text == "ok":
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"the dashboard did not start (exit {process.poll()}): {log.read_text()[-2000:]}")
        time.sleep(0.3)


@contextlib.contextmanager
def serving(
    args: Sequence[str], cwd: Path, log: Path, command: Sequence[str] = FLOWGAUGE, env: dict[str, str] | None = None
) -> Iterator[str]:
    """`flowgauge serve ARGS --port P` (P free, loopback) in cwd; yields its base URL once healthy, then stops it."""
    port = free_port()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("FLOWGAUGE_")}
    with log.open("w") as output:
        process = subprocess.Popen(
            [*command, "serve", *args, "--port", str(port)],
            cwd=cwd,
            env={**environment, **(env or {})},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_healthy(base, process, log)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)
