"""`flowgauge snapshot github` and `snapshot gitlab`: API loads with rich progress; tokens come from the environment."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from flowgauge.cli.dashboard_facts import prepare_for_dashboard
from flowgauge.cli.github_plan import EstimateBar, plan_starts, print_plan
from flowgauge.cli.options import EXIT_FAILED, EXIT_PARTIAL, day_option, default_snapshot, out_help
from flowgauge.cli.rules_option import RulesOption, print_rule_effects, print_rules_source, rules_in_force
from flowgauge.errors import LoaderError
from flowgauge.loaders.github.app_auth import GitHubAppAuth, app_auth_from, open_github_client
from flowgauge.loaders.http.client import GITHUB_API_URL, GITLAB_API_URL, build_client, github_graphql_url
from flowgauge.loaders.http.progress import ProgressEvent
from flowgauge.loaders.http.session import ApiSession
from flowgauge.loaders.http.throttle import DEFAULT_WORKERS, Throttle
from flowgauge.loaders.store import write_snapshot
from flowgauge.rules import Rules

SINCE_HELP = "Skip items last updated before this day (YYYY-MM-DD, UTC)."
# More workers than this add little but risk GitHub's secondary limits.
MAX_WORKERS = 16
OUT_HELP = out_help("create or update", "flowgauge.duckdb")

console = Console(stderr=True)
# Tests replace this to serve a fake API through httpx.MockTransport.
client_factory: Callable[[str, str | None], httpx.Client] = build_client


class MissingToken(LoaderError):
    """No API token in the environment."""


class _NothingLoaded(Exception):
    """Every repository failed; raised inside the write so the snapshot stays as it was."""


class _ProgressBars:
    """One rich task per repository and stream, showing items, ETA and the quota left."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[tuple[str, str], TaskID] = {}
        self.also: list[Callable[[ProgressEvent], None]] = []  # other rows following the same events

    def __call__(self, event: ProgressEvent) -> None:
        for follower in self.also:
            follower(event)
        key = (event.repo_id, event.stream)
        label = f"{event.repo_id or 'org'} {event.stream}"
        if key not in self.tasks:
            self.tasks[key] = self.progress.add_task(label, total=event.total, quota="")
        total = event.items if event.finished else event.total
        self.progress.update(self.tasks[key], completed=event.items, total=total, quota=event.quota)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        TextColumn("quota {task.fields[quota]}"),
        console=console,
        transient=False,
    )


def _since(day: date | None) -> datetime | None:
    return datetime.combine(day, datetime.min.time()) if day else None


def _on_wait(seconds: float, reason: str) -> None:
    console.print(f"[yellow]waiting {seconds:,.0f} s[/yellow]: {reason}")


def github(
    repos: Annotated[list[str] | None, typer.Argument(help="Repositories as OWNER/REPO.", show_default=False)] = None,
    org: Annotated[str | None, typer.Option(help="Load every repository of this organisation, and its teams.")] = None,
    since: Annotated[date | None, day_option(help=SINCE_HELP)] = None,
    out: Annotated[Path | None, typer.Option(help=OUT_HELP, show_default=False)] = None,
    api_url: Annotated[str, typer.Option(help="REST API base URL (GitHub Enterprise: https://HOST/api/v3).")] = (
        GITHUB_API_URL
    ),
    rules_file: RulesOption = None,
    full: Annotated[bool, typer.Option(help="Ignore stored sync cursors and fetch everything again.")] = False,
    app_id: Annotated[
        str | None,
        typer.Option(
            help="Sign in as this GitHub App instead of with a token; its private key from "
            "GITHUB_APP_PRIVATE_KEY_PATH (a .pem file) or GITHUB_APP_PRIVATE_KEY (the key's text).",
            show_default=False,
        ),
    ] = None,
    installation_id: Annotated[
        int | None,
        typer.Option(help="The App's installation; default: found by --org, else by the first repository.", min=1),
    ] = None,
    plan: Annotated[
        bool,
        typer.Option(
            "--plan",
            help="Count the pull requests to fetch and estimate the GraphQL points and hours of quota; write nothing.",
        ),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=MAX_WORKERS,
            help="Repositories loaded at once, sharing one quota and GitHub's secondary limits (1: one after another).",
        ),
    ] = DEFAULT_WORKERS,
) -> None:
    """Load pull requests, reviews, deployments, releases, runs, incidents and teams from GitHub."""
    from flowgauge.loaders.github.plan import fetch_load_plan
    from flowgauge.loaders.github.sync import fetch_org_repos, github_source_id, sync_github

    if installation_id is not None and not app_id:
        raise typer.BadParameter("--installation-id needs --app-id", param_hint="--installation-id")
    if not app_id and not (os.environ.get("GITHUB_TOKEN") or os.environ.get("GH_TOKEN")):
        raise MissingToken("set GITHUB_TOKEN (or GH_TOKEN) to a token that can read the repositories")
    if not repos and not org:
        raise typer.BadParameter("name at least one OWNER/REPO, or --org ORG", param_hint="REPOS")
    malformed = [r for r in repos or [] if r.count("/") != 1 or "" in r.split("/")]
    if malformed:
        raise typer.BadParameter(f"{', '.join(malformed)}: expected OWNER/REPO", param_hint="REPOS")
    sign_in = _github_sign_in(app_id, installation_id, api_url, org, repos or [])
    out = default_snapshot(out, "flowgauge.duckdb")
    rules = rules_in_force(rules_file, out.parent)
    with open_github_client(client_factory, api_url, sign_in) as client:
        session = ApiSession(client, graphql_url=github_graphql_url(api_url), on_wait=_on_wait, throttle=Throttle())
        names = list(repos or []) or fetch_org_repos(session, org)
        load_plan = None
        if plan:
            load_plan = fetch_load_plan(
                session, names, plan_starts(out, github_source_id(org, names), names, since, full)
            )
            print_plan(Console(soft_wrap=True), load_plan)
            return
        if full or not out.exists():  # a first load or --full is long: show what it will take
            try:
                load_plan = fetch_load_plan(
                    session, names, plan_starts(out, github_source_id(org, names), names, since, full)
                )
            except LoaderError as error:  # the load itself says what it could not read
                console.print(f"No estimate: {error}", markup=False, highlight=False)
            else:
                print_plan(console, load_plan)
        with _progress() as progress:
            bars = _ProgressBars(progress)
            if load_plan is not None:
                estimate = EstimateBar(progress, load_plan, lambda: session.graphql_points)
                bars.also.append(estimate)
            report = _write(
                out,
                lambda writer: sync_github(
                    session,
                    writer,
                    names,
                    org=org,
                    config=rules.detection,
                    since=_since(since),
                    full=full,
                    progress=bars,
                    location=api_url,
                    code_origin=rules.code_origin,
                    workers=workers,
                ),
            )
    if isinstance(sign_in, GitHubAppAuth):
        console.print(f"Signed in as GitHub App {app_id}, installation {sign_in.installation_id}", markup=False)
    _finish(out, report, rules)


def _github_sign_in(
    app_id: str | None, installation_id: int | None, api_url: str, org: str | None, repos: list[str]
) -> str | GitHubAppAuth:
    """The token from the environment, or the GitHub App whose key the environment holds."""
    if app_id:
        return app_auth_from(
            os.environ, app_id=app_id, installation_id=installation_id, api_url=api_url, org=org, repos=repos
        )
    return os.environ.get("GITHUB_TOKEN") or os.environ.get("GH_TOKEN") or ""


def _write(out: Path, sync):
    try:
        with write_snapshot(out, resumable=True) as writer:
            report = sync(writer)
            if not report.repos_loaded:
                raise _NothingLoaded
    except _NothingLoaded:
        for warning in report.warnings:
            console.print(f"[red]warning[/red]: {warning}")
        console.print(f"No repository could be loaded; {out} is unchanged.")
        raise typer.Exit(EXIT_FAILED) from None
    return report


def _finish(out: Path, report, rules: Rules) -> None:
    """Summary, what the rules left out and the dashboard's facts; exit 3 when some repositories were skipped."""
    _summarise(out, report, rules)
    print_rule_effects(console, out, rules)
    prepare_for_dashboard(out, console, rules.linking)
    if report.repos_skipped:
        raise typer.Exit(EXIT_PARTIAL)


def _summarise(out: Path, report, rules: Rules) -> None:
    counts = ", ".join(f"{n:,} {stream}" for stream, n in report.items.items() if n)
    console.print(
        f"Wrote {out}: {len(report.repos_loaded)} of {len(report.repos_loaded) + len(report.repos_skipped)} "
        f"repositories loaded ({counts or 'no changes'}); "
        f"{report.requests:,} API requests"
        + (f", GraphQL cost {report.graphql_cost:,} points" if report.graphql_cost else "")
    )
    print_rules_source(console, rules)
    for line in report.dropped_lines():
        # Items a rule left out were never stored: a changed rule needs --full to fetch them.
        note = "to load them, change the rule and re-run with --full"
        console.print(f"Left out by the rules: {line} ({note})", markup=False, soft_wrap=True)
    for warning in report.warnings:
        console.print(f"[yellow]warning[/yellow]: {warning}")
    if report.notes:
        console.print("What the API's answers lacked (loaded as NULL, or the item skipped):")
    for note in report.notes:
        console.print(f"  {note}", markup=False, highlight=False)
    if report.repos_skipped:
        console.print(f"Skipped {len(report.repos_skipped)}: {', '.join(report.repos_skipped)}")


def gitlab(
    projects: Annotated[
        list[str] | None, typer.Argument(help="Projects as GROUP/PROJECT (subgroups allowed).", show_default=False)
    ] = None,
    group: Annotated[
        list[str] | None,
        typer.Option(help="Load every project of this group and its subgroups (repeatable).", show_default=False),
    ] = None,
    since: Annotated[date | None, day_option(help=SINCE_HELP)] = None,
    out: Annotated[Path | None, typer.Option(help=OUT_HELP, show_default=False)] = None,
    api_url: Annotated[str, typer.Option(help="API base URL (self-managed: https://HOST/api/v4).")] = GITLAB_API_URL,
    rules_file: RulesOption = None,
    full: Annotated[bool, typer.Option(help="Ignore stored sync cursors and fetch everything again.")] = False,
) -> None:
    """Load merge requests with approvals and notes, commits, deployments, pipelines and releases from GitLab."""
    from flowgauge.loaders.gitlab.sync import gitlab_projects, sync_gitlab

    token = os.environ.get("GITLAB_TOKEN")
    if not token:
        raise MissingToken("set GITLAB_TOKEN to a token with read_api scope")
    if not projects and not group:
        raise typer.BadParameter("name at least one GROUP/PROJECT, or --group GROUP", param_hint="PROJECTS")
    out = default_snapshot(out, "flowgauge.duckdb")
    rules = rules_in_force(rules_file, out.parent)
    with client_factory(api_url, token) as client:
        session = ApiSession(client, on_wait=_on_wait)
        names = gitlab_projects(session, projects or [], group or [])
        with _progress() as progress:
            report = _write(
                out,
                lambda writer: sync_gitlab(
                    session,
                    writer,
                    names,
                    config=rules.detection,
                    since=_since(since),
                    full=full,
                    progress=_ProgressBars(progress),
                    location=api_url,
                    code_origin=rules.code_origin,
                ),
            )
    _finish(out, report, rules)


def register(app: typer.Typer) -> None:
    """Add `github` and `gitlab` to the `flowgauge snapshot` group."""
    app.command()(github)
    app.command()(gitlab)
