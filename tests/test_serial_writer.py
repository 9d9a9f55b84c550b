"""load_in_parallel: workers' snapshot calls run on the calling thread, and a failure ends as a sequential load's."""

from __future__ import annotations

import threading
import time

import pytest

from flowgauge.loaders.serial_writer import load_in_parallel


class RecordingWriter:
    """Stands in for a SnapshotWriter: records which thread ran each call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def upsert(self, table: str, rows: list) -> int:
        self.calls.append((table, threading.current_thread().name))
        return len(rows)


def test_every_call_runs_on_the_calling_thread_and_results_keep_the_items_order():
    writer = RecordingWriter()

    def load(serial, item: int) -> int:
        time.sleep(0.01 * (5 - item))  # later items finish first
        return serial.upsert(f"t{item}", [item] * item)

    assert load_in_parallel(writer, [1, 2, 3, 4], 4, load) == [1, 2, 3, 4]
    assert {thread for _, thread in writer.calls} == {threading.current_thread().name}
    assert sorted(table for table, _ in writer.calls) == ["t1", "t2", "t3", "t4"]


def test_the_first_failing_item_in_order_is_raised_earlier_ones_finish_later_ones_stop():
    writer = RecordingWriter()

    def load(serial, item: int) -> None:
        if item == 4:
            raise ValueError("item 4 failed first")
        if item == 2:
            time.sleep(0.1)
            raise ValueError("item 2 failed later")
        for step in range(10):
            time.sleep(0.05)
            serial.upsert(f"t{item}.{step}", [])

    with pytest.raises(ValueError, match="item 2 failed later"):
        load_in_parallel(writer, [0, 1, 2, 3, 4, 5], 6, load)
    done = {table for table, _ in writer.calls}
    assert {f"t{i}.{s}" for i in (0, 1) for s in range(10)} <= done  # items before the failed one finished
    assert not {f"t{i}.9" for i in (3, 5)} & done  # later ones stopped at a call after the failure
