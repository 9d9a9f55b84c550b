"""Arrow rows for pull_requests, pr_commits, commits and commit_line_ages from a batch's frames."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from flowgauge.loaders.demo import columns as col
from flowgauge.loaders.demo.commits import MERGE_MESSAGE, RECENT_DAYS, SQUASH_TITLE, SUBJECTS, TITLE
from flowgauge.loaders.demo.flow import BOT, HOTFIX, HUMAN, LABEL_SETS, MERGE_METHODS, Frame
from flowgauge.loaders.demo.org import DEPENDABOT, Org
from flowgauge.loaders.demo.planning import NOUNS
from flowgauge.loaders.demo.profiles import WEB

VERBS = (("Update", "Improve"), ("Add", "Support"), ("Fix", "Handle errors in"), ("Clean up", "Simplify"),
         ("Fix", "Correct"), ("Refactor", "Restructure"), ("Document", "Explain"))  # fmt: skip
PACKAGES = ("lodash", "axios", "react", "typescript", "eslint", "jest", "webpack", "express", "django", "requests",
            "boto3", "pydantic", "gunicorn", "jackson-databind", "okhttp", "kotlin-stdlib", "alamofire", "fastlane",
            "grpc", "protobuf", "sentry-sdk", "redis", "pg", "urllib3", "cryptography", "pyyaml")  # fmt: skip
SLUGS = [noun.lower().replace(" ", "-").replace("/", "-") for noun in NOUNS]
STATES = ("open", "merged", "closed")


def pr_identity(org: Org, prs: Frame) -> tuple[pa.Array, pa.Array]:
    """(pr_id, repo_id) per PR row."""
    repo_ids = col.pick(org.repo_ids, org.lane_repo[prs["lane"]])
    return col.join(repo_ids, col.text(prs["number"]), sep="#"), repo_ids


def pr_texts(org: Org, prs: Frame, item_keys: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    """(title, head_branch, issue key) per PR."""
    n = len(prs["lane"])
    noun = prs["title_noun"] % len(NOUNS)
    variant = (prs["title_noun"] // len(NOUNS)) % 2
    forms = [f"{verb} {noun_text}" for pair in VERBS for verb in pair for noun_text in NOUNS]
    label = np.minimum(prs["label_set"], len(VERBS) - 1)
    human_title = col.pick(forms, (label * 2 + variant) * len(NOUNS) + noun)
    has_key = prs["issue"] >= 0
    key = item_keys.take(pa.array(np.maximum(prs["issue"], 0), mask=~has_key))
    prefixed = pc.if_else(
        pa.array(has_key & (prs["title_noun"] % 3 != 0)), col.join(key, human_title, sep=": "), human_title
    )
    v = prs["version"]
    major, minor, patch = col.text(v % 7 + 1), col.text((v // 7) % 30), (v // 210) % 20
    package = col.pick(PACKAGES, (v // 4200) % len(PACKAGES))
    old = col.join(major, minor, col.text(patch), sep=".")
    new = col.join(major, minor, col.text(patch + 1), sep=".")
    dependabot = org.repo_dependency_bot[org.lane_repo[prs["lane"]]] == DEPENDABOT
    bot_title = pc.if_else(
        pa.array(dependabot),
        col.join("Bump ", package, " from ", old, " to ", new),
        col.join("Update dependency ", package, " to v", new),
    )
    bot_branch = pc.if_else(
        pa.array(dependabot),
        col.join("dependabot/npm_and_yarn/", package, "-", new),
        col.join("renovate/", package, "-", major, ".x"),
    )
    hotfix_title = col.pick(
        [f"Hotfix: {n}" for n in NOUNS] + [f"Fix {n} regression" for n in NOUNS], variant * len(NOUNS) + noun
    )
    slug = col.pick(SLUGS, noun)
    plain_branch = col.join(
        col.pick(("feature", "feature", "fix", "chore", "fix", "refactor", "docs"), label), slug, sep="/"
    )
    human_branch = pc.if_else(pa.array(has_key), col.join(pc.utf8_lower(key), slug, sep="-"), plain_branch)
    kind = prs["kind"]
    title = _choose(kind, {HUMAN: prefixed, BOT: bot_title, HOTFIX: hotfix_title}, n)
    branch = _choose(kind, {HUMAN: human_branch, BOT: bot_branch, HOTFIX: col.join("hotfix/", slug)}, n)
    return title, branch, key


def _choose(kind: np.ndarray, options: dict[int, pa.Array], n: int) -> pa.Array:
    stacked = pa.concat_arrays([options[k] for k in sorted(options)])
    return stacked.take(pa.array(kind * n + np.arange(n)))


def pr_table(org: Org, prs: Frame, pr_ids, repo_ids, title, branch, key, pool: pa.Array, window_end: int) -> pa.Table:
    """Rows of pull_requests."""
    merged = prs["merged"] >= 0
    state = np.where(merged, 1, np.where(prs["closed"] >= 0, 2, 0))
    repo = org.lane_repo[prs["lane"]]
    service = org.lane_service[prs["lane"]]
    updated = np.maximum.reduce([prs["created"], prs["ready"], prs["first_review"], prs["approval"], prs["closed"]])
    return pa.table(
        {
            "pr_id": pr_ids,
            "repo_id": repo_ids,
            "number": pa.array(prs["number"], type=pa.int32()),
            "service_id": col.pick(org.service_ids, service),
            "title": title,
            "url": col.join(WEB, "/", repo_ids, "/pull/", col.text(prs["number"])),
            "author_id": col.pick(org.logins, prs["author"]),
            "state": col.pick(STATES, state),
            "is_draft": (state == 0) & prs["draft"] & (prs["ready"] < 0),
            "base_branch": col.pick(org.repo_branch, repo),
            "head_branch": branch,
            "created_at": col.timestamps(prs["created"]),
            "ready_for_review_at": col.timestamps(prs["ready"]),
            "first_commit_at": col.timestamps(prs["first_commit"]),
            "first_review_at": col.timestamps(prs["first_review"]),
            "first_approval_at": col.timestamps(prs["approval"]),
            "merged_at": col.timestamps(prs["merged"]),
            "closed_at": col.timestamps(prs["closed"]),
            "updated_at": col.timestamps(np.minimum(updated, window_end - 1)),
            "lines_added": pa.array(prs["added"], type=pa.int32()),
            "lines_deleted": pa.array(prs["deleted"], type=pa.int32()),
            "files_changed": pa.array(prs["files"], type=pa.int32()),
            "lines_changed_after_open": pa.array(prs["after_open"], type=pa.int32()),
            "merge_commit_sha": pool.take(pa.array(prs["tip_sha"], mask=~merged)),
            "merge_method": col.pick(MERGE_METHODS, np.where(merged, prs["method"], -1)),
            "labels": col.string_lists(LABEL_SETS, prs["label_set"]),
            "issue_keys": col.single_item_lists(key.fill_null(""), prs["issue"] >= 0),
        }
    )


def commit_tables(
    org: Org, prs: Frame, commits: Frame, ages: Frame, pr_ids, title, branch, pool
) -> dict[str, pa.Table]:
    """Rows of commits, pr_commits and commit_line_ages."""
    n = len(commits["pr"])
    pr = pa.array(commits["pr"])
    number = col.text(prs["number"]).take(pr)
    titles = title.take(pr)
    squash = col.join(titles, " (#", number, ")")
    merge = col.join("Merge pull request #", number, " from acme/", branch.take(pr))
    subject_index = np.select(
        [commits["subject"] == TITLE, commits["subject"] == SQUASH_TITLE, commits["subject"] == MERGE_MESSAGE],
        [np.arange(n), n + np.arange(n), 2 * n + np.arange(n)],
        3 * n + np.maximum(commits["subject"], 0),
    )
    subjects = pa.concat_arrays([titles, squash, merge, pa.array(SUBJECTS)]).take(pa.array(subject_index))
    two = commits["parent1"] >= 0
    offsets = np.r_[0, np.cumsum(1 + two)].astype(np.int32)
    flat = np.empty(offsets[-1], dtype=np.int64)
    flat[offsets[:-1]] = commits["parent0"]
    flat[offsets[:-1][two] + 1] = commits["parent1"][two]
    repo_ids = col.pick(org.repo_ids, commits["repo"])
    shas = pool.take(pa.array(commits["sha"]))
    branch_rows = pa.array(np.arange(int(prs["branch_count"].sum())))  # branch commits come first, one block per PR
    age_rows = pa.array(ages["row"])
    return {
        "commits": pa.table(
            {
                "repo_id": repo_ids,
                "sha": shas,
                "author_id": col.pick(org.logins, commits["author"]),
                "authored_at": col.timestamps(commits["authored"]),
                "committed_at": col.timestamps(commits["committed"]),
                "lines_added": pa.array(commits["added"], type=pa.int32()),
                "lines_deleted": pa.array(commits["deleted"], type=pa.int32()),
                "files_changed": pa.array(commits["files"], type=pa.int32()),
                "parent_shas": pa.ListArray.from_arrays(pa.array(offsets), pool.take(pa.array(flat))),
                "subject": subjects,
            }
        ),
        "pr_commits": pa.table(
            {
                "pr_id": pr_ids.take(pr.take(branch_rows)),
                "repo_id": repo_ids.take(branch_rows),
                "sha": shas.take(branch_rows),
            }
        ),
        "commit_line_ages": pa.table(
            {
                "repo_id": repo_ids.take(age_rows),
                "sha": shas.take(age_rows),
                "lines_new": pa.array(ages["new"], type=pa.int32()),
                "lines_recent": pa.array(ages["recent"], type=pa.int32()),
                "lines_old": pa.array(ages["old"], type=pa.int32()),
                "recent_days": pa.array(np.full(len(ages["row"]), RECENT_DAYS, dtype=np.int32)),
            }
        ),
    }
