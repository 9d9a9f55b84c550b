"""Schema migrations: SQL that brings a snapshot from one schema version to the next.

MIGRATIONS[n] upgrades a version-n snapshot to n + 1. Version 1 is the first released schema; a
snapshot without a path to the current version is refused. schema.sql runs after the migrations, so
a step only has to change what already exists or name what it adds for the record.
"""

MIGRATIONS: dict[int, str] = {
    # 1 -> 2: sprint_items.added_after_start may be NULL (not known). A Jira CSV export, the only source of
    # 'jira:name:' sprints, cannot tell planned from added work: its false meant "unknown", so it becomes NULL.
    1: """
    ALTER TABLE sprint_items ALTER COLUMN added_after_start DROP NOT NULL;
    UPDATE sprint_items SET added_after_start = NULL WHERE sprint_id LIKE 'jira:name:%' AND NOT added_after_start;
    """,
    # 2 -> 3: sprint_scope_events, the per-sprint item history the Jira loader reads from changelogs.
    2: """
    CREATE TABLE IF NOT EXISTS sprint_scope_events (
        sprint_id VARCHAR NOT NULL,
        item_key VARCHAR NOT NULL,
        event VARCHAR NOT NULL,
        event_at TIMESTAMP NOT NULL,
        story_points DOUBLE,
        PRIMARY KEY (sprint_id, item_key, event, event_at)
    );
    """,
    # 3 -> 4: sync_runs, each configured source's run by `flowgauge sync` (when, rows, the error if it failed).
    3: """
    CREATE TABLE IF NOT EXISTS sync_runs (
        source_name VARCHAR NOT NULL,
        source_kind VARCHAR NOT NULL,
        started_at TIMESTAMP NOT NULL,
        finished_at TIMESTAMP NOT NULL,
        succeeded BOOLEAN NOT NULL,
        rows_written BIGINT NOT NULL,
        error VARCHAR,
        freshness_hours DOUBLE NOT NULL,
        PRIMARY KEY (source_name, started_at)
    );
    """,
    # 4 -> 5: pr_code_origins, each PR's code origin with its evidence. Older snapshots' PRs have no row: unknown.
    4: """
    CREATE TABLE IF NOT EXISTS pr_code_origins (
        pr_id VARCHAR PRIMARY KEY,
        origin VARCHAR NOT NULL,
        evidence_kind VARCHAR,
        evidence VARCHAR
    );
    """,
}
