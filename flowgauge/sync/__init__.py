"""`flowgauge sync`: every source of the organisation config loaded into its snapshot, each run recorded."""

from flowgauge.sync.runner import SourceRun, SyncBusy, run_sync

__all__ = ["SourceRun", "SyncBusy", "run_sync"]
