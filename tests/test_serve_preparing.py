"""`flowgauge serve` prepares the data folder's never-prepared snapshots as it starts (dashboard/preparing.py): the
organisation's snapshot first, each in a low-priority child process, into the cache file the dashboard then attaches,
so its first view only filters the facts."""

import shutil

from flowgauge.dashboard.preparing import prepare_snapshots, snapshots_to_prepare, start_preparing
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

    start_preparing(tmp_path, "demo", rules).join(timeout=120)

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
    assert "broken.duckdb: facts not prepared at start" in caplog.text
    assert [path.name.split(".")[0] for path in cache_folder(tmp_path / "demo.duckdb").iterdir()] == ["demo"]


def test_an_unreadable_snapshot_is_reported_as_left_unprepared(tmp_path):
    (tmp_path / "broken.duckdb").write_text("not a snapshot")
    assert prepare_snapshots(tmp_path, None, DEFAULT_RULES) == [tmp_path / "broken.duckdb"]
