"""`flowgauge export SNAPSHOT --parquet DIR`: every table read back with pyarrow.dataset and DuckDB, same counts and
checksums as the snapshot, comments as field metadata, and bad targets refused on one line with nothing left behind."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.dataset as ds
import pytest

from flowgauge.export import parquet
from flowgauge.export.parquet import ExportError, save_parquet_export, table_checksum_sql
from flowgauge.snapshot import open_snapshot


def flowgauge(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flowgauge.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )


def snapshot_tables(path: Path) -> dict[str, tuple[int, str, list[str]]]:
    """Each table's (rows, checksum, columns) computed on the snapshot itself."""
    con = open_snapshot(path)
    try:
        columns: dict[str, list[str]] = {}
        for table, column in con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "ORDER BY table_name, column_index"
        ).fetchall():
            columns.setdefault(table, []).append(column)
        result = {}
        for table, names in columns.items():
            rows, checksum = con.execute(table_checksum_sql(f'"{table}"', names)).fetchall()[0]
            result[table] = (rows, checksum, names)
        return result
    finally:
        con.close()


def test_export_round_trips_through_pyarrow_dataset_and_duckdb(app_data_dir, tmp_path):
    snapshot = app_data_dir / "demo.duckdb"
    out = tmp_path / "export"
    result = flowgauge("export", str(snapshot), "--parquet", str(out), "--partition-min-rows", "3")
    assert result.returncode == 0, result.stderr
    expected = snapshot_tables(snapshot)
    assert f"Wrote {len(expected)} tables" in result.stdout
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["tables"]
    assert set(manifest) == set(expected)
    assert expected["pull_requests"][0] > 3  # the fixture is large enough for pull_requests to be split by month

    con = duckdb.connect()
    for table, (rows, checksum, names) in expected.items():
        entry = manifest[table]
        assert (entry["rows"], entry["checksum"]) == (rows, checksum), table
        # pyarrow.dataset, reading the month folders as a Hive partition
        data = ds.dataset(out / table, format="parquet", partitioning="hive").to_table()
        assert data.num_rows == rows, table
        con.register("read_back", data)
        assert con.execute(table_checksum_sql("read_back", names)).fetchall()[0] == (rows, checksum), table
        con.unregister("read_back")
        # DuckDB on its own
        files = str(out / table / "**" / "*.parquet")
        relation = f"read_parquet('{files}', hive_partitioning = true)"
        assert con.execute(table_checksum_sql(relation, names)).fetchall()[0] == (rows, checksum), table

    assert manifest["pull_requests"]["partitioned_by"] == "created_at"
    months = sorted(p.name for p in (out / "pull_requests").iterdir())
    assert months and all(len(m) == len("month=2024-03") and m.startswith("month=") for m in months)
    assert manifest["people"]["partitioned_by"] is None  # no event time: one file
    assert manifest["people"]["files"] == 1

    schema = ds.dataset(out / "pull_requests", format="parquet", partitioning="hive").schema
    assert schema.field("created_at").metadata[b"comment"] == b"UTC time the PR was opened (as a draft or not)"
    assert schema.metadata[b"comment"] == b"Pull requests (GitHub) and merge requests (GitLab)."
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left


def test_bad_targets_are_one_line_messages(app_data_dir, tmp_path):
    missing = flowgauge("export", str(tmp_path / "nope.duckdb"), "--parquet", str(tmp_path / "out"))
    assert missing.returncode == 1
    message = f"flowgauge: error: {tmp_path / 'nope.duckdb'}: no such snapshot file"
    assert missing.stderr.strip().splitlines() == [message]
    assert not (tmp_path / "out").exists()

    snapshot = app_data_dir / "demo.duckdb"
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ExportError, match="folder is not empty; pass --overwrite"):
        save_parquet_export(snapshot, busy)
    with pytest.raises(ExportError, match=r"not an earlier Flowgauge export \(no manifest.json\)"):
        save_parquet_export(snapshot, busy, overwrite=True)
    assert (busy / "notes.txt").read_text(encoding="utf-8") == "mine"

    a_file = tmp_path / "a-file"
    a_file.write_text("x", encoding="utf-8")
    with pytest.raises(ExportError, match="exists and is not a folder"):
        save_parquet_export(snapshot, a_file)
    with pytest.raises(ExportError, match="is not an existing folder"):
        save_parquet_export(snapshot, a_file / "out")


def test_overwrite_replaces_an_earlier_export_and_a_failure_keeps_it(app_data_dir, tmp_path, monkeypatch):
    snapshot = app_data_dir / "demo.duckdb"
    out = tmp_path / "export"
    save_parquet_export(snapshot, out)
    (out / "stale.parquet").write_bytes(b"left from an older export")
    save_parquet_export(snapshot, out, overwrite=True)
    assert not (out / "stale.parquet").exists() and (out / "manifest.json").is_file()
    before = sorted(str(p.relative_to(out)) for p in out.rglob("*"))

    calls = []

    def fail_on_third(*args, **kwargs):
        calls.append(args[1])
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    real = parquet._export_table
    monkeypatch.setattr(parquet, "_export_table", fail_on_third)
    with pytest.raises(ExportError, match=r"export: export failed \(No space left on device\); nothing was written"):
        save_parquet_export(snapshot, out, overwrite=True)
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == before  # the earlier export is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export"]  # the temporary folder was removed
