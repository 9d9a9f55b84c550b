"""A process doing the dashboard's background work until SIGTERM, which it takes as Streamlit's server does: the main
thread stops waiting and returns, and the interpreter exits. tests/test_app_deferred.py times that exit.

    measuring_process.py goal SNAPSHOT   measure a goal's status as the Overview does (organisation.goal_status_later)
    measuring_process.py endless         run a statement that never ends on the background thread, on a cursor of
                                         the connection Deferred.interruptible hands the work, as the metrics do

At exit it prints how the work ended, after flowgauge.ui.deferred's exit handler and before DuckDB's (which
interrupts every statement itself), so the line tells what Deferred's stop did.
"""

from __future__ import annotations

import atexit
import signal
import sys
import threading
from concurrent.futures import Future
from datetime import date

import duckdb  # before the handler below is registered: atexit runs the last registered first, DuckDB's last

futures: list[Future] = []


@atexit.register
def _report() -> None:
    for future in futures:
        if not future.done():
            print("at exit: still running", flush=True)
        elif future.cancelled() or future.exception() is None:
            print("at exit: ended", flush=True)
        else:
            print(f"at exit: {type(future.exception()).__name__}", flush=True)


from flowgauge.organisation_data import Goal  # noqa: E402 - after the handler above, so it runs after theirs
from flowgauge.ui import organisation  # noqa: E402
from flowgauge.ui.connection import connections  # noqa: E402
from flowgauge.ui.deferred import Deferred  # noqa: E402

GOAL = Goal("platform", "pr_size", 50.0, "median", date(2026, 12, 31), date(2026, 3, 1))
ENDLESS = "SELECT count(*) FROM range(100000000000) t(i) WHERE i % 7 = 3"


def endless(deferred: Deferred, started: threading.Event) -> list:
    with deferred.interruptible(duckdb.connect()) as con, con.cursor() as cursor:
        started.set()
        return cursor.execute(ENDLESS).fetchall()


if __name__ == "__main__":
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    if sys.argv[1] == "goal":
        futures.append(organisation.goal_status_later(connections().identity(sys.argv[2]), GOAL))
    else:
        deferred, started = Deferred(max_kept=1), threading.Event()
        futures.append(deferred.submit("endless", lambda: endless(deferred, started)))
        started.wait()
    print("measuring", flush=True)
    stopping.wait()
