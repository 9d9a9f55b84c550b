"""`flowgauge info --clean`: remove the work files crashed or failed loads left beside snapshots, and say so."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape

from flowgauge.errors import SnapshotNotFound
from flowgauge.loaders.work_files import clean_folder
from flowgauge.metrics.facts import CACHE_FOLDER, remove_abandoned_builds


def clean_leftovers(folder: Path, console: Console) -> None:
    """Remove the stale leftovers of the snapshots in folder and of its facts cache, and list them."""
    if not folder.is_dir():
        raise SnapshotNotFound(f"{folder}: folder does not exist")
    folder = folder.resolve()
    cleaning = clean_folder(folder)
    removed = cleaning.removed + remove_abandoned_builds(folder / CACHE_FOLDER)
    for item in removed:
        console.print(f"Removed {escape(str(item.path))} ({_size(item.size_bytes)})", highlight=False)
    for target in cleaning.busy:
        console.print(f"Skipped {escape(str(target))}: a load is writing it now", highlight=False)
    for partial in cleaning.resumable:
        console.print(
            f"Kept {escape(str(partial))} ({_size(_bytes(partial))}): the interrupted API load it holds resumes "
            "from it on its next run",
            highlight=False,
        )
    freed = sum(item.size_bytes for item in removed)
    if removed:
        console.print(
            f"Removed {len(removed)} leftover files from {escape(str(folder))}, freed {_size(freed)}", highlight=False
        )
    else:
        console.print(f"No leftovers in {escape(str(folder))}", highlight=False)


def _bytes(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _size(size_bytes: int) -> str:
    """Bytes in the largest unit that keeps the number at 1 or more, to one decimal."""
    if size_bytes < 1024:
        return f"{size_bytes:,} bytes"
    value = size_bytes / 1024
    for unit in ("KB", "MB"):
        if value < 1024:
            return f"{value:,.1f} {unit}"
        value /= 1024
    return f"{value:,.1f} GB"
