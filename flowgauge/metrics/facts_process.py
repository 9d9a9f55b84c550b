"""Building a snapshot's kept facts in a child process at a low CPU priority (nice 10).

The dashboard builds the whole snapshot's facts once a page has been drawn, so that later views only filter them.
At a million PRs that is about 20 CPU-seconds. Built on the server's own threads, they took both cores while the
browser was still drawing the first view, and the first view of a never-prepared snapshot took 1.6 s longer
(bench/README.md, session 13). A child process at nice 10 gets about a tenth of a core that a page or the
browser also wants, so they come first, yet it still finishes on a busy machine (at nice 19 it got about 1.5 %, and
a test waiting 30 s for its facts ran out of time beside a parallel test run). It writes the same cache file
`facts.cache_facts` writes for loaders, and the server then attaches it as it attaches any cached facts.

One child per cache file at a time: a second caller waits for the running one. A server that stops terminates
its children; an interrupted build leaves only its `.building` file, which the next build removes
(`facts.remove_abandoned_builds`).
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterable
from pathlib import Path

from flowgauge.rules.linking import LinkingRules

_log = logging.getLogger(__name__)
# Linux gives a nice-10 process 110/1134 of a core another process wants (nice 0 weighs 1024).
_PRIORITY = 10

_lock = threading.Lock()
_running: dict[str, _Build] = {}  # request (snapshot path, rules, environments) -> the child building it


class _Build:
    """One child's build: waiters block on done; ok says whether the cache file was written."""

    def __init__(self, child: subprocess.Popen) -> None:
        self.child = child
        self.done = threading.Event()
        self.ok = False


def build_in_child(snapshot_path: str | os.PathLike, rules: LinkingRules, environments: Iterable[str] = ()) -> bool:
    """Build the snapshot's kept facts for rules into its cache file in a low-priority child process, waiting for
    it; True when the child says the cache file is written. A build already running for the same snapshot and
    rules is waited for rather than started again."""
    request = json.dumps(
        {"snapshot": str(snapshot_path), "rules": rules.as_dict(), "environments": sorted(environments)},
        sort_keys=True,
    )
    with _lock:
        build = _running.get(request)
        if build is not None:
            starter = False
        else:
            try:
                child = subprocess.Popen(
                    [sys.executable, "-m", __name__],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            except OSError as error:
                _log.warning("facts not built in a child process (%s): building them here", error)
                return False
            build = _running[request] = _Build(child)
            starter = True
            _stop_children_at_exit()
    if not starter:
        build.done.wait()
        return build.ok
    try:
        _, errors = build.child.communicate(request)
        build.ok = build.child.returncode == 0
        if not build.ok and errors.strip():
            _log.warning("facts not built in a child process: %s", errors.strip().splitlines()[-1])
    except OSError as error:
        _log.warning("facts not built in a child process: %s", error)
    finally:
        with _lock:
            _running.pop(request, None)
        build.done.set()
    return build.ok


_registered = False


def _stop_children_at_exit() -> None:
    # Registered when the first child starts, not at import: atexit runs hooks last registered first, so a stopping
    # server ends its children before the dashboard's background work waits (up to a second) for whatever the
    # children were building for it (flowgauge/ui/deferred.py). Called with _lock held.
    global _registered
    if not _registered:
        atexit.register(_stop_children)
        _registered = True


def _stop_children() -> None:
    # A stopping server must not leave builds running (nor wait for them): each is asked to stop, and its unfinished
    # file is removed by the next build.
    with _lock:
        builds = list(_running.values())
    for build in builds:
        if build.child.poll() is None:
            build.child.terminate()


def _main() -> int:
    if hasattr(os, "nice"):
        os.nice(_PRIORITY)
    request = json.loads(sys.stdin.read())
    rules = LinkingRules(
        **{key: tuple(value) if isinstance(value, list) else value for key, value in request["rules"].items()}
    )
    # Imported after lowering the priority: the import itself is a noticeable part of a small snapshot's build.
    from flowgauge.errors import FlowgaugeError
    from flowgauge.metrics.facts import cache_facts

    try:
        cached = cache_facts(Path(request["snapshot"]), rules, tuple(request["environments"]))
    except (FlowgaugeError, OSError) as error:
        print(f"{request['snapshot']}: {error}", file=sys.stderr)
        return 2
    return 0 if cached else 1


if __name__ == "__main__":
    sys.exit(_main())
