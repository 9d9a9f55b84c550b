"""sync_github: fetch every stream of every repository and write it through the snapshot writer, page by page."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from flowgauge.loaders.code_origin import classify
from flowgauge.loaders.github import sync_streams as streams
from flowgauge.loaders.github.deployments import DetectionConfig, DetectionRules
from flowgauge.loaders.github.detect_step import save_detected_deployments
from flowgauge.loaders.github.graphql_pulls import NESTED_REVIEWS, PAGE_SIZE, PullPage, count_alone, fetch_pull_pages
from flowgauge.loaders.github.mapping import map_pulls, parse_time
from flowgauge.loaders.github.run import SyncReport, SyncRun
from flowgauge.loaders.http.errors import ApiError, Forbidden, NotFound
from flowgauge.loaders.http.paginate import paginate_link
from flowgauge.loaders.http.progress import ProgressCallback, no_progress
from flowgauge.loaders.http.session import ApiSession
from flowgauge.loaders.serial_writer import load_in_parallel
from flowgauge.loaders.store import SnapshotWriter
from flowgauge.rules.code_origin import DEFAULT_CODE_ORIGIN, CodeOriginRules

__all__ = ["SyncReport", "fetch_org_repos", "github_source_id", "sync_github"]


def github_source_id(org: str | None, repos: Sequence[str]) -> str:
    """The source id a load's cursors and record are kept under: the org, else the repositories' owners."""
    return f"github:{org or ','.join(sorted({r.split('/')[0] for r in repos}))}"


def fetch_org_repos(session: ApiSession, org: str) -> list[str]:
    """Full names ('owner/name') of the organisation's repositories, archived ones included."""
    url = f"orgs/{org}/repos"
    pages = paginate_link(session, url, params={"per_page": 100})
    return [r["full_name"] for page in pages for r in page.items if isinstance(r.get("full_name"), str)]


def sync_github(
    session: ApiSession,
    writer: SnapshotWriter,
    repos: Sequence[str],
    *,
    org: str | None = None,
    config: DetectionConfig | None = None,
    since: datetime | None = None,
    full: bool = False,
    progress: ProgressCallback = no_progress,
    source_id: str | None = None,
    location: str = "https://api.github.com",
    page_size: int = PAGE_SIZE,
    nested_reviews: int = NESTED_REVIEWS,
    workers: int = 1,
    code_origin: CodeOriginRules = DEFAULT_CODE_ORIGIN,
) -> SyncReport:
    """Load repos (and org teams when org is given) into the writer's snapshot; cursors saved after every page.

    page_size is the number of PRs a GraphQL page asks for, nested_reviews the reviews of each PR (both 100, GitHub's
    maximum, unless testing); code_origin the rules each PR's code origin is told by. With workers above 1, that many
    repositories load at once over the one session (its quota and throttle shared), each worker fetching on its own
    thread while this thread does every write.

    A repository that is missing or forbidden is skipped with a warning; any other failure
    propagates, leaving the stored cursors for the next run to resume from.
    """
    config = config or DetectionConfig()
    source_id = source_id or github_source_id(org, repos)
    run = SyncRun(session, writer, source_id, since, full, progress, code_origin=code_origin)
    points_before = session.graphql_points

    def load(repo_run: SyncRun, repo_id: str) -> SyncReport:
        try:
            _sync_repo(repo_run, repo_id, config.for_repo(repo_id), page_size, nested_reviews)
        except (NotFound, Forbidden) as error:
            repo_run.report.repos_skipped[repo_id] = str(error)
            repo_run.report.warnings.append(f"{repo_id}: skipped, {error}")
            repo_run.flush_people()
        else:
            repo_run.report.repos_loaded.append(repo_id)
        return repo_run.report

    if workers > 1 and len(repos) > 1:
        # Each repository has a run (report, people) of its own; the reports join in the repositories' order, so the
        # summary reads as a sequential load's.
        for report in load_in_parallel(
            writer, repos, workers, lambda serial, repo_id: load(run.for_worker(serial), repo_id)
        ):
            run.report.merge(report)
    else:
        for repo_id in repos:
            load(run, repo_id)
    if org:
        streams.load_teams(run, org)
    run.report.requests = session.requests
    run.report.graphql_cost = session.graphql_points - points_before
    run.report.warnings.extend(run.link_warnings())
    writer.record_source(
        source_id,
        "github",
        session.redact.url(location),
        {
            "repos": list(repos),
            "org": org,
            "skipped": run.report.repos_skipped,
            "warnings": run.report.warnings[:100],
            **run.report.detail_notes(),
            "requests": session.requests,
            "dropped": run.dropped_so_far(),
        },
    )
    return run.report


def _sync_repo(run: SyncRun, repo_id: str, rules: DetectionRules, page_size: int, nested_reviews: int) -> None:
    items_before = sum(run.report.items.values())
    pulls = _PullStream(run, repo_id)
    default_branch = pulls.load(page_size, nested_reviews)
    steps = [
        ("deployments", streams.load_deployments),
        ("releases", streams.load_releases),
        # The tags' first request brings the comment counts the last page of pull requests still needs.
        ("tags", lambda run, repo_id, rules: streams.load_tags(run, repo_id, rules, carry=pulls.last)),
        ("workflow_runs", streams.load_runs),
        ("incidents", streams.load_incidents),
    ]
    try:
        for name, step in steps:
            if name == "deployments" and "deployments_api" not in rules.detect:
                continue
            try:
                step(run, repo_id, rules)
            except (NotFound, Forbidden) as error:
                # One stream off-limits (Actions disabled, no Issues) must not lose the others.
                run.report.warnings.append(f"{repo_id}: {name} not loaded, {error}")
    except Exception:
        # A later stream failing must not lose the pull requests already fetched: their last page is saved with its
        # counts asked alone (unless that fails too), so the next run resumes after it.
        with contextlib.suppress(ApiError):
            pulls.save_last()
        raise
    pulls.save_last()
    # Detection re-reads the repository's history: skip it when nothing changed, rules included.
    rules_text = json.dumps(asdict(rules), sort_keys=True)
    stored = run.w.cursor(run.source_id, repo_id, "deployment_detection")
    if sum(run.report.items.values()) > items_before or stored is None or stored.cursor != rules_text:
        save_detected_deployments(run.w, repo_id, rules, default_branch)
        run.w.save_cursor(run.source_id, repo_id, "deployment_detection", rules_text, complete=True)


class _PullStream:
    """Pull requests newest-updated first down to the stored high-water mark, each page saved with its cursor; the
    last page waits (in `last`) when its reviews' comment counts ride on the repository's next GraphQL request."""

    def __init__(self, run: SyncRun, repo_id: str) -> None:
        self.run = run
        self.repo_id = repo_id
        cursor, _ = run.state(repo_id, "pull_requests")
        self.cursor = cursor
        self.stop_at = cursor.get("stop_at", cursor.get("high_water", run.since_iso))
        self.run_high = cursor.get("run_high")
        self.loaded = 0
        self.last: PullPage | None = None
        self.repository: dict[str, Any] | None = None  # the repositories row written last, asked again every page

    def load(self, page_size: int, nested_reviews: int) -> str | None:
        """Fetch and save every page but a last one waiting for its counts; returns the default branch."""
        default_branch = None
        pages = fetch_pull_pages(
            self.run.session,
            self.repo_id,
            after=self.cursor.get("after"),
            stop_at=self.stop_at,
            page_size=page_size,
            nested_reviews=nested_reviews,
            last_counts_later=True,
        )
        for page in pages:
            repo = page.repository
            if repo:
                default_branch = (repo.get("defaultBranchRef") or {}).get("name")
                row = _repository_row(self.repo_id, repo)
                if row != self.repository:
                    self.run.write("repositories", [row])
                    self.repository = row
            if page.uncounted:
                self.last = page
            else:
                self._save(page)
        return default_branch

    def save_last(self) -> None:
        """Save the waiting last page, asking its counts alone if nothing brought them (the tags were off-limits)."""
        if self.last is not None:
            if self.last.uncounted:
                count_alone(self.run.session, self.repo_id, self.last)
            self._save(self.last)
            self.last = None

    def _save(self, page: PullPage) -> None:
        run, repo_id = self.run, self.repo_id
        rows = map_pulls(repo_id, page.pulls, run.people, run.report.fields)
        run.flush_people()
        writes = run.page()
        for table in ("pull_requests", "pr_reviews", "pr_commits"):
            writes.write(table, getattr(rows, table))
        writes.write("pr_code_origins", [origin.row() for origin in classify(run.code_origin, rows.trails)])
        # A commit already stored (from git, with parents and numstat) is kept as it is.
        writes.write_new("commits", rows.commits)
        run.report.warnings.extend(page.warnings)
        self.run_high = max(filter(None, [self.run_high, *(_updated_at(node) for node in page.pulls)]), default=None)
        self.loaded += len(rows.pull_requests)
        run.report.count("pull_requests", len(rows.pull_requests))
        if page.has_next:
            state = {"stop_at": self.stop_at, "run_high": self.run_high, "after": page.end_cursor}
            writes.save(repo_id, "pull_requests", state, None, complete=False)
        else:
            writes.save(repo_id, "pull_requests", {"high_water": self.run_high or self.stop_at}, None, complete=True)
        writes.commit()
        total = None if self.stop_at else page.total_count
        run.tick(repo_id, "pull_requests", self.loaded, total, finished=not page.has_next)


def _updated_at(node: dict[str, Any]) -> str | None:
    value = node.get("updatedAt")
    return value if isinstance(value, str) else None


def _repository_row(repo_id: str, repo: dict[str, Any]) -> dict[str, Any]:
    return {
        "repo_id": repo_id,
        "name": repo_id.split("/", 1)[1],
        "source": "github",
        "url": repo.get("url"),
        "default_branch": (repo.get("defaultBranchRef") or {}).get("name"),
        "is_archived": bool(repo.get("isArchived")),
        "created_at": parse_time(repo.get("createdAt")),
    }
