"""A process measuring a goal's status on the dashboard's background thread (organisation.goal_status_later) over the
snapshot named on its command line, until SIGTERM, which it takes as Streamlit's server does: the main thread stops
waiting and returns, and the interpreter exits. tests/test_app_deferred.py times how long that exit takes."""

from __future__ import annotations

import signal
import sys
import threading
from datetime import date

from flowgauge.organisation_data import Goal
from flowgauge.ui import organisation
from flowgauge.ui.connection import connections

GOAL = Goal("platform", "pr_size", 50.0, "median", date(2026, 12, 31), date(2026, 3, 1))

if __name__ == "__main__":
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    identity = connections().identity(sys.argv[1])
    future = organisation.goal_status_later(identity, GOAL)
    print("measuring", flush=True)
    stopping.wait()
    print(f"stopping; the goal's status {'measured' if future.done() else 'still being measured'}", flush=True)
