"""Matching people in an imported file to people the snapshot already knows, through shared aliases."""

from __future__ import annotations

import pyarrow as pa

from flowgauge.loaders.imports.tables import dedupe_rows, table_specs
from flowgauge.loaders.store import SnapshotWriter

# Columns holding a people.person_id, per table.
PERSON_COLUMNS = {
    "people": ("person_id",),
    "person_aliases": ("person_id",),
    "team_memberships": ("person_id",),
    "work_items": ("assignee_id",),
    "pull_requests": ("author_id",),
    "pr_reviews": ("reviewer_id",),
    "commits": ("author_id",),
}


def known_people(writer: SnapshotWriter, aliases: pa.Table) -> dict[str, str]:
    """File person_id -> snapshot person_id for people whose e-mail, login, account id or name the snapshot has.

    A file person matching two different snapshot people is left alone: guessing would merge strangers.
    """
    writer.con.register("_file_aliases", aliases.select(["alias_kind", "alias", "person_id"]))
    try:
        rows = writer.con.execute(
            "SELECT f.person_id, min(s.person_id), count(DISTINCT s.person_id) "
            "FROM _file_aliases f JOIN person_aliases s ON s.alias_kind = f.alias_kind AND s.alias = f.alias "
            "GROUP BY f.person_id"
        ).fetchall()
    finally:
        writer.con.unregister("_file_aliases")
    return {local: known for local, known, matches in rows if matches == 1 and local != known}


def rename_people(tables: dict[str, pa.Table], renames: dict[str, str]) -> dict[str, pa.Table]:
    """The tables with every person id column rewritten through renames."""
    if not renames:
        return tables
    out = {}
    for name, table in tables.items():
        for column in PERSON_COLUMNS.get(name, ()):
            if column in table.column_names:
                values = [renames.get(v, v) for v in table.column(column).to_pylist()]
                index = table.column_names.index(column)
                table = table.set_column(index, column, pa.array(values, table.schema.field(column).type))
        if PERSON_COLUMNS.get(name) and table_specs()[name].key:
            # Two file people can be one known person: their rows may now share a key.
            rows, dropped = dedupe_rows(name, table.to_pylist())
            table = pa.Table.from_pylist(rows, schema=table.schema) if dropped else table
        out[name] = table
    return out
