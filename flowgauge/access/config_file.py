"""Which flowgauge.toml the dashboard takes its [sign_in] from: the one `flowgauge serve` names, else one found.

A dashboard started by hand (`streamlit run app.py`) in a folder whose flowgauge.toml asks for sign-in must not serve
anyone without it, so the working directory and the data folder are searched as for the rules.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path

from flowgauge.org_config import load_org_config
from flowgauge.org_config.sign_in import SignIn
from flowgauge.rules.defaults import ORGANISATION_FILE_NAME


def find_config(explicit: str | None, folders: Iterable[Path]) -> Path | None:
    """The organisation config in force: explicit (from `flowgauge serve`), else flowgauge.toml in the first folder
    that has one; None when there is none."""
    if explicit:
        return Path(explicit)
    for folder in folders:
        candidate = folder / ORGANISATION_FILE_NAME
        if candidate.is_file():
            return candidate
    return None


def sign_in_of(path: Path | None) -> SignIn | None:
    """The [sign_in] of the config at path (None: no config, or one without [sign_in]); ConfigError when the file
    cannot be read, so a broken config never opens the dashboard to everyone."""
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
        has_sign_in = "sign_in" in tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        has_sign_in = True  # unreadable: load_org_config names the problem with its file and line
    return load_org_config(path).sign_in if has_sign_in else None
