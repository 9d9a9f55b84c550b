"""Initiatives and goals from a TOML file (`flowgauge initiatives import FILE`): read, checked as a whole, then
saved in one write, so a file with one mistake changes nothing."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from flowgauge.org_config.lines import KeyLines
from flowgauge.organisation_data.model import BadOrganisationData, Goal, Initiative, goal_from, initiative_from
from flowgauge.organisation_data.store import Change, save_changes

TABLES = ("initiative", "goal")


def read_organisation_file(path: str | os.PathLike) -> tuple[list[Initiative], list[Goal]]:
    """The [[initiative]] and [[goal]] tables of a TOML file; BadOrganisationData names the file, line and problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadOrganisationData(f"{path}: no such file") from None
    except IsADirectoryError:
        raise BadOrganisationData(f"{path}: is a directory, not a TOML file") from None
    except UnicodeDecodeError as error:
        raise BadOrganisationData(f"{path}: not UTF-8 text (bad byte at offset {error.start})") from None
    except OSError as error:
        raise BadOrganisationData(f"{path}: cannot be read ({error.strerror or error})") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise BadOrganisationData(f"{path}: not valid TOML ({error})") from None
    unknown = sorted(set(raw) - set(TABLES))
    if unknown:
        raise BadOrganisationData(
            f"{path}: unknown table or key {unknown[0]!r}; the file holds [[initiative]] and [[goal]] tables"
        )
    lines = KeyLines(text)
    tables = {}
    for name in TABLES:
        value = raw.get(name, [])
        if not isinstance(value, list):
            raise BadOrganisationData(f"{path}, line {lines.line((name,))}: write [[{name}]], one table per {name}")
        tables[name] = value
    initiatives = [
        initiative_from(values, _where(path, lines, "initiative", index))
        for index, values in enumerate(tables["initiative"])
    ]
    goals = [goal_from(values, _where(path, lines, "goal", index)) for index, values in enumerate(tables["goal"])]
    names = [initiative.name for initiative in initiatives]
    twice = next((name for name in names if names.count(name) > 1), None)
    if twice is not None:
        raise BadOrganisationData(f"{path}: initiative {twice!r} is written twice")
    keys = [goal.key for goal in goals]
    twice_goal = next((key for key in keys if keys.count(key) > 1), None)
    if twice_goal is not None:
        raise BadOrganisationData(f"{path}: the goal for {' / '.join(twice_goal)} is written twice")
    if not initiatives and not goals:
        raise BadOrganisationData(f"{path}: no [[initiative]] or [[goal]] tables")
    return initiatives, goals


def import_organisation_file(snapshot_path: str | os.PathLike, path: str | os.PathLike, by: str) -> list[Change]:
    """Create or update every initiative and goal of the file beside the snapshot; returns the changes logged."""
    initiatives, goals = read_organisation_file(path)
    return save_changes(snapshot_path, initiatives, goals, by)


def _where(path: Path, lines: KeyLines, table: str, index: int) -> str:
    line = lines.line((table, index))
    return f"{path}, line {line} ([[{table}]] {index + 1})" if line else f"{path} ([[{table}]] {index + 1})"
