"""`flowgauge demo`: a seeded, believable organisation with 18 months of delivery history in a fresh snapshot.

Six named teams (Payments elite-ish, Checkout improving, Platform steady, Mobile slow, Data regressing,
Growth steady), 60 people including bots, two coding agents (origins.py), 17 repositories of which `acme/core` is a
monorepo with five services. Only the monorepo has services rows; other repositories have none and are scoped by
repository (see org.py). scale >= 1 multiplies the organisation; scale < 1 keeps it and thins PR and deployment volume.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

import numpy as np

from flowgauge.errors import FlowgaugeError
from flowgauge.loaders.demo.batch import Counters, batch_tables
from flowgauge.loaders.demo.initiatives import save_demo_organisation
from flowgauge.loaders.demo.org import MemberPicker, build_org, org_tables
from flowgauge.loaders.demo.timeline import Window
from flowgauge.loaders.store import write_snapshot

TABLES = ("teams", "people", "person_aliases", "team_memberships", "repositories", "services", "pull_requests",
          "pr_code_origins", "pr_reviews", "commits", "pr_commits", "commit_line_ages", "deployments",
          "deployment_statuses", "deployment_pull_requests", "deployment_commits", "releases", "workflow_runs",
          "incidents", "work_items", "sprints", "sprint_items", "sprint_scope_events", "survey_responses")  # fmt: skip
OPEN_INCIDENTS = 2


class BadDemoOption(FlowgaugeError):
    """A demo option is out of range."""


def save_demo(
    path: str | os.PathLike, *, scale: float = 1.0, seed: int = 7, end_on: date | None = None
) -> dict[str, int]:
    """Write a fresh demo snapshot at path, and its initiatives and goals beside it (flowgauge.organisation_data);
    returns rows written per table. Same seed and end_on, same content."""
    if not scale > 0:
        raise BadDemoOption(f"scale must be above 0, not {scale}")
    # Default to yesterday: history covers whole days, and a day still in progress would hold events
    # later than the moment the demo was made.
    end_on = end_on or datetime.now(UTC).date() - timedelta(days=1)
    window = Window.ending_on(end_on)
    rng = np.random.default_rng(seed)
    org = build_org(rng, window, scale)
    picker = MemberPicker(org, rng)
    counts = dict.fromkeys(TABLES, 0)
    counters = Counters()
    with write_snapshot(path, fresh=True) as writer:
        for table, rows in org_tables(org).items():
            counts[table] += writer.upsert(table, rows)
        for i, teams in enumerate(org.batches()):
            tables = batch_tables(
                rng, org, picker, window, teams, min(1.0, scale), counters, OPEN_INCIDENTS if i == 0 else 0
            )
            for table in TABLES:
                if table in tables:
                    counts[table] += writer.upsert(table, tables[table])
            del tables
        writer.record_source(
            "demo",
            "demo",
            f"seed {seed}, scale {scale:g}, ending {end_on.isoformat()}",
            {"seed": seed, "scale": scale, "end_on": end_on.isoformat(), "history_days": window.days},
        )
    counts["sources"] = 1
    save_demo_organisation(path, end_on)
    return counts
