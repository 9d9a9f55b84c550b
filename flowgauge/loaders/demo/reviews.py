"""Review events on PRs, consistent with each PR's first_review_at and first_approval_at.

Besides the reviews by teammates, a code-scanning bot comments on some PRs and some authors comment
on their own PR before anyone else does; both come earlier than first_review_at, which counts only
other humans, so metrics must ignore them.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from flowgauge.loaders.demo import columns as col
from flowgauge.loaders.demo.flow import APPROVED, CHANGES_REQUESTED, COMMENTED, Frame
from flowgauge.loaders.demo.org import REVIEW_BOT, MemberPicker, Org
from flowgauge.loaders.demo.timeline import HOUR, Window

STATES = ("approved", "commented", "changes_requested")  # indexed like flow.APPROVED, COMMENTED, CHANGES_REQUESTED


def review_events(rng: np.random.Generator, org: Org, picker: MemberPicker, window: Window, prs: Frame) -> Frame:
    """One row per review event: pr row, reviewer, state, time and comment count."""
    n = len(prs["lane"])
    reviewed = prs["first_review"] >= 0
    reviewer = np.full(n, -1)
    rows = np.flatnonzero(reviewed)
    reviewer[rows] = picker.pick(prs["team"][rows], prs["first_review"][rows], exclude=prs["author"][rows])
    second = np.full(n, -1)
    second[rows] = picker.pick(prs["team"][rows], prs["first_review"][rows], exclude=prs["author"][rows])
    second = np.where(second == reviewer, -1, second)
    opened = np.where(prs["ready"] >= 0, prs["ready"], prs["created"])
    limit = np.where(prs["closed"] >= 0, prs["closed"], window.end)
    gap = np.where(reviewed, prs["first_review"] - opened, 2 * HOUR)

    bot_review = (rng.random(n) < 0.12) & (prs["kind"] == 0)
    self_comment = (rng.random(n) < 0.07) & (prs["kind"] == 0)
    extra_round = reviewed & (prs["first_kind"] != APPROVED) & (rng.random(n) < 0.4)
    late_approval = reviewed & (prs["first_kind"] != APPROVED) & (prs["approval"] >= 0)
    second_approval = (prs["approval"] >= 0) & (second >= 0) & (rng.random(n) < 0.2)
    approver = np.where(rng.random(n) < 0.75, reviewer, np.where(second >= 0, second, reviewer))
    slots = [
        (bot_review, np.full(n, REVIEW_BOT), COMMENTED, opened + (gap * rng.uniform(0.05, 0.4, n)).astype(np.int64)),
        (self_comment, prs["author"], COMMENTED, opened + (gap * rng.uniform(0.1, 0.9, n)).astype(np.int64)),
        (reviewed, reviewer, prs["first_kind"], prs["first_review"]),
        (extra_round, reviewer, COMMENTED, _between(rng, prs["first_review"], prs["approval"])),
        (late_approval, approver, APPROVED, prs["approval"]),
        (second_approval, second, APPROVED, prs["approval"] + (rng.uniform(0.1, 3.0, n) * HOUR).astype(np.int64)),
    ]
    pr = np.concatenate([np.flatnonzero(mask) for mask, *_ in slots])
    who = np.concatenate([np.broadcast_to(r, n)[mask] for mask, r, _, _ in slots])
    state = np.concatenate([np.broadcast_to(s, n)[mask] for mask, _, s, _ in slots])
    at = np.concatenate([np.broadcast_to(t, n)[mask] for mask, _, _, t in slots])
    keep = (at < limit[pr]) & (at < window.end)
    pr, who, state, at = pr[keep], who[keep], state[keep], at[keep]
    comments = np.where(
        state == CHANGES_REQUESTED,
        rng.integers(2, 11, len(pr)),
        np.where(state == COMMENTED, rng.integers(1, 7, len(pr)), rng.integers(0, 3, len(pr))),
    )
    return {"pr": pr, "reviewer": who, "state": state, "at": at, "comments": comments}


def _between(rng: np.random.Generator, first: np.ndarray, approval: np.ndarray) -> np.ndarray:
    """A follow-up review time after the first review: before the approval if there is one."""
    span = np.where(approval >= 0, approval - first, (rng.uniform(1, 24, len(first)) * HOUR).astype(np.int64))
    return first + (span * rng.uniform(0.2, 0.8, len(first))).astype(np.int64)


def review_table(org: Org, events: Frame, pr_ids: pa.Array, first_id: int) -> pa.Table:
    """Arrow rows of pr_reviews; review ids are numbered from first_id in time order."""
    n = len(events["pr"])
    number = first_id + col.rank_within(np.zeros(n, dtype=np.int64), events["at"]) - 1
    return pa.table(
        {
            "pr_id": pr_ids.take(pa.array(events["pr"])),
            "review_id": col.text(number),
            "reviewer_id": col.pick(org.logins, events["reviewer"]),
            "state": col.pick(STATES, events["state"]),
            "submitted_at": col.timestamps(events["at"]),
            "comment_count": pa.array(events["comments"], type=pa.int32()),
        }
    )
