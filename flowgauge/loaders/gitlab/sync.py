"""sync_gitlab: fetch each project's streams and write them through the snapshot writer, cursor saved per page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flowgauge.loaders.code_origin import PrTrail, classify
from flowgauge.loaders.github.deployments import DetectionConfig
from flowgauge.loaders.github.detect_step import save_detected_deployments
from flowgauge.loaders.github.mapping import parse_time
from flowgauge.loaders.github.run import SyncReport, SyncRun
from flowgauge.loaders.gitlab import rest_streams as api
from flowgauge.loaders.gitlab.mapping import map_deployment, map_merge_request, map_pipeline, map_release
from flowgauge.loaders.http.errors import Forbidden, NotFound
from flowgauge.loaders.http.fields import FieldNotes, Item, SkipItem
from flowgauge.loaders.http.progress import ProgressCallback, no_progress
from flowgauge.loaders.http.session import ApiSession
from flowgauge.loaders.store import SnapshotWriter
from flowgauge.rules.code_origin import DEFAULT_CODE_ORIGIN, CodeOriginRules


def gitlab_projects(session: ApiSession, projects: Sequence[str], groups: Sequence[str]) -> list[str]:
    """The projects listed, then every project of each group not listed already; a group with none is an error."""
    names = list(dict.fromkeys(projects))
    for group in groups:
        found = api.fetch_group_projects(session, group)
        if not found:
            raise NotFound(f"GitLab group {group}: no projects visible to this token")
        names.extend(name for name in found if name not in names)
    return names


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
    code_origin: CodeOriginRules = DEFAULT_CODE_ORIGIN,
) -> SyncReport:
    """Load projects into the writer's snapshot; a missing or forbidden project is skipped with a warning; each MR's
    code origin is told by the code_origin rules."""
    config = config or DetectionConfig()
    source_id = source_id or f"gitlab:{','.join(sorted({p.split('/')[0] for p in projects}))}"
    run = SyncRun(session, writer, source_id, since, full, progress, alias_source="gitlab", code_origin=code_origin)
    for project in projects:
        try:
            info = api.fetch_project(session, project)
        except (NotFound, Forbidden) as error:
            run.report.repos_skipped[project] = str(error)
            run.report.warnings.append(f"{project}: skipped, {error}")
            continue
        run.write("repositories", [_repository_row(project, info, run.report.fields)])
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
        save_detected_deployments(
            writer, project, rules, info.get("default_branch") if isinstance(info, dict) else None
        )
        run.report.repos_loaded.append(project)
    run.report.requests = session.requests
    run.report.warnings.extend(run.link_warnings())
    detail = {
        "projects": list(projects),
        "skipped": run.report.repos_skipped,
        "warnings": run.report.warnings[:100],
        **run.report.detail_notes(),
        "dropped": run.dropped_so_far(),
    }
    writer.record_source(source_id, "gitlab", session.redact.url(location), detail)
    return run.report


def _repository_row(project: str, data: dict[str, Any], notes: FieldNotes) -> dict[str, Any]:
    info = Item(data, notes, "projects")
    return {
        "repo_id": project,
        "name": info.want("path") or project.rsplit("/", 1)[-1],
        "source": "gitlab",
        "url": info.want("web_url"),
        "default_branch": info.want("default_branch"),
        "is_archived": bool(info.want("archived")),
        "created_at": parse_time(info.want("created_at")),
    }


def _incremental(run: SyncRun, project: str, stream: str, pages, handle) -> None:
    """Drive one updated_after stream: handle(new items) per page, returning the rows written; cursor saved after
    each page.

    Items updated exactly at the stored bound were handled last time (updated_after is inclusive). An item
    without updated_at is always handled (the mapper counts it) and moves no cursor.
    """
    cursor, _ = run.state(project, stream)
    bound = cursor.get("updated_from")
    newest = cursor.get("newest", bound)
    loaded = 0
    for page in pages(cursor):
        stamps = [_updated_at(i) for i in page.items]
        fresh = [i for i, stamp in zip(page.items, stamps, strict=True) if not bound or not stamp or stamp > bound]
        written = handle(fresh)
        newest = max(filter(None, [newest, *stamps]), default=None)
        loaded += written
        run.report.count(stream, written)
        if page.complete:
            run.save(project, stream, {"updated_from": newest} if newest else {}, None, True)
        else:
            run.save(project, stream, {**page.cursor, "newest": newest}, None, False)
        run.tick(project, stream, loaded, finished=page.complete)


def _updated_at(item: dict[str, Any]) -> str | None:
    value = item.get("updated_at")
    return value if isinstance(value, str) else None


def _sync_mrs(run: SyncRun, project: str, rules) -> None:
    def handle(items: list[dict[str, Any]]) -> int:
        tables: dict[str, list[dict[str, Any]]] = {
            "pull_requests": [],
            "pr_reviews": [],
            "commits": [],
            "pr_commits": [],
        }
        trails: list[PrTrail] = []
        for position, mr in enumerate(items):
            iid = mr.get("iid")
            if not isinstance(iid, int):
                run.report.fields.note_skipped(SkipItem("merge requests", "iid"), _where(project, position, mr))
                continue
            notes = api.fetch_mr_notes(run.session, project, iid)
            commits = api.fetch_mr_commits(run.session, project, iid)
            try:
                row, reviews, commit_rows, links = map_merge_request(
                    project, mr, notes, commits, run.people, run.report.fields
                )
            except SkipItem as skip:
                run.report.fields.note_skipped(skip, f"{project}!{iid}")
                continue
            tables["pull_requests"].append(row)
            tables["pr_reviews"].extend(reviews)
            tables["commits"].extend(commit_rows)
            tables["pr_commits"].extend(links)
            trails.append(mr_trail(row["pr_id"], mr, commits, row["labels"]))
        run.flush_people()
        tables["pr_code_origins"] = [origin.row() for origin in classify(run.code_origin, trails)]
        for table, rows in tables.items():
            run.write(table, rows)  # a key repeated in the page is written once, its last row winning
        return len(tables["pull_requests"])

    _incremental(
        run,
        project,
        "merge_requests",
        lambda c: api.fetch_merge_requests(run.session, project, c, run.since_iso),
        handle,
    )


def mr_trail(pr_id: str, mr: dict[str, Any], commits: list[dict[str, Any]], labels: list[str]) -> PrTrail:
    """What a merge request tells of its code origin: its author (GitLab marks bot users with bot: true), labels,
    description and commit messages and authors. Seen when the MR carried its description or any commit message."""
    author = mr.get("author") if isinstance(mr.get("author"), dict) else {}
    messages = [c["message"] for c in commits if isinstance(c, dict) and isinstance(c.get("message"), str)]
    authors = [
        f"{c.get('author_name') or ''} <{c.get('author_email') or ''}>"
        for c in commits
        if isinstance(c, dict) and (c.get("author_name") or c.get("author_email"))
    ]
    description = mr.get("description") if isinstance(mr.get("description"), str) else None
    return PrTrail(
        pr_id,
        author_login=author.get("username"),
        author_is_bot=author.get("bot") is True,
        labels=labels or [],
        description=description,
        commit_messages=messages,
        commit_authors=authors,
        seen=description is not None or bool(messages),
    )


def _sync_deployments(run: SyncRun, project: str, rules) -> None:
    def production(d: dict[str, Any], notes: FieldNotes):
        # Without an environment no rule can tell whether it went to production; other environments are left
        # before mapping, so what they lack is not counted.
        name = str(Item(d, notes, "deployments").need("environment", "name"))
        if not rules.is_production(name):
            # Not production under the rule the metrics apply too: counted, never dropped silently.
            run.report.drop_environment(name, rules.environment)
            return None
        return map_deployment(project, d, notes, rules)

    def handle(items: list[dict[str, Any]]) -> int:
        pairs = run.map_each(items, production, _named(project, "deployment"))
        run.write("deployments", [row for row, _ in pairs])
        statuses = {(s["deployment_id"], s["status"], s["status_at"]): s for _, s in pairs if s}
        run.write("deployment_statuses", list(statuses.values()))
        return len(pairs)

    _incremental(
        run, project, "deployments", lambda c: api.fetch_deployments(run.session, project, c, run.since_iso), handle
    )


def _where(project: str, position: int, item: dict[str, Any]) -> str:
    key = item.get("iid") or item.get("id") or item.get("tag_name")
    return f"{project} {key if key is not None else f'item {position + 1} of a page'}"


def _named(project: str, kind: str):
    """How a skipped item of kind is named in the load summary."""
    return lambda position, item: f"{kind} {_where(project, position, item)}"


def _sync_pipelines(run: SyncRun, project: str, rules) -> None:
    def handle(items: list[dict[str, Any]]) -> int:
        rows = run.map_each(items, lambda p, notes: map_pipeline(project, p, notes), _named(project, "pipeline"))
        run.write("workflow_runs", rows)
        return len(rows)

    _incremental(
        run, project, "pipelines", lambda c: api.fetch_pipelines(run.session, project, c, run.since_iso), handle
    )


def _sync_releases(run: SyncRun, project: str, rules) -> None:
    stored = None if run.full else run.w.cursor(run.source_id, project, "releases")
    releases, etag = api.fetch_releases(run.session, project, stored.etag if stored else None)
    if releases is not None:
        rows = run.map_each(releases, lambda r, notes: map_release(project, r, notes), _named(project, "release"))
        run.write("releases", list({row["tag_name"]: row for row in rows}.values()))
        run.report.count("releases", len(rows))
    run.save(project, "releases", {}, etag, True)
    run.tick(project, "releases", len(releases or []), finished=True)
