"""One function per kind of configured source, each calling the loader entry point its CLI command calls.

Each returns (rows written, notes) and raises on failure; the loaders' own atomic writes leave the snapshot as it
was when they fail, so a failing source never touches what the others loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from flowgauge.errors import LoaderError
from flowgauge.loaders.jira.client import JiraAuth
from flowgauge.loaders.store import write_snapshot
from flowgauge.org_config import FilesSource, GitHubSource, GitLabSource, GitSource, JiraSource
from flowgauge.rules import Rules

ClientFactory = Callable[[str, str | None], httpx.Client]
JiraClientFactory = Callable[[str, JiraAuth], httpx.Client]
# What a folder of exported files may hold: the suffixes the importer reads.
IMPORTABLE_SUFFIXES = (".csv", ".json", ".jsonl", ".ndjson", ".parquet")


class MissingToken(LoaderError):
    """The environment variable a source names for its token is not set."""


class NothingLoaded(LoaderError):
    """No repository or project of a source could be loaded."""


def _token(source: GitHubSource | GitLabSource, env: Mapping[str, str]) -> str:
    token = env.get(source.token_env)
    if not token:
        raise MissingToken(f"{source.token_env} is not set (token_env of source {source.name})")
    return token


def _github_sign_in(source: GitHubSource, env: Mapping[str, str]):
    """The source's token, or its GitHub App with the key from the variables it names."""
    if not source.app_id:
        return _token(source, env)
    from flowgauge.loaders.github.app_auth import app_auth_from

    return app_auth_from(
        env, app_id=source.app_id, installation_id=source.installation_id, api_url=source.api_url, org=source.org,
        repos=source.repos, path_env=source.private_key_path_env, key_env=source.private_key_env,
    )  # fmt: skip


def _since(day: date | None) -> datetime | None:
    return datetime.combine(day, datetime.min.time()) if day else None


def _check_loaded(report) -> None:
    # Raised inside the write, so the snapshot stays as it was, as `flowgauge snapshot github` does.
    if not report.repos_loaded:
        skipped = "; ".join(f"{name}: {why}" for name, why in report.repos_skipped.items())
        raise NothingLoaded(f"no repository could be loaded ({skipped or 'none listed'})")


def sync_github_source(
    source: GitHubSource, snapshot: Path, env: Mapping[str, str], client_factory: ClientFactory, rules: Rules
) -> tuple[int, list[str]]:
    """Load a configured GitHub source incrementally (stored cursors), as `flowgauge snapshot github` does."""
    from flowgauge.loaders.github.app_auth import open_github_client
    from flowgauge.loaders.github.deployments import load_detection_config
    from flowgauge.loaders.github.sync import fetch_org_repos, sync_github
    from flowgauge.loaders.http.client import github_graphql_url
    from flowgauge.loaders.http.session import ApiSession
    from flowgauge.loaders.http.throttle import DEFAULT_WORKERS, Throttle

    sign_in = _github_sign_in(source, env)
    detection = load_detection_config(source.deploy_rules) if source.deploy_rules else rules.detection
    with open_github_client(client_factory, source.api_url, sign_in) as client:
        session = ApiSession(client, graphql_url=github_graphql_url(source.api_url), throttle=Throttle())
        names = list(source.repos) or fetch_org_repos(session, source.org)
        with write_snapshot(snapshot, resumable=True) as writer:
            report = sync_github(
                session, writer, names, org=source.org, config=detection, since=_since(source.since),
                location=source.api_url, code_origin=rules.code_origin, workers=DEFAULT_WORKERS,
            )  # fmt: skip
            _check_loaded(report)
            return writer.rows_written, list(report.warnings)


def sync_gitlab_source(
    source: GitLabSource, snapshot: Path, env: Mapping[str, str], client_factory: ClientFactory, rules: Rules
) -> tuple[int, list[str]]:
    """Load a configured GitLab source incrementally, as `flowgauge snapshot gitlab` does."""
    from flowgauge.loaders.github.deployments import load_detection_config
    from flowgauge.loaders.gitlab.sync import gitlab_projects, sync_gitlab
    from flowgauge.loaders.http.session import ApiSession

    token = _token(source, env)
    detection = load_detection_config(source.deploy_rules) if source.deploy_rules else rules.detection
    with client_factory(source.api_url, token) as client:
        session = ApiSession(client)
        names = gitlab_projects(session, source.projects, source.groups)
        with write_snapshot(snapshot, resumable=True) as writer:
            report = sync_gitlab(
                session, writer, names, config=detection, since=_since(source.since), location=source.api_url,
                code_origin=rules.code_origin,
            )  # fmt: skip
            _check_loaded(report)
            return writer.rows_written, list(report.warnings)


def sync_jira_source(
    source: JiraSource, snapshot: Path, env: Mapping[str, str], client_factory: JiraClientFactory
) -> tuple[int, list[str]]:
    """Load a configured Jira site's boards, projects or query incrementally, as `flowgauge snapshot jira` does."""
    from flowgauge.loaders.http.session import ApiSession
    from flowgauge.loaders.jira.client import jira_auth_from
    from flowgauge.loaders.jira.sync import sync_jira

    auth = jira_auth_from(
        source.site, env, email_env=source.email_env, api_token_env=source.api_token_env, pat_env=source.pat_env
    )
    host = urlsplit(source.site).hostname
    with client_factory(source.site, auth) as client:
        session = ApiSession(client, redactor=auth.redactor(client))
        with write_snapshot(snapshot, resumable=True) as writer:
            report = sync_jira(
                session, writer, deployment=auth.deployment, boards=source.boards, projects=source.projects,
                jql=source.jql, since=_since(source.since), source_id=f"jira:{host}", location=source.site,
            )  # fmt: skip
            if not report.repos_loaded:
                skipped = "; ".join(f"{name}: {why}" for name, why in report.repos_skipped.items())
                raise NothingLoaded(f"no board, project or query could be loaded ({skipped or 'none listed'})")
            return writer.rows_written, list(report.warnings)


def sync_git_source(source: GitSource, snapshot: Path, rules: Rules) -> tuple[int, list[str]]:
    """Load local clones (only new commits on a re-run), as `flowgauge snapshot git` does."""
    from flowgauge.loaders.git import load_git_repos

    results = load_git_repos(
        list(source.paths), snapshot, deploy_tags=source.deploy_tags, since=_since(source.since),
        line_age=source.line_age, code_origin=rules.code_origin,
    )  # fmt: skip
    rows = sum(r.commits_read + r.pull_requests + r.deployments + r.line_age_rows for r in results)
    notes = [f"{r.repo_id}: PRs found: {r.pr_summary()}" for r in results]
    return rows, notes


def sync_files_source(source: FilesSource, snapshot: Path, rules: Rules) -> tuple[int, list[str]]:
    """Import a folder of exported files (or one file, such as the team map), as `flowgauge import` does, with the
    config's rules."""
    from flowgauge.loaders.imports import import_files

    if source.folder.is_file():
        files = [source.folder]
    elif source.folder.is_dir():
        files = sorted(p for p in source.folder.iterdir() if p.is_file() and p.suffix.lower() in IMPORTABLE_SUFFIXES)
        if not files:
            raise LoaderError(f"{source.folder}: no CSV, JSON or Parquet files to import")
    else:
        raise LoaderError(f"{source.folder}: no such file or folder")
    report = import_files(
        files, snapshot, source.import_kind, date_order=source.date_order, code_origin=rules.code_origin
    )
    notes = [f"{item.file}: {note}" for item in report.files for note in item.notes]
    return report.total_rows, notes
