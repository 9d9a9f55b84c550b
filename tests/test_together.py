"""run_together: every task at once, the first on the caller's thread; failures raised in the caller after all end."""

import threading

import pytest

from flowgauge.together import run_together


def test_the_tasks_run_at_once_the_first_on_the_callers_thread():
    all_started = threading.Barrier(3, timeout=10)  # each task waits for the others: only at once can they all pass
    ran_on: dict[int, threading.Thread] = {}

    def task(number: int) -> None:
        ran_on[number] = threading.current_thread()
        all_started.wait()

    readied: list[threading.Thread] = []
    run_together([lambda: task(0), lambda: task(1), lambda: task(2)], "test-together", on_start=readied.append)
    assert ran_on[0] is threading.current_thread()
    assert {thread.name for thread in (ran_on[1], ran_on[2])} == {"test-together"}
    assert readied == [ran_on[1], ran_on[2]]  # each other thread readied before it ran
    assert all(thread.daemon and not thread.is_alive() for thread in readied)  # never holds up a stopping server


def test_a_failure_is_raised_in_the_caller_once_every_task_has_ended():
    finished = threading.Event()

    def slow() -> None:
        finished.wait(0.2)
        finished.set()

    def failing() -> None:
        raise ValueError("the second task failed")

    with pytest.raises(ValueError, match="the second task failed"):
        run_together([slow, failing], "test-together")
    assert finished.is_set()  # the caller's own task ran to its end before the failure was raised

    with pytest.raises(KeyError):
        run_together([lambda: {}["missing"], slow], "test-together")
