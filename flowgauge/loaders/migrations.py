"""Schema migrations: SQL that brings a snapshot from one schema version to the next.

MIGRATIONS[n] upgrades a version-n snapshot to n + 1. Version 1 is the first released schema, so
there is nothing to migrate yet; a snapshot without a path to the current version is refused.
"""

MIGRATIONS: dict[int, str] = {}
