"""Planning history: epics, stories, bugs, tasks and sub-tasks in two-week sprints per team."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from flowgauge.loaders.demo import columns as col
from flowgauge.loaders.demo import effort
from flowgauge.loaders.demo.org import MemberPicker, Org
from flowgauge.loaders.demo.timeline import DAY, HOUR, Window, weekday

SPRINT = 14 * DAY
EPIC_EVERY = 42 * DAY
TYPES = ("Story", "Task", "Bug", "Epic", "Sub-task")
STORY, TASK, BUG, EPIC, SUBTASK = range(len(TYPES))
POINTS = np.array([1.0, 2.0, 3.0, 5.0, 8.0, 13.0])
NOUNS = """saved cards|order history|refund flow|promo codes|address validation|push notifications|search filters|
SSO login|invoice export|rate limiting|audit log|dark mode|CSV export|retry policy|feature flags|currency rounding|
session timeout|webhook delivery|onboarding checklist|A/B test allocation|email templates|price display|
stock reservation|fraud checks|API pagination|cache invalidation|password reset|tax calculation|delivery slots|
loyalty points|data retention|event schema|error pages|accessibility labels|image upload|report scheduling""".replace(
    "\n", ""
).split("|")
SUMMARY_FORMS = {
    STORY: ("Support {}", "Add {}", "Improve {}", "Let customers manage {}"),
    TASK: ("Clean up {}", "Upgrade dependencies for {}", "Document {}", "Add monitoring for {}"),
    BUG: ("{} fails for some users", "Fix {} error", "{} shows wrong values", "Crash in {}"),
    EPIC: ("{} revamp", "{} v2", "New {}"),
    SUBTASK: ("Tests for {}", "Backend for {}", "UI for {}"),
}
STATUS_NAMES = (("To Do", "Backlog"), ("In Progress", "In Review"), ("Done", "Closed"))
CATEGORIES = ("todo", "in_progress", "done")


@dataclass
class Planning:
    """A batch's planning tables plus the lookup PRs use to name a work item of their team's current sprint."""

    tables: dict[str, pa.Table]
    sprint0: int
    sprints: int
    bucket_offset: np.ndarray  # per (local team * sprints + sprint index): first row in bucket_item
    bucket_count: np.ndarray
    bucket_item: np.ndarray  # row of item_keys
    item_keys: pa.Array

    def issue_for(self, rng: np.random.Generator, local_team: np.ndarray, at: np.ndarray) -> np.ndarray:
        """A random sprint item of the team's sprint running at each time, or -1 if it has none."""
        k = np.clip((at - self.sprint0) // SPRINT, 0, self.sprints - 1)
        bucket = local_team * self.sprints + k
        count = self.bucket_count[bucket]
        row = self.bucket_offset[bucket] + (rng.random(len(at)) * count).astype(np.int64)
        return np.where(count > 0, self.bucket_item[np.minimum(row, len(self.bucket_item) - 1)], -1)


def build_planning(
    rng: np.random.Generator, org: Org, picker: MemberPicker, window: Window, teams: np.ndarray
) -> Planning:
    """Sprints and work items for the given teams, with believable per-team completion rates."""
    sprint0 = window.start + ((7 - weekday(np.int64(window.start))) % 7) * DAY + 8 * HOUR
    n_sprints = int(-(-(window.end - sprint0) // SPRINT)) + 1  # the last one starts after the window: future
    parts = [_team_plan(rng, org, picker, window, int(t), local, sprint0, n_sprints) for local, t in enumerate(teams)]
    items = {k: np.concatenate([p[0][k] for p in parts]) for k in parts[0][0]}
    links = {k: np.concatenate([p[1][k] for p in parts]) for k in parts[0][1]}
    sprint_rows = {k: np.concatenate([p[2][k] for p in parts]) for k in parts[0][2]}
    keys = _item_keys(org, items)

    in_buckets = (items["type"] != EPIC) & (items["type"] != SUBTASK) & (items["sprint"] >= 0)
    candidates = np.flatnonzero(in_buckets)
    bucket = items["local_team"][candidates] * n_sprints + items["sprint"][candidates]
    order = np.argsort(bucket, kind="stable")
    n_buckets = len(teams) * n_sprints
    return Planning(
        tables=_tables(org, window, items, links, sprint_rows, keys),
        sprint0=int(sprint0),
        sprints=n_sprints,
        bucket_offset=np.searchsorted(bucket[order], np.arange(n_buckets)),
        bucket_count=np.bincount(bucket, minlength=n_buckets),
        bucket_item=candidates[order],
        item_keys=keys,
    )


def _team_plan(
    rng: np.random.Generator,
    org: Org,
    picker: MemberPicker,
    window: Window,
    team: int,
    local: int,
    sprint0: int,
    n: int,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(work items, sprint memberships, sprints) of one team; rows and parents are numbered within the team."""
    profile = org.teams[team]
    starts = sprint0 + SPRINT * np.arange(n, dtype=np.int64)
    ends = starts + 11 * DAY + 9 * HOUR  # Friday 17:00 of the second week
    heads = picker.headcount(np.array([team]), starts + DAY)[0]
    frac = window.fraction(starts)
    future = starts >= window.end
    planned = rng.poisson(np.maximum(heads, 1) * np.where(future, 1.4, 2.0))
    added_share = 0.12 + 0.12 * (profile.trend_end > 1.5) * frac
    added = np.where(future, 0, rng.poisson(planned * added_share))
    completion = profile.completion + (profile.completion_end - profile.completion) * frac

    sprint = np.r_[np.repeat(np.arange(n), planned), np.repeat(np.arange(n), added)]
    is_added = np.r_[np.zeros(planned.sum(), bool), np.ones(added.sum(), bool)]
    m = len(sprint)
    s_start, s_end = starts[sprint], ends[sprint]
    added_kind = rng.choice(3, m, p=[0.15, 0.25, 0.6])
    planned_draw = rng.random(m)
    kind = np.where(is_added, added_kind, effort.planned_kinds(planned_draw, profile.slug, s_start, window))
    # How many sub-tasks there are follows the usual kinds: Checkout's shift then changes no other team's draws.
    usual_kind = np.where(is_added, added_kind, effort.planned_kinds(planned_draw, "", s_start, window))
    created = np.where(
        is_added,
        s_start + (rng.uniform(0.3, 9.0, m) * DAY).astype(np.int64),
        s_start - (9 * DAY * np.exp(rng.normal(0, 0.8, m))).astype(np.int64),
    )
    added_at = np.where(is_added, created + (rng.uniform(0.05, 2, m) * HOUR).astype(np.int64), s_start - HOUR)
    begins = np.maximum(added_at, s_start)
    started = begins + (rng.uniform(0, 0.55, m) * (s_end - begins)).astype(np.int64)
    duration = (2.5 * DAY * np.exp(rng.normal(0, 0.7, m))).astype(np.int64)
    done_in_sprint = rng.random(m) < np.where(is_added, 0.75, completion[sprint])
    resolved = np.where(done_in_sprint, np.minimum(started + duration, s_end - HOUR), -1)
    # Unfinished work: most is carried into the next sprint and finished there, the rest goes back to the backlog.
    has_next = sprint + 1 < n
    carried = ~done_in_sprint & has_next & (rng.random(m) < 0.85) & ~future[sprint]
    next_start = starts[np.minimum(sprint + 1, n - 1)]
    next_end = ends[np.minimum(sprint + 1, n - 1)]
    done_next = carried & (rng.random(m) < 0.85)
    resolved = np.where(
        done_next, next_start + (rng.uniform(0.05, 0.7, m) * (next_end - next_start)).astype(np.int64), resolved
    )
    backlog = ~done_in_sprint & ~carried
    started = np.where(backlog & ~future[sprint] & (s_end < window.end), -1, started)
    points = np.where(
        rng.random(m) < np.select([kind == STORY, kind == TASK], [0.95, 0.6], 0.5),
        POINTS[rng.choice(6, m, p=[0.1, 0.2, 0.3, 0.25, 0.1, 0.05])],
        np.nan,
    )
    points = np.where(kind == TASK, np.minimum(points, 3.0), points)
    points_now = np.where(rng.random(m) < 0.08, points * 2, points)  # re-estimated after planning

    # Epics: one starts every six weeks and runs two to four months; stories mostly hang under one.
    n_epics = max(1, int((window.end - sprint0) // EPIC_EVERY) + 1)
    e_created = sprint0 + EPIC_EVERY * np.arange(n_epics, dtype=np.int64) - 14 * DAY
    e_started = e_created + 7 * DAY
    e_resolved = e_started + (rng.uniform(8, 16, n_epics) * 7 * DAY).astype(np.int64)
    epic_of = np.clip((created - e_created[0]) // EPIC_EVERY, 0, n_epics - 1)
    has_parent = rng.random(m) < np.where(kind == STORY, 0.88, 0.4)

    # Sub-tasks of some stories follow their story's dates.
    with_subtasks = (usual_kind == STORY) & (rng.random(m) < 0.25)
    sub_parent = np.repeat(np.arange(m), np.where(with_subtasks, rng.integers(1, 4, m), 0))
    k = len(sub_parent)
    p_started, p_resolved = started[sub_parent], resolved[sub_parent]
    sub_started = np.where(p_started >= 0, p_started + (rng.uniform(0, 0.3, k) * DAY).astype(np.int64), -1)
    sub_resolved = np.where(
        (p_resolved >= 0),
        sub_started + (rng.uniform(0.2, 1.0, k) * np.maximum(p_resolved - sub_started, HOUR)).astype(np.int64),
        -1,
    )

    n_all = n_epics + m + k
    item = {
        "local_team": np.full(n_all, local),
        "team": np.full(n_all, team),
        "type": np.r_[np.full(n_epics, EPIC), kind, np.full(k, SUBTASK)],
        "sprint": np.r_[np.full(n_epics, -1), sprint, np.full(k, -1)],
        "created": np.r_[e_created, created, created[sub_parent] + 600],
        "started": np.r_[e_started, started, sub_started],
        "resolved": np.r_[e_resolved, resolved, sub_resolved],
        "points": np.r_[np.full(n_epics, np.nan), points_now, np.full(k, np.nan)],
        # parent: epics by epic row (< n_epics), sub-tasks by story row (offset by n_epics)
        "parent": np.r_[np.full(n_epics, -1), np.where(has_parent, epic_of, -1), n_epics + sub_parent],
        "noun": rng.integers(0, len(NOUNS), n_all),
        "debt_epic": np.r_[effort.tech_debt_epics(profile.slug, e_started, window), np.zeros(m + k, bool)],
        "form": rng.integers(0, 3, n_all),
    }
    # Items planned for the next sprint may be written up to its start; none can be created after the window.
    item["created"] = np.minimum(item["created"], window.end - rng.integers(600, 2 * DAY, n_all))
    item["started"] = np.where(item["started"] >= window.end, -1, item["started"])
    item["resolved"] = np.where((item["resolved"] >= window.end) | (item["started"] < 0), -1, item["resolved"])
    item["assignee"] = np.where(
        (item["started"] >= 0) | (rng.random(n_all) < 0.4),
        picker.pick(np.full(n_all, team), np.maximum(item["started"], item["created"])),
        -1,
    )
    closed_sprint = ends < window.end
    # Rows (and parents) are numbered within this team; _tables turns them into batch rows.
    row = n_epics + np.arange(m)
    carried_rows = np.flatnonzero(carried)
    link = {
        "sprint": np.r_[sprint, sprint[carried_rows] + 1] + 1000 + 100 * team,
        "local_team": np.full(m + len(carried_rows), local),
        "row": np.r_[row, row[carried_rows]],
        "added_at": np.r_[added_at, next_start[carried_rows] - HOUR],
        "added_after_start": np.r_[is_added, np.zeros(len(carried_rows), bool)],
        "points_at_start": np.r_[np.where(is_added, np.nan, points), points[carried_rows]],
        "completed": np.r_[done_in_sprint, done_next[carried_rows]],
        "closed": np.r_[closed_sprint[sprint], closed_sprint[np.minimum(sprint[carried_rows] + 1, n - 1)]],
        "starts": np.r_[s_start, next_start[carried_rows]],
    }
    state = np.where(closed_sprint, 0, np.where(starts < window.end, 1, 2))
    sprints = {
        "id": 1000 + 100 * team + np.arange(n),
        "team": np.full(n, team),
        "number": np.arange(1, n + 1),
        "state": state,
        "starts": starts,
        "ends": ends,
        "completed": np.where(closed_sprint, ends + (rng.uniform(0, 3, n) * HOUR).astype(np.int64), -1),
    }
    return item, link, sprints


def _item_keys(org: Org, items: dict[str, np.ndarray]) -> pa.Array:
    """'PAY-123' keys numbered per project in creation order."""
    number = col.rank_within(items["team"], items["created"])
    projects = col.pick([t.project_key for t in org.teams], items["team"])
    return col.join(projects, col.text(number), sep="-")


def _tables(org: Org, window: Window, items, links, sprint_rows, keys: pa.Array) -> dict[str, pa.Table]:
    team_slugs = [t.slug for t in org.teams]
    # Parents were numbered per team; turn them into batch rows using each team's first row.
    team_first = np.r_[0, np.flatnonzero(np.diff(items["local_team"])) + 1]
    first_row = team_first[items["local_team"]]
    parent = np.where(items["parent"] >= 0, first_row + items["parent"], -1)
    category = np.where(items["resolved"] >= 0, 2, np.where(items["started"] >= 0, 1, 0))
    status = col.pick([name for pair in STATUS_NAMES for name in pair], category * 2 + (items["form"] % 2))
    summary_forms = [form.format(noun) for t in range(len(TYPES)) for noun in NOUNS for form in SUMMARY_FORMS[t][:3]]
    summary = col.pick(summary_forms, (items["type"] * len(NOUNS) + items["noun"]) * 3 + items["form"])
    summary = pc.if_else(pa.array(items["debt_epic"]), col.join("Tech debt: ", col.pick(NOUNS, items["noun"])), summary)
    updated = np.maximum.reduce([items["created"], items["started"], items["resolved"]])
    link_item = team_first[links["local_team"]] + links["row"]
    return {
        "work_items": pa.table(
            {
                "item_key": keys,
                "project_key": col.pick([t.project_key for t in org.teams], items["team"]),
                "item_type": col.pick(TYPES, items["type"]),
                "summary": summary,
                "status": status,
                "status_category": col.pick(CATEGORIES, category),
                "story_points": pa.array(items["points"], from_pandas=True),
                "parent_key": keys.take(pa.array(parent, mask=parent < 0)),
                "is_subtask": items["type"] == SUBTASK,
                "assignee_id": col.pick(org.logins, items["assignee"]),
                "team_id": col.pick(team_slugs, items["team"]),
                "created_at": col.timestamps(items["created"]),
                "started_at": col.timestamps(items["started"]),
                "resolved_at": col.timestamps(items["resolved"]),
                "updated_at": col.timestamps(updated),
            }
        ),
        "sprints": pa.table(
            {
                "sprint_id": col.join("jira:", col.text(sprint_rows["id"])),
                "name": col.join(
                    col.pick([t.name for t in org.teams], sprint_rows["team"]),
                    " Sprint ",
                    col.text(sprint_rows["number"]),
                ),
                "team_id": col.pick(team_slugs, sprint_rows["team"]),
                "state": col.pick(("closed", "active", "future"), sprint_rows["state"]),
                "starts_at": col.timestamps(sprint_rows["starts"]),
                "ends_at": col.timestamps(sprint_rows["ends"]),
                "completed_at": col.timestamps(sprint_rows["completed"]),
            }
        ),
        "sprint_items": pa.table(
            {
                "sprint_id": col.join("jira:", col.text(links["sprint"])),
                "item_key": keys.take(pa.array(link_item)),
                "added_at": col.timestamps(np.where(links["added_at"] < window.end, links["added_at"], -1)),
                "added_after_start": links["added_after_start"],
                "story_points_at_start": pa.array(links["points_at_start"], from_pandas=True),
                "completed_in_sprint": pa.array(links["completed"], mask=~links["closed"]),
            }
        ),
        "sprint_scope_events": _scope_events(window, items, links, link_item, keys),
    }


def _scope_events(window: Window, items, links, link_item: np.ndarray, keys: pa.Array) -> pa.Table:
    """The history a Jira changelog would give of each started sprint: committed, added and completed items."""
    started = links["starts"] < window.end
    added = links["added_after_start"]
    points_now = items["points"][link_item]
    entry_points = np.where(added, points_now, links["points_at_start"])
    resolved = items["resolved"][link_item]
    kinds = (
        ("committed", started & ~added, links["starts"]),
        ("added", started & added & (links["added_at"] < window.end), links["added_at"]),
        (
            "completed",
            started & links["completed"] & links["closed"],
            np.where(resolved >= 0, resolved, links["starts"]),
        ),
    )
    parts = [
        pa.table(
            {
                "sprint_id": col.join("jira:", col.text(links["sprint"][chosen])),
                "item_key": keys.take(pa.array(link_item[chosen])),
                "event": pa.array([event] * int(chosen.sum()), pa.string()),
                "event_at": col.timestamps(at[chosen]),
                "story_points": pa.array(entry_points[chosen], from_pandas=True),
            }
        )
        for event, chosen, at in kinds
    ]
    return pa.concat_tables(parts)
