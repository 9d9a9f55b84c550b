"""The organisation's own data (initiatives, team goals and the log of every change to them) in one JSON file beside
the snapshot: `<snapshot stem>.organisation.json`.

Beside, not inside: every load writes a new snapshot and renames it over the old one, so anything kept in the
snapshot would be lost on the next sync. JSON rather than a second DuckDB file: the app lists every `*.duckdb` of the
data folder as a snapshot, a few hundred records need no database, and the file stays readable and diffable when it
is backed up or put under version control. Writes take an advisory lock beside it (`.<file>.lock`) and replace the
file atomically (written under a hidden temporary name, then renamed), so a reader never sees half a file and two
editors never lose each other's change.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flowgauge.organisation_data.model import BadOrganisationData, Goal, Initiative, goal_from, initiative_from

try:  # POSIX advisory locks serialise editors; without them (Windows) the last write wins.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

FORMAT = 1
SUFFIX = ".organisation.json"


@dataclass(frozen=True)
class Change:
    """One recorded change: when (UTC), by whom, to which initiative or goal, and its values before and after."""

    at: str  # ISO 8601 UTC, e.g. 2026-12-07T12:00:00Z
    by: str
    kind: str  # initiative | goal
    subject: str  # the initiative's name, or "team / metric / statistic" of a goal
    action: str  # create | update | delete
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready plain values."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class Organisation:
    """Everything the organisation keeps beside a snapshot: initiatives by start day, goals, and the change log."""

    initiatives: tuple[Initiative, ...] = ()
    goals: tuple[Goal, ...] = ()
    changes: tuple[Change, ...] = ()

    def initiative(self, name: str) -> Initiative | None:
        """The initiative called name, if any."""
        return next((item for item in self.initiatives if item.name == name), None)


def organisation_path(snapshot_path: str | os.PathLike) -> Path:
    """Where the organisation data of the snapshot at snapshot_path is kept: beside it, named after it."""
    path = Path(snapshot_path)
    return path.with_name(path.stem + SUFFIX)


def load_organisation(snapshot_path: str | os.PathLike) -> Organisation:
    """The initiatives, goals and changes kept beside the snapshot (none when the file does not exist yet)."""
    return _read(organisation_path(snapshot_path))


def save_initiative(
    snapshot_path: str | os.PathLike, initiative: Initiative, by: str, replacing: str | None = None
) -> Change | None:
    """Create or update an initiative (replacing: its name before a rename); the change is logged. None when the
    initiative was already exactly so."""
    made = save_changes(snapshot_path, [initiative], [], by, renamed={initiative.name: replacing} if replacing else {})
    return made[0] if made else None


def delete_initiative(snapshot_path: str | os.PathLike, name: str, by: str) -> Change:
    """Remove the initiative called name, logging it; BadOrganisationData when there is none."""

    def edit(data: Organisation) -> tuple[Organisation, list[Change]]:
        old = data.initiative(name)
        if old is None:
            raise BadOrganisationData(f"no initiative called {name!r}")
        kept = tuple(item for item in data.initiatives if item.name != name)
        return replace(data, initiatives=kept), [_change(by, "initiative", name, "delete", old.as_dict(), None)]

    return _update(organisation_path(snapshot_path), edit)[0]


def save_goal(snapshot_path: str | os.PathLike, goal: Goal, by: str) -> Change | None:
    """Create or update the goal with goal's key (team, metric, statistic); the change is logged, None if none."""
    made = save_changes(snapshot_path, [], [goal], by)
    return made[0] if made else None


def delete_goal(snapshot_path: str | os.PathLike, key: tuple[str, str, str], by: str) -> Change:
    """Remove the goal with key (team, metric, statistic), logging it; BadOrganisationData when there is none."""

    def edit(data: Organisation) -> tuple[Organisation, list[Change]]:
        old = next((goal for goal in data.goals if goal.key == tuple(key)), None)
        if old is None:
            raise BadOrganisationData(f"no goal for {' / '.join(key)}")
        kept = tuple(goal for goal in data.goals if goal.key != old.key)
        return replace(data, goals=kept), [_change(by, "goal", _goal_subject(old), "delete", old.as_dict(), None)]

    return _update(organisation_path(snapshot_path), edit)[0]


def save_changes(
    snapshot_path: str | os.PathLike,
    initiatives: Iterable[Initiative],
    goals: Iterable[Goal],
    by: str,
    renamed: dict[str, str] | None = None,
) -> list[Change]:
    """Create or update every initiative (by name) and goal (by key) in one write; one logged change per item that
    differs from what was kept (a goal keeps the day it was first set). Returns the changes made."""
    renamed = renamed or {}

    def edit(data: Organisation) -> tuple[Organisation, list[Change]]:
        made: list[Change] = []
        kept_initiatives = {item.name: item for item in data.initiatives}
        for initiative in initiatives:
            old_name = renamed.get(initiative.name, initiative.name)
            if old_name != initiative.name and initiative.name in kept_initiatives:
                raise BadOrganisationData(f"an initiative called {initiative.name!r} exists already")
            old = kept_initiatives.pop(old_name, None)
            kept_initiatives[initiative.name] = initiative
            if old != initiative:
                action = "create" if old is None else "update"
                before = old.as_dict() if old else None
                made.append(_change(by, "initiative", initiative.name, action, before, initiative.as_dict()))
        kept_goals = {goal.key: goal for goal in data.goals}
        for goal in goals:
            old = kept_goals.get(goal.key)
            if old is not None:
                goal = replace(goal, set_on=old.set_on)
            kept_goals[goal.key] = goal
            if old is None or old.as_dict() != goal.as_dict():
                action = "create" if old is None else "update"
                before = old.as_dict() if old else None
                made.append(_change(by, "goal", _goal_subject(goal), action, before, goal.as_dict()))
        updated = replace(
            data,
            initiatives=tuple(sorted(kept_initiatives.values(), key=lambda item: (item.start, item.name))),
            goals=tuple(sorted(kept_goals.values(), key=lambda goal: goal.key)),
        )
        return updated, made

    return _update(organisation_path(snapshot_path), edit)


def _goal_subject(goal: Goal) -> str:
    return f"{goal.team} / {goal.metric} / {goal.statistic}"


def _change(by: str, kind: str, subject: str, action: str, before: Any, after: Any) -> Change:
    at = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return Change(at, by.strip() or "unknown", kind, subject, action, before, after)


def _update(path: Path, edit: Callable[[Organisation], tuple[Organisation, list[Change]]]) -> list[Change]:
    """Under the lock: apply edit to the data now on disk and, when it made changes, write the result with them
    logged."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path):
        data = _read(path)
        updated, made = edit(data)
        if made:
            _write(path, replace(updated, changes=(*data.changes, *made)))
    return made


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    lock_path = path.with_name(f".{path.name}.lock")
    with open(lock_path, "a+b") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _write(path: Path, data: Organisation) -> None:
    text = json.dumps(
        {
            "format": FORMAT,
            "initiatives": [item.as_dict() for item in data.initiatives],
            "goals": [goal.as_dict() for goal in data.goals],
            "changes": [change.as_dict() for change in data.changes],
        },
        indent=2,
        ensure_ascii=False,
    )
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        temporary.write_text(text + "\n", encoding="utf-8")
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise BadOrganisationData(f"{path}: not written ({error.strerror or error}); nothing changed") from None


def _read(path: Path) -> Organisation:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Organisation()
    except (OSError, UnicodeDecodeError) as error:
        raise BadOrganisationData(f"{path}: cannot be read ({error})") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise BadOrganisationData(f"{path}: not valid JSON at line {error.lineno}, column {error.colno}") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise BadOrganisationData(f"{path}: not organisation data of format {FORMAT}")
    initiatives = tuple(
        initiative_from(_object(values, f"{path}: initiatives[{index}]"), f"{path}: initiatives[{index}]")
        for index, values in enumerate(_list(raw, "initiatives", path))
    )
    goals = tuple(
        goal_from(_object(values, f"{path}: goals[{index}]"), f"{path}: goals[{index}]")
        for index, values in enumerate(_list(raw, "goals", path))
    )
    changes = []
    for index, values in enumerate(_list(raw, "changes", path)):
        try:
            changes.append(Change(**_object(values, f"{path}: changes[{index}]")))
        except TypeError:
            raise BadOrganisationData(f"{path}: changes[{index}] is not a logged change") from None
    return Organisation(initiatives, goals, tuple(changes))


def _list(raw: dict[str, Any], key: str, path: Path) -> list[Any]:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise BadOrganisationData(f"{path}: {key} must be a list")
    return value


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadOrganisationData(f"{where} must be an object")
    return value
