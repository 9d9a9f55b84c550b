"""Which metrics the code-origin filter (--origin, the AI page's by-origin views) narrows, and for the others why
not: their items have no code origin of their own and no honest link to one. Every result of such a metric under an
origin says so (NOT_NARROWED's note), rather than answering for every origin as if narrowed.

Narrowed: every PR metric (each PR has its origin), review load (a review's PR), rework and refactor rate (a commit's
PR, or a coding agent as its author) and change failure rate (the PRs a deployment shipped). test_origin_scope holds
this list to the SQL: a metric is listed here exactly when its values file does not read $origins for it.
"""

from __future__ import annotations

# Metric id -> why the origin filter leaves its items as they are (the flag reads "not narrowed by code origin: ...").
NOT_NARROWED = {
    "deploy_frequency": "deployments of every origin count",
    # Its developers are merge frequency's, narrowed: under an origin it has no value (engine.results_for).
    "deploy_frequency_per_dev": "deployments of every origin count",
    "failed_deployment_recovery_time": "deployments of every origin count",
    "deployment_rework_rate": "deployments of every origin count",
    "mttr": "incidents of every origin count",
    "planning_accuracy": "sprints have no code origin",
    "capacity_accuracy": "sprints have no code origin",
    "pm_issues_linked_to_parent": "work items have no code origin",
    "pm_in_progress_with_estimate": "work items have no code origin",
    "pm_in_progress_with_assignee": "work items have no code origin",
    "survey_score": "survey answers have no code origin",
}
NOT_NARROWED_PREFIX = "not narrowed by code origin"


def narrowed_by_origin(metric_id: str) -> bool:
    """Whether choosing code origins narrows the metric's items."""
    return metric_id not in NOT_NARROWED


def not_narrowed_note(metric_id: str) -> str | None:
    """The flag of a result the chosen origins did not narrow, or None when they did."""
    why = NOT_NARROWED.get(metric_id)
    return f"{NOT_NARROWED_PREFIX}: {why}" if why else None
