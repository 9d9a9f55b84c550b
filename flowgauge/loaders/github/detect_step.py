"""Re-derive one repository's deployments and their PR/commit links from what the snapshot holds."""

from __future__ import annotations

from typing import Any

from flowgauge.loaders.github.deployments import DetectionRules, RepoHistory, detect_deployments, link_deployments
from flowgauge.loaders.store import SnapshotWriter


def _rows(writer: SnapshotWriter, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = writer.con.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def read_history(writer: SnapshotWriter, repo_id: str, default_branch: str | None) -> RepoHistory:
    """The rows detection reads for repo_id, from the snapshot being written."""
    merged = _rows(
        writer,
        "SELECT pr_id, title, base_branch, head_branch, merged_at, merge_commit_sha FROM pull_requests "
        "WHERE repo_id = ? AND state = 'merged' ORDER BY merged_at",
        [repo_id],
    )
    pr_commits: dict[str, list[str]] = {}
    for row in _rows(
        writer,
        "SELECT pc.pr_id, pc.sha FROM pr_commits pc JOIN pull_requests p USING (pr_id) "
        "WHERE p.repo_id = ? AND p.state = 'merged'",
        [repo_id],
    ):
        pr_commits.setdefault(row["pr_id"], []).append(row["sha"])
    return RepoHistory(
        repo_id=repo_id,
        default_branch=default_branch,
        api_deployments=_rows(
            writer, "SELECT * FROM deployments WHERE repo_id = ? AND detection_rule = 'deployments_api'", [repo_id]
        ),
        releases=_rows(writer, "SELECT * FROM releases WHERE repo_id = ?", [repo_id]),
        workflow_runs=_rows(writer, "SELECT * FROM workflow_runs WHERE repo_id = ?", [repo_id]),
        merged_pulls=merged,
        pr_commits=pr_commits,
    )


def save_detected_deployments(
    writer: SnapshotWriter, repo_id: str, rules: DetectionRules, default_branch: str | None
) -> str | None:
    """Replace repo_id's derived deployments and every link of its deployments; returns the rule used."""
    if default_branch is None:
        known = writer.con.execute("SELECT default_branch FROM repositories WHERE repo_id = ?", [repo_id]).fetchall()
        default_branch = known[0][0] if known else None
    history = read_history(writer, repo_id, default_branch)
    rule, deployments = detect_deployments(rules, history)
    owned = "deployment_id IN (SELECT deployment_id FROM deployments WHERE repo_id = ?)"
    writer.delete_where("deployment_pull_requests", owned, [repo_id])
    writer.delete_where("deployment_commits", owned, [repo_id])
    if rule != "deployments_api":
        # API deployments stay in the snapshot only when the API rule is the one in force.
        writer.delete_where("deployment_statuses", owned + " AND deployment_id LIKE '%:deploy:%'", [repo_id])
        writer.delete_where("deployments", "repo_id = ? AND detection_rule = 'deployments_api'", [repo_id])
    writer.delete_where("deployments", "repo_id = ? AND detection_rule <> 'deployments_api'", [repo_id])
    if rule not in (None, "deployments_api"):
        writer.upsert("deployments", deployments)
    pr_links, commit_links = link_deployments(deployments, history, rules.production_branch or default_branch)
    if pr_links:
        writer.upsert("deployment_pull_requests", pr_links)
    if commit_links:
        writer.upsert("deployment_commits", commit_links)
    return rule
