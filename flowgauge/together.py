"""Running a few pieces of work at once: the first on the calling thread, each other on a thread of its own.

DuckDB runs one statement on about one core of two at its serial steps, so the app runs independent statements side
by side (a window's fact tables, the PR and the other values sources, a view and its previous window). Failures are
raised in the caller's thread, where the page or command that asked can report them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence


def run_together(
    tasks: Sequence[Callable[[], None]],
    name: str,
    on_start: Callable[[threading.Thread], None] | None = None,
) -> None:
    """Run every task at once and return when all have ended; the first failure, if any, is raised here.

    The threads are daemons, so a stopping server never waits for them. on_start(thread), when given, readies each
    thread before it starts (a Streamlit page hands it its script context so that the caches serve it)."""
    failures: list[BaseException] = []

    def run(task: Callable[[], None]) -> None:
        try:
            task()
        except BaseException as error:  # raised again below, in the caller's thread
            failures.append(error)

    threads = [threading.Thread(target=run, args=(task,), name=name, daemon=True) for task in tasks[1:]]
    for thread in threads:
        if on_start is not None:
            on_start(thread)
        thread.start()
    try:
        run(tasks[0])
    finally:
        for thread in threads:
            thread.join()
    if failures:
        raise failures[0]
