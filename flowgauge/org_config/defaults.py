"""What readers (the dashboard, `flowgauge report`) take from the organisation config: its default benchmark set.

A file named with --config or $FLOWGAUGE_RULES may be a plain rules file or an organisation config; only the latter
has defaults. Otherwise readers look for flowgauge.toml in the working directory and the data folder, the folders
the rules are found in.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path

from flowgauge.org_config.config import DEFAULT_CONFIG, TOP_KEYS, load_org_config


def is_organisation_config(path: Path) -> bool:
    """True when the file is an organisation config rather than a rules file (whose tables are none of its keys)."""
    if path.name == DEFAULT_CONFIG.name:
        return True
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False  # the rules reader names what is wrong with it
    return bool(set(data) & TOP_KEYS)


def find_organisation_config(named: str | Path | None, folders: Iterable[Path]) -> Path | None:
    """The organisation config in force: the file named when it is one, else flowgauge.toml in each folder in turn."""
    if named:
        return Path(named) if is_organisation_config(Path(named)) else None
    for folder in folders:
        candidate = folder / DEFAULT_CONFIG.name
        if candidate.is_file():
            return candidate
    return None


def default_benchmark_set(config: Path | None) -> str | None:
    """The config's `benchmarks` (validated with the rest of the file), or None without a config or the key."""
    return load_org_config(config).benchmarks if config is not None else None
