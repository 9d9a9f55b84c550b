"""`flowgauge snapshot git PATH...`: load local clones' history into a snapshot."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn
from rich.text import Text

from flowgauge.cli.dashboard_facts import prepare_for_dashboard
from flowgauge.cli.options import day_option, default_snapshot, out_help
from flowgauge.cli.rules_option import RulesOption, print_rule_effects, print_rules_source, rules_in_force
from flowgauge.loaders.git.line_age import DEFAULT_RECENT_DAYS
from flowgauge.loaders.git.tags import DEFAULT_DEPLOY_TAGS

console = Console(stderr=True)


class _RateColumn(ProgressColumn):
    """Commits per second of a task."""

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:,.0f} commits/s" if task.speed else "", style="progress.data.speed")


def git(
    paths: Annotated[list[Path], typer.Argument(help="Local clones (working trees or bare repositories).")],
    out: Annotated[
        Path | None, typer.Option(help=out_help("create or update", "flowgauge.duckdb"), show_default=False)
    ] = None,
    deploy_tags: Annotated[
        str | None,
        typer.Option(
            help=f"Regex: tags matching it are production deployments; default the rules' [deployments] tag, "
            f"else {DEFAULT_DEPLOY_TAGS!r}.",
            show_default=False,
        ),
    ] = None,
    since: Annotated[date | None, day_option(help="Only commits from this day on (YYYY-MM-DD, UTC).")] = None,
    line_age: Annotated[
        bool, typer.Option(help="Compute line age (rework/refactor) from -U0 diffs; the slower part.")
    ] = True,
    recent_days: Annotated[
        int, typer.Option(min=1, help="Lines changed within this many days count as rework.")
    ] = DEFAULT_RECENT_DAYS,
    rules_file: RulesOption = None,
) -> None:
    """Load commits, PRs (from merge and squash commits), tags as deployments and line age from local clones."""
    from flowgauge.loaders.git import load_git_repos

    out = default_snapshot(out, "flowgauge.duckdb")
    rules = rules_in_force(rules_file, out.parent)
    deploy_tags = deploy_tags or rules.detection.default.tag or DEFAULT_DEPLOY_TAGS
    try:
        re.compile(deploy_tags)
    except re.error as error:
        raise typer.BadParameter(
            f"{deploy_tags!r} is not a regular expression ({error})", param_hint="--deploy-tags"
        ) from None
    since_at = datetime.combine(since, datetime.min.time()) if since else None
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), _RateColumn(), TimeElapsedColumn())
    bars = Progress(*columns, console=console)
    tasks: dict[tuple[str, str], int] = {}

    def progress(repo_id: str, phase: str, done: int, total: int | None) -> None:
        # Started on the first report, so a bad path fails with its one line and no empty bar.
        if not tasks:
            bars.start()
        key = (repo_id, phase)
        if key not in tasks:
            tasks[key] = bars.add_task(f"{repo_id}: {phase}", total=total)
        bars.update(tasks[key], completed=done, total=total)

    try:
        results = load_git_repos(
            paths,
            out,
            deploy_tags=deploy_tags,
            since=since_at,
            line_age=line_age,
            recent_days=recent_days,
            progress=progress,
            code_origin=rules.code_origin,
        )
    finally:
        if tasks:
            bars.stop()
    for result in results:
        mode = "new commits" if result.incremental else "commits"
        console.print(
            f"{result.repo_id}: {result.commits_read:,} {mode}, {result.pull_requests:,} PRs, "
            f"{result.deployments:,} tag deployments, {result.line_age_rows:,} line-age rows",
            highlight=False,
        )
        console.print(Text(f"{result.repo_id}: PRs found: {result.pr_summary()}"))
        for example in result.unrecognised_examples:
            console.print(Text(f"  unrecognised: {example}"))
    console.print(f"Wrote {out}")
    print_rules_source(console, rules)
    print_rule_effects(console, out, rules)
    prepare_for_dashboard(out, console, rules.linking)


def register(app: typer.Typer) -> None:
    """Add `git` to the `flowgauge snapshot` group."""
    app.command()(git)
