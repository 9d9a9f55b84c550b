"""`flowgauge serve` prepares the data folder's never-prepared snapshots as it starts (dashboard/preparing.py): the
organisation's snapshot first, each in a low-priority child process, into the cache file the dashboard then attaches,
so its first view only filters the facts; and each snapshot copied into the folder while it serves, once the copy is
finished."""

import shutil
import time

from flowgauge.dashboard.preparing import SnapshotWatch, snapshots_to_prepare, start_preparing
from flowgauge.metrics.facts import cache_folder, keep_facts, release_facts, warm_facts
from flowgauge.metrics.filters import DEFAULT_RULES, LinkingRules
from flowgauge.snapshot import open_snapshot, snapshot_identity


def test_the_organisations_snapshot_is_prepared_first(tmp_path):
    for name in ("alpha", "org", "zulu"):
        (tmp_path / f"{name}.duckdb").write_bytes(b"")
    assert [path.stem for path in snapshots_to_prepare(tmp_path, "org")] == ["org", "alpha", "zulu"]
    assert [path.stem for path in snapshots_to_prepare(tmp_path, None)] == ["alpha", "org", "zulu"]
    assert [path.stem for path in snapshots_to_prepare(tmp_path, "gone")] == ["alpha", "org", "zulu"]


def test_a_never_prepared_snapshot_is_ready_for_its_first_view(app_data_dir, tmp_path, caplog):
    shutil.copy(app_data_dir / "demo.duckdb", tmp_path / "demo.duckdb")
    (tmp_path / "broken.duckdb").write_text("not a snapshot")
    rules = LinkingRules(bot_logins=("release-robot",))  # the rules file in force: the facts are prepared for them

    start_preparing(tmp_path, "demo", rules).stop(timeout=120)  # stopping lets it finish the start's pass

    con = open_snapshot(tmp_path / "demo.duckdb")
    try:
        assert keep_facts(con, snapshot_identity(tmp_path / "demo.duckdb"))
        # build=False: only attached from the cache file, as the dashboard does before drawing a page.
        assert warm_facts(con, rules, build=False)
        assert not warm_facts(con, DEFAULT_RULES, build=False)  # other rules: not prepared
    finally:
        release_facts(con)
        con.close()
    # The file that is no snapshot is named in one line and skipped; nothing of it is left in the cache folder.
    assert "broken.duckdb: facts not prepared; its first view builds them" in caplog.text
    assert [path.name.split(".")[0] for path in cache_folder(tmp_path / "demo.duckdb").iterdir()] == ["demo"]


def test_an_unreadable_snapshot_is_reported_as_left_unprepared(tmp_path):
    (tmp_path / "broken.duckdb").write_text("not a snapshot")
    assert SnapshotWatch(tmp_path, None, DEFAULT_RULES).prepare_all() == [tmp_path / "broken.duckdb"]


def is_prepared(path, rules) -> bool:
    con = open_snapshot(path)
    try:
        return keep_facts(con, snapshot_identity(path)) and warm_facts(con, rules, build=False)
    finally:
        release_facts(con)
        con.close()


def test_a_snapshot_copied_in_while_serving_is_prepared_once_the_copy_is_finished(app_data_dir, tmp_path, caplog):
    """Each look of the watch sees the folder as a poll every few seconds would: a file still growing is left alone
    (a half-copied snapshot is no DuckDB file), the finished one is prepared once, and one replaced later again."""
    watch = SnapshotWatch(tmp_path, None, DEFAULT_RULES)
    assert watch.prepare_all() == []  # an empty folder at start
    whole = (app_data_dir / "demo.duckdb").read_bytes()
    copied = tmp_path / "copied.duckdb"

    copied.write_bytes(whole[: len(whole) // 3])
    assert watch.look() == []  # new: not yet seen unchanged
    with copied.open("ab") as handle:
        handle.write(whole[len(whole) // 3 :])
    assert watch.look() == []  # still growing
    assert not is_prepared(copied, DEFAULT_RULES)
    assert watch.look() == [copied]  # unchanged for one look: prepared
    assert is_prepared(copied, DEFAULT_RULES)
    assert watch.look() == []  # prepared once
    assert "copied.duckdb: facts not prepared" not in caplog.text

    replacement = tmp_path / "replacement.tmp"
    shutil.copy(app_data_dir / "demo.duckdb", replacement)
    replacement.replace(copied)  # a new version swapped in, as a load publishes one
    assert watch.look() == []
    assert watch.look() == [copied]
    assert is_prepared(copied, DEFAULT_RULES)


def test_a_file_that_is_no_snapshot_is_reported_once_not_every_look(tmp_path, caplog):
    watch = SnapshotWatch(tmp_path, None, DEFAULT_RULES)
    watch.prepare_all()
    (tmp_path / "notes.duckdb").write_text("not a snapshot")
    assert [watch.look(), watch.look(), watch.look()] == [[], [tmp_path / "notes.duckdb"], []]
    assert caplog.text.count("notes.duckdb: facts not prepared; its first view builds them") == 1


def test_the_server_keeps_watching_until_stopped(app_data_dir, tmp_path):
    preparing = start_preparing(tmp_path, None, DEFAULT_RULES, every_seconds=0.05)
    try:
        shutil.copy(app_data_dir / "demo.duckdb", tmp_path / "later.duckdb")
        deadline = time.monotonic() + 120
        while not is_prepared(tmp_path / "later.duckdb", DEFAULT_RULES):
            assert time.monotonic() < deadline, "a snapshot copied in was never prepared"
            time.sleep(0.2)
    finally:
        preparing.stop(timeout=120)
    assert not preparing.thread.is_alive()
