"""Fixtures the robustness suite shares (see docs/robustness.md): the `flowgauge` command run as users run it."""

from __future__ import annotations

import pytest

from robustness.checks import FlowgaugeRun, run_flowgauge


@pytest.fixture
def flowgauge():
    """Run `flowgauge ARGS...` in a subprocess (the real console entry, errors and exit codes included)."""

    def invoke(*args: str, cwd=None, env=None, timeout: float = 120) -> FlowgaugeRun:
        return run_flowgauge(*args, cwd=cwd, env=env, timeout=timeout)

    return invoke
