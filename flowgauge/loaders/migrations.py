"""Schema migrations: SQL that brings a snapshot from one schema version to the next.

MIGRATIONS[n] upgrades a version-n snapshot to n + 1. Version 1 is the first released schema; a
snapshot without a path to the current version is refused.
"""

MIGRATIONS: dict[int, str] = {
    # 1 -> 2: sprint_items.added_after_start may be NULL (not known). A Jira CSV export, the only source of
    # 'jira:name:' sprints, cannot tell planned from added work: its false meant "unknown", so it becomes NULL.
    1: """
    ALTER TABLE sprint_items ALTER COLUMN added_after_start DROP NOT NULL;
    UPDATE sprint_items SET added_after_start = NULL WHERE sprint_id LIKE 'jira:name:%' AND NOT added_after_start;
    """,
}
