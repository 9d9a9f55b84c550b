"""sync_gitlab: fetch each project's streams and write them through the snapshot writer, cursor saved per page."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flowgauge.loaders.github.deployments import DetectionConfig
from flowgauge.loaders.github.detect_step import save_detected_deployments
from flowgauge.loaders.github.mapping import parse_time
from flowgauge.loaders.github.run import SyncReport, SyncRun
from flowgauge.loaders.gitlab import rest_streams as api
from flowgauge.loaders.gitlab.mapping import map_deployment, map_merge_request, map_pipeline, map_release
from flowgauge.loaders.http.errors import Forbidden, NotFound
from flowgauge.loaders.http.progress import ProgressCallback, no_progress
from flowgauge.loaders.http.session import ApiSession
from flowgauge.loaders.store import SnapshotWriter


def sync_gitlab(
    session: ApiSession,
    writer: SnapshotWriter,
    projects: Sequence[str],
    *,
    config: DetectionConfig | None = None,
    since: datetime | None = None,
    full: bool = False,
    progress: ProgressCallback = no_progress,
    source_id: str | None = None,
    location: str = "https://gitlab.com/api/v4",
) -> SyncReport:
    """Load projects into the writer's snapshot; a missing or forbidden project is skipped with a warning."""
    config = config or DetectionConfig()
    source_id = source_id or f"gitlab:{','.join(sorted({p.split('/')[0] for p in projects}))}"
    run = SyncRun(session, writer, source_id, since, full, progress, alias_source="gitlab")
    for project in projects:
        try:
            info = api.fetch_project(session, project)
        except (NotFound, Forbidden) as error:
            run.report.repos_skipped[project] = str(error)
            run.report.warnings.append(f"{project}: skipped, {error}")
            continue
        run.write("repositories", [_repository_row(project, info)])
        rules = config.for_repo(project)
        for name, step in (
            ("merge_requests", _sync_mrs),
            ("deployments", _sync_deployments),
            ("pipelines", _sync_pipelines),
            ("releases", _sync_releases),
        ):
            try:
                step(run, project, rules)
            except (NotFound, Forbidden) as error:
                # A feature switched off for the project (no CI, no environments) must not lose the rest.
                run.report.warnings.append(f"{project}: {name} not loaded, {error}")
        save_detected_deployments(writer, project, rules, info.get("default_branch"))
        run.report.repos_loaded.append(project)
    run.report.requests = session.requests
    run.report.warnings.extend(run.link_warnings())
    detail = {"projects": list(projects), "skipped": run.report.repos_skipped, "warnings": run.report.warnings[:100]}
    writer.record_source(source_id, "gitlab", session.redact.url(location), detail)
    return run.report


def _repository_row(project: str, info: dict[str, Any]) -> dict[str, Any]:
    return {
        "repo_id": project,
        "name": info.get("path") or project.rsplit("/", 1)[-1],
        "source": "gitlab",
        "url": info.get("web_url"),
        "default_branch": info.get("default_branch"),
        "is_archived": bool(info.get("archived")),
        "created_at": parse_time(info.get("created_at")),
    }


def _incremental(run: SyncRun, project: str, stream: str, pages, handle) -> None:
    """Drive one updated_after stream: handle(new items) per page, cursor saved after each page.

    Items updated exactly at the stored bound were handled last time (updated_after is inclusive).
    """
    cursor, _ = run.state(project, stream)
    bound = cursor.get("updated_from")
    newest = cursor.get("newest", bound)
    loaded = 0
    for page in pages(cursor):
        fresh = [i for i in page.items if not bound or i["updated_at"] > bound]
        handle(fresh)
        newest = max(filter(None, [newest, *(i["updated_at"] for i in page.items)]), default=None)
        loaded += len(fresh)
        run.report.count(stream, len(fresh))
        if page.complete:
            run.save(project, stream, {"updated_from": newest} if newest else {}, None, True)
        else:
            run.save(project, stream, {**page.cursor, "newest": newest}, None, False)
        run.tick(project, stream, loaded, finished=page.complete)


def _sync_mrs(run: SyncRun, project: str, rules) -> None:
    def handle(items: list[dict[str, Any]]) -> None:
        tables: dict[str, list[dict[str, Any]]] = {
            "pull_requests": [],
            "pr_reviews": [],
            "commits": [],
            "pr_commits": [],
        }
        for mr in items:
            notes = api.fetch_mr_notes(run.session, project, mr["iid"])
            commits = api.fetch_mr_commits(run.session, project, mr["iid"])
            row, reviews, commit_rows, links = map_merge_request(project, mr, notes, commits, run.people)
            tables["pull_requests"].append(row)
            tables["pr_reviews"].extend(reviews)
            tables["commits"].extend(commit_rows)
            tables["pr_commits"].extend(links)
        run.flush_people()
        for table, rows in tables.items():
            unique = {json.dumps([r.get(k) for k in _KEYS[table]]): r for r in rows}  # one row per key per upsert
            run.write(table, list(unique.values()))

    _incremental(
        run,
        project,
        "merge_requests",
        lambda c: api.fetch_merge_requests(run.session, project, c, run.since_iso),
        handle,
    )


_KEYS = {
    "pull_requests": ("pr_id",),
    "pr_reviews": ("pr_id", "review_id"),
    "commits": ("repo_id", "sha"),
    "pr_commits": ("pr_id", "sha"),
}


def _sync_deployments(run: SyncRun, project: str, rules) -> None:
    environment = re.compile(rules.environment)

    def handle(items: list[dict[str, Any]]) -> None:
        pairs = [map_deployment(project, d) for d in items]
        chosen = [(row, status) for row, status in pairs if environment.search(row["environment"])]
        run.write("deployments", [row for row, _ in chosen])
        statuses = {(s["deployment_id"], s["status"], s["status_at"]): s for _, s in chosen}
        run.write("deployment_statuses", list(statuses.values()))

    _incremental(
        run, project, "deployments", lambda c: api.fetch_deployments(run.session, project, c, run.since_iso), handle
    )


def _sync_pipelines(run: SyncRun, project: str, rules) -> None:
    def handle(items: list[dict[str, Any]]) -> None:
        run.write("workflow_runs", [map_pipeline(project, p) for p in items])

    _incremental(
        run, project, "pipelines", lambda c: api.fetch_pipelines(run.session, project, c, run.since_iso), handle
    )


def _sync_releases(run: SyncRun, project: str, rules) -> None:
    stored = None if run.full else run.w.cursor(run.source_id, project, "releases")
    releases, etag = api.fetch_releases(run.session, project, stored.etag if stored else None)
    if releases is not None:
        run.write("releases", [map_release(project, r) for r in releases])
        run.report.count("releases", len(releases))
    run.save(project, "releases", {}, etag, True)
    run.tick(project, "releases", len(releases or []), finished=True)
