"""The metric catalogue: every metric's id, unit, direction, definition and the SQL file that computes it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Family = Literal["flow", "dora", "code", "planning", "hygiene", "devex", "ai"]
Direction = Literal["lower", "higher"]
# How per-item rows become one value: a statistic of values; sum(num) / sum(den) x scale; num per week; num per
# distinct person per week; num per developer (people merging PRs) per week; or a plain count.
Kind = Literal["distribution", "ratio", "rate", "per_person_rate", "per_developer_rate", "count"]


@dataclass(frozen=True)
class MetricDefinition:
    """One metric as the app and the report show it."""

    id: str
    name: str
    family: Family
    unit: str
    direction: Direction
    kind: Kind
    source: str  # sql/<source>.sql yields its per-item rows
    definition: str
    default_statistic: str = "median"
    scale: float = 100.0  # ratio metrics: 100 for percent, 1 for a plain ratio

    @property
    def takes_statistic(self) -> bool:
        """Whether median/P75/P90/mean apply (distributions) or the value is a ratio, rate or count."""
        return self.kind == "distribution"


def _metric(*args: str, **kwargs: object) -> tuple[str, MetricDefinition]:
    definition = MetricDefinition(*args, **kwargs)
    return definition.id, definition


METRICS: dict[str, MetricDefinition] = dict(
    [
        _metric(
            "coding_time",
            "Coding time",
            "flow",
            "hours",
            "lower",
            "distribution",
            "pr_values",
            "Hours from a PR's first commit to the moment it was ready for review; time spent as a draft counts as "
            "coding. Measured on PRs merged in the window; PRs with no commit times have no value.",
        ),
        _metric(
            "pickup_time",
            "Pickup time",
            "flow",
            "hours",
            "lower",
            "distribution",
            "pr_values",
            "Hours from ready for review to the first review activity (comment, approval or change request) by "
            "someone other than the author, after the PR left draft. Bot reviews never count. PRs merged without "
            "review have no value.",
        ),
        _metric(
            "approve_time",
            "Approve time",
            "flow",
            "hours",
            "lower",
            "distribution",
            "pr_values",
            "Hours from the first review activity to the first approval by someone other than the author. PRs merged "
            "without review or approval have no value.",
        ),
        _metric(
            "merge_time",
            "Merge time",
            "flow",
            "hours",
            "lower",
            "distribution",
            "pr_values",
            "Hours from the first approval to the merge. PRs merged without approval have no value.",
        ),
        _metric(
            "review_time",
            "Review time",
            "flow",
            "hours",
            "lower",
            "distribution",
            "pr_values",
            "Hours from the first review activity by someone else (after draft) to the merge. PRs merged without "
            "review have no value.",
        ),
        _metric(
            "deploy_time",
            "Deploy time",
            "flow",
            "hours",
            "lower",
            "distribution",
            "pr_values",
            "Hours from merge to the first successful production deployment containing the PR and started at or "
            "after the merge: the earliest of the deployments whose PR list names it or whose new commits include "
            "its merge commit, else the first production deployment of the same service (or repository) starting "
            "at or after the merge. A deployment that started before the merge never counts; a PR only such "
            "deployments name, with none since, is left out with that reason. Values on deployments inferred "
            "from merges are flagged approximate.",
        ),
        _metric(
            "cycle_time",
            "Cycle time",
            "flow",
            "hours",
            "lower",
            "distribution",
            "pr_values",
            "Hours from a PR's first commit to its first production deployment (coding + pickup + review + deploy). "
            "When its repository or service has no deployment data at all, cycle time ends at the merge and the "
            "result is flagged.",
        ),
        _metric(
            "pr_size",
            "PR size",
            "flow",
            "lines",
            "lower",
            "distribution",
            "pr_values",
            "Lines added plus lines deleted by the final diff of each PR merged in the window.",
        ),
        _metric(
            "pr_maturity",
            "PR maturity",
            "flow",
            "ratio",
            "higher",
            "ratio",
            "pr_values",
            "How much of a PR's final diff was ready when it was opened: per PR round(max(0.1, 1 − lines changed "
            "after opening ÷ PR size), 2), for merged PRs over 10 lines; the value is the size-weighted average "
            "(0.1 to 1).",
            scale=1.0,
        ),
        _metric(
            "merge_frequency",
            "Merge frequency",
            "flow",
            "PRs per developer per week",
            "higher",
            "per_person_rate",
            "pr_values",
            "PRs merged in the window ÷ developers who merged at least one ÷ weeks in the window. A coding agent's PRs "
            "count in the PRs but an agent is never a developer (flagged: PRs from coding agents counted, not given a "
            "developer of their own).",
        ),
        _metric(
            "deploy_frequency",
            "Deployment frequency",
            "dora",
            "deployments per week",
            "higher",
            "rate",
            "deploy_values",
            "Production deployments (finished as success, failure or error; each service counts; those that never "
            "reported a status are left out, counted) started in the window ÷ weeks in the window, with the DORA "
            "bucket: on-demand (7+ a week), daily (1 to 7 a week), "
            "weekly (once a month to once a week), monthly (once in six months to once a month), less.",
        ),
        _metric(
            "deploy_frequency_per_dev",
            "Deployment frequency per developer",
            "dora",
            "deployments per developer per week",
            "higher",
            "per_developer_rate",
            "deploy_values",
            "Production deployments started in the window ÷ developers who merged a PR in the window ÷ weeks. "
            "Developers are people, never coding agents, as in merge frequency. No value under a code-origin filter: "
            "deployments are not narrowed by origin.",
        ),
        _metric(
            "lead_time_for_changes",
            "Lead time for changes",
            "dora",
            "hours",
            "lower",
            "distribution",
            "pr_values",
            "Hours from a PR's first commit to the first successful production deployment containing it (same "
            "linking as deploy time), for PRs merged in the window. PRs not deployed have no value.",
        ),
        _metric(
            "change_failure_rate",
            "Change failure rate",
            "dora",
            "percent",
            "lower",
            "ratio",
            "deploy_values",
            "Percent of production deployments that failed: status failure or error, an incident linked to it, or "
            "the next deployment of the same service is a hotfix or rollback within the linking window. Each "
            "deployment counts once, so it never exceeds 100%. Alternative rule (cfr_mode=incidents): incidents ÷ "
            "deployments, which can. By code origin (--origin): a deployment belongs to an origin when it shipped at "
            "least one PR of that origin; deployments with no linked PR are left out, and counted.",
        ),
        _metric(
            "failed_deployment_recovery_time",
            "Failed deployment recovery time",
            "dora",
            "hours",
            "lower",
            "distribution",
            "deploy_values",
            "Hours from the start of a failed production deployment (as in change failure rate) to the end of the "
            "next successful deployment of the same service or repository.",
        ),
        _metric(
            "mttr",
            "Mean time to restore (incidents)",
            "dora",
            "hours",
            "lower",
            "distribution",
            "deploy_values",
            "Hours from an incident being opened to it being resolved, for incidents opened in the window; open "
            "incidents have no value.",
            default_statistic="mean",
        ),
        _metric(
            "deployment_rework_rate",
            "Deployment rework rate",
            "dora",
            "percent",
            "lower",
            "ratio",
            "deploy_values",
            "Percent of production deployments that were unplanned: hotfix or rollback deployments ÷ all.",
        ),
        _metric(
            "rework_rate",
            "Rework rate",
            "code",
            "percent",
            "lower",
            "ratio",
            "code_values",
            "Percent of changed lines (new, rewritten or deleted) in commits authored in the window that replaced "
            "lines last changed less than 21 days before, from the git loader's line-age data. A coding agent's "
            "commits count (other bots' are left out). By code origin (--origin): the commits of PRs of that origin "
            "and, for agentic, agents' own commits; other commits in no PR are left out, and counted.",
        ),
        _metric(
            "refactor_rate",
            "Refactor rate",
            "code",
            "percent",
            "lower",
            "ratio",
            "code_values",
            "Percent of changed lines in commits authored in the window that replaced lines last changed 21 or more "
            "days before, from the git loader's line-age data; lower is better, as in LinearB's benchmarks. By code "
            "origin (--origin): the commits of PRs of that origin and, for agentic, agents' own commits (a coding "
            "agent's commits count; other bots' are left out); other commits in no PR are left out, and counted.",
        ),
        _metric(
            "planning_accuracy",
            "Planning accuracy",
            "planning",
            "percent",
            "higher",
            "ratio",
            "planning_values",
            "Planned work completed ÷ planned work, over sprints ending in the window: story points at sprint start "
            "when the planned items carry estimates, else item counts; work added after the start is left out. "
            "Below 70% suggests over-commitment, above 95% under-commitment.",
        ),
        _metric(
            "capacity_accuracy",
            "Capacity accuracy",
            "planning",
            "percent",
            "higher",
            "ratio",
            "planning_values",
            "All work completed in the sprint, planned or added later ÷ planned work, over sprints ending in the "
            "window (points or items as for planning accuracy).",
        ),
        _metric(
            "pm_prs_linked_to_issue",
            "PRs linked to an issue",
            "hygiene",
            "percent",
            "higher",
            "ratio",
            "pr_values",
            "Percent of PRs merged in the window whose title, branch or body names a work item key.",
        ),
        _metric(
            "pm_issues_linked_to_parent",
            "Issues linked to a parent",
            "hygiene",
            "percent",
            "higher",
            "ratio",
            "work_item_values",
            "Percent of work items with active work in the window (in progress or done, not resolved before it) "
            "that have a parent epic or story; sub-tasks are left out, and so are epics unless the rule "
            "epics_need_parent is true (an epic's parent is an initiative most teams don't track).",
        ),
        _metric(
            "pm_in_progress_with_estimate",
            "In-progress issues with an estimate",
            "hygiene",
            "percent",
            "higher",
            "ratio",
            "work_item_values",
            "Percent of work items with active work in the window that carry a story-point estimate.",
        ),
        _metric(
            "pm_in_progress_with_assignee",
            "In-progress issues with an assignee",
            "hygiene",
            "percent",
            "higher",
            "ratio",
            "work_item_values",
            "Percent of work items with active work in the window that have an assignee.",
        ),
        _metric(
            "survey_score",
            "Developer survey score",
            "devex",
            "percent of scale",
            "higher",
            "distribution",
            "survey_values",
            "Survey answers given in the window as a percent of the top of their scale (4 of 5 = 80); break down "
            "by question or team.",
            default_statistic="mean",
        ),
        _metric(
            "acceptance_rate",
            "Acceptance rate",
            "ai",
            "percent",
            "higher",
            "ratio",
            "pr_values",
            "Percent of the PRs closed in the window that were merged: merged ÷ (merged + closed without merging), as "
            "LinearB's 2026 benchmarks define it. Use --origin (or the AI page) to compare agentic, AI-assisted and "
            "unassisted PRs.",
        ),
        _metric(
            "agentic_pr_share",
            "Agentic PR share",
            "ai",
            "percent",
            "higher",
            "ratio",
            "pr_values",
            "Percent of the PRs merged in the window that a coding agent opened (an agent's account, its commits or "
            "its task link; the rules file's [code_origin]). PRs whose origin the loader could not tell (no commits "
            "or description seen) are left out, and counted.",
        ),
        _metric(
            "ai_assisted_pr_share",
            "AI-assisted PR share",
            "ai",
            "percent",
            "higher",
            "ratio",
            "pr_values",
            "Percent of the PRs merged in the window that a person opened with an AI tool's trail in its commits or "
            "description (a Co-authored-by trailer naming the tool, a 'Generated with' line, an author suffix or a "
            "label; the rules file's [code_origin]). PRs of unknown origin are left out, and counted.",
        ),
        _metric(
            "waiting_for_review_rate",
            "PRs waiting over 24 h for review",
            "devex",
            "percent",
            "lower",
            "ratio",
            "pr_open_values",
            "Percent of PRs that became ready for review in the window and waited more than 24 hours for the first "
            "review by someone else (unreviewed PRs wait until closed or until the window's end).",
        ),
        _metric(
            "stale_open_prs",
            "Open PRs older than 7 days",
            "devex",
            "PRs",
            "lower",
            "count",
            "pr_open_values",
            "PRs still open at the end of the window that were opened more than 7 days before it. A weekly or "
            "monthly trend counts them the same way at the end of each week or month.",
        ),
        _metric(
            "review_load",
            "Review load",
            "devex",
            "reviews per reviewer per week",
            "lower",
            "per_person_rate",
            "review_values",
            "Reviews submitted in the window on other people's PRs ÷ people who reviewed ÷ weeks; bots left out. "
            "Break down by author to see each reviewer's load. By code origin (--origin): the reviews of PRs of that "
            "origin.",
        ),
    ]
)

# Which staged tables and macros (runner.STAGED_TABLES, STAGED_MACROS) each per-item SQL file reads, in the order
# they must be built.
SOURCE_NEEDS: dict[str, tuple[str, ...]] = {
    "pr_values": ("fg_bots", "fg_pr_facts", "fg_selected_prs"),
    "pr_open_values": ("fg_bots", "fg_pr_facts", "fg_selected_prs"),
    "deploy_values": ("fg_deploys", "fg_incidents", "fg_deploy_outcomes"),  # per-developer rates also read pr_values
    "code_values": ("fg_bots", "fg_commit_facts"),
    "planning_values": ("fg_sprint_item_facts",),
    "work_item_values": ("fg_work_item_facts",),
    "survey_values": (),
    "review_values": ("fg_bots", "fg_review_facts"),
}
