"""Flowgauge: delivery analytics for engineering leaders, from a local DuckDB snapshot."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("flowgauge")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
