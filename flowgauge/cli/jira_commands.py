"""`flowgauge snapshot jira`: boards, sprints and issues with changelogs from Jira Cloud or Data Center."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import httpx
import typer
from rich.markup import escape

from flowgauge.cli.api_commands import (
    OUT_HELP,
    SINCE_HELP,
    _on_wait,
    _progress,
    _ProgressBars,
    console,
)
from flowgauge.cli.dashboard_facts import prepare_for_dashboard
from flowgauge.cli.options import EXIT_FAILED, EXIT_PARTIAL, day_option, default_snapshot
from flowgauge.cli.rules_option import RulesOption, print_rule_effects, print_rules_source, rules_in_force
from flowgauge.loaders.http.session import ApiSession
from flowgauge.loaders.jira.client import JiraAuth, build_jira_client, jira_auth_from
from flowgauge.loaders.store import write_snapshot

PROJECT_KEY = re.compile(r"^[A-Z][A-Z0-9_]*$")
# Tests replace this to serve a fake Jira through httpx.MockTransport.
client_factory: Callable[[str, JiraAuth], httpx.Client] = build_jira_client


class _NothingLoaded(Exception):
    """No board, project or query could be read; raised inside the write so the snapshot stays as it was."""


def jira_auth(site: str) -> JiraAuth:
    """Credentials from the environment: JIRA_EMAIL and JIRA_API_TOKEN (Cloud), or JIRA_TOKEN (Data Center)."""
    return jira_auth_from(site, os.environ)


def jira(
    site: Annotated[str, typer.Option(help="Jira site, e.g. https://acme.atlassian.net or https://jira.acme.com.")],
    board: Annotated[
        list[int] | None, typer.Option(help="Board id (repeatable): its issues, sprints and team.")
    ] = None,
    project: Annotated[list[str] | None, typer.Option(help="Project key (repeatable), e.g. PAY.")] = None,
    jql: Annotated[str | None, typer.Option(help="A JQL query selecting the issues to load.")] = None,
    since: Annotated[date | None, day_option(help=SINCE_HELP)] = None,
    out: Annotated[Path | None, typer.Option(help=OUT_HELP, show_default=False)] = None,
    rules_file: RulesOption = None,
    full: Annotated[bool, typer.Option(help="Ignore stored sync cursors and fetch everything again.")] = False,
) -> None:
    """Load issues with their changelogs, boards and sprints (with scope changes) from Jira."""
    from flowgauge.loaders.jira.sync import sync_jira

    parsed = urlsplit(site)
    if parsed.scheme not in ("http", "https") or not parsed.hostname or parsed.username or parsed.password:
        raise typer.BadParameter(
            f"{site!r}: expected the site's address, like https://acme.atlassian.net", param_hint="--site"
        )
    if not (board or project or jql):
        raise typer.BadParameter("name at least one --board ID, --project KEY or --jql QUERY", param_hint="--board")
    bad = [key for key in project or [] if not PROJECT_KEY.match(key)]
    if bad:
        raise typer.BadParameter(
            f"{', '.join(bad)}: a project key is upper-case letters and digits, like PAY", param_hint="--project"
        )
    auth = jira_auth(site)
    since_at = _since(since)
    out = default_snapshot(out, "flowgauge.duckdb")
    rules = rules_in_force(rules_file, out.parent)
    location = f"{parsed.scheme}://{parsed.netloc}{parsed.path}".rstrip("/")
    with client_factory(site, auth) as client:
        session = ApiSession(client, on_wait=_on_wait, redactor=auth.redactor(client))
        with _progress() as progress:
            try:
                with write_snapshot(out, resumable=True) as writer:
                    report = sync_jira(
                        session,
                        writer,
                        deployment=auth.deployment,
                        boards=board or [],
                        projects=project or [],
                        jql=jql,
                        since=since_at,
                        full=full,
                        progress=_ProgressBars(progress),
                        source_id=f"jira:{parsed.hostname}",
                        location=location,
                    )
                    if not report.repos_loaded:
                        raise _NothingLoaded
            except _NothingLoaded:
                for warning in report.warnings:
                    console.print(f"[red]warning[/red]: {escape(warning)}")
                console.print(f"No board, project or query could be loaded; {out} is unchanged.")
                raise typer.Exit(EXIT_FAILED) from None
    counts = ", ".join(f"{n:,} {stream}" for stream, n in report.items.items() if n)
    scopes = len(report.repos_loaded) + len(report.repos_skipped)
    console.print(
        f"Wrote {out}: {len(report.repos_loaded)} of {scopes} boards, projects or queries loaded "
        f"({counts or 'no changes'}); {report.requests:,} API requests ({auth.deployment})"
    )
    for warning in report.warnings:
        console.print(f"[yellow]warning[/yellow]: {escape(warning)}")
    if report.notes:
        console.print("What the site's answers lacked (loaded as NULL, or the item skipped):")
    for note in report.notes:
        console.print(f"  {note}", markup=False, highlight=False)
    print_rules_source(console, rules)
    print_rule_effects(console, out, rules)
    prepare_for_dashboard(out, console, rules.linking)
    if report.repos_skipped:
        raise typer.Exit(EXIT_PARTIAL)


def _since(day: date | None) -> datetime | None:
    return datetime.combine(day, datetime.min.time()) if day else None


def register(app: typer.Typer) -> None:
    """Add `jira` to the `flowgauge snapshot` group."""
    app.command()(jira)
