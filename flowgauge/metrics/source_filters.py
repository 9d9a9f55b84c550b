"""Which of a selection's filters each values source reads: the key under which its aggregates hold.

Two selections that differ only in filters a source does not read give that source the same aggregates, so a
long-lived reader (the dashboard) can reuse them: turning bots on recomputes the PR, commit and review sources
and keeps deployments, planning, work items and surveys as they were.

What a source reads is taken from the SQL itself, never listed by hand: the $parameters of its values file, of
every file that stages a table it reads, and of the statement aggregation.py writes around it. A filter whose
parameter none of them names cannot change the source's result.
"""

from __future__ import annotations

from dataclasses import MISSING, fields, replace
from functools import cache

from flowgauge.metrics.aggregation import AGGREGATION_PARAMETERS
from flowgauge.metrics.catalogue import SOURCE_NEEDS
from flowgauge.metrics.engine import staging_files
from flowgauge.metrics.filters import Filters
from flowgauge.metrics.runner import parameters_of, sql_text

# Each optional filter (its name is also its SQL parameter) and the value that means "not narrowed".
_DEFAULTS = {field.name: field.default for field in fields(Filters) if field.default is not MISSING}


@cache
def parameters_read(source: str) -> frozenset[str]:
    """Every $parameter the source's aggregation reads, through the files that stage what it reads."""
    files = (source, *staging_files(SOURCE_NEEDS[source]))
    return AGGREGATION_PARAMETERS.union(*(parameters_of(sql_text(name)) for name in files))


def filters_read(source: str, filters: Filters) -> Filters:
    """filters with every filter the source does not read set back to its default: equal for two selections
    exactly when the source's aggregates are the same for both (the window is always read)."""
    read = parameters_read(source)
    unread = {name: default for name, default in _DEFAULTS.items() if name not in read}
    return replace(filters, **unread)
