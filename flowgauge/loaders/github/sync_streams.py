"""The REST and tag streams of one GitHub repository, and org teams, each saving its cursor after every page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flowgauge.loaders.github import rest_streams as rest
from flowgauge.loaders.github.deployments import DetectionRules
from flowgauge.loaders.github.graphql_pulls import PullPage, load_query
from flowgauge.loaders.github.rest_mapping import (
    UNKNOWN_STATE,
    deployment_outcome,
    map_deployment,
    map_incident,
    map_release,
    map_statuses,
    map_tag,
    map_team,
    map_workflow_run,
)
from flowgauge.loaders.github.review_counts import carried_counts, carried_variables
from flowgauge.loaders.github.run import SyncRun
from flowgauge.loaders.http.fields import FieldNotes, Item, SkipItem
from flowgauge.loaders.http.paginate import paginate_graphql
from flowgauge.loaders.store import utc_now

TAGS_QUERY_FILE = "tags.graphql"


# A deployment that has reported no status yet is asked again on later runs for this long after it started;
# past it, a tool that never reports statuses would otherwise cost one request per deployment per run forever.
UNKNOWN_RECHECK = timedelta(days=7)


def load_deployments(run: SyncRun, repo_id: str, rules: DetectionRules) -> None:
    """Fetch new production deployments with their statuses, and re-ask the statuses of ones still running."""
    notes = run.report.fields
    cursor, etag = run.state(repo_id, "deployments")
    # Deployments still queued or running last time may have new statuses without the list changing.
    open_numbers = [
        int(row[0].rsplit(":", 1)[1])
        for row in run.w.con.execute(
            "SELECT deployment_id FROM deployments WHERE repo_id = ? AND detection_rule = 'deployments_api' "
            "AND (status IN ('queued', 'in_progress') OR (status = ? AND started_at >= ?))",
            [repo_id, UNKNOWN_STATE, utc_now() - UNKNOWN_RECHECK],
        ).fetchall()
    ]
    loaded = 0
    for page in rest.fetch_deployments(run.session, repo_id, cursor, etag, since=run.since_iso):
        rows, statuses = [], []
        for position, deployment in enumerate(page.items):
            number = rest.numeric_id(deployment)
            try:
                # Without an environment no rule can tell whether it went to production.
                name = Item(deployment, notes, "deployments").need("environment")
                if not rules.is_production(str(name)):
                    # Not production under the rule the metrics apply too: counted, so the summary says what it skipped.
                    run.report.drop_environment(str(name), rules.environment)
                    continue
                if number is None:
                    raise SkipItem("deployments", "id")
                history = rest.fetch_deployment_statuses(run.session, repo_id, number)
                rows.append(map_deployment(repo_id, deployment, history, notes, rules))
            except SkipItem as skip:
                notes.note_skipped(skip, f"{repo_id} deployment {number or f'{position + 1} of a page'}")
                continue
            statuses.extend(map_statuses(repo_id, number, history))  # counted once, by map_deployment
            if number in open_numbers:
                open_numbers.remove(number)
        writes = run.page()
        writes.write("deployments", rows)
        writes.write("deployment_statuses", statuses)
        writes.save(repo_id, "deployments", page.cursor, page.etag, page.complete)
        writes.commit()
        loaded += len(rows)
        run.report.count("deployments", len(rows))
        run.tick(repo_id, "deployments", loaded, finished=page.complete)
    for number in open_numbers:
        history = rest.fetch_deployment_statuses(run.session, repo_id, number)
        status, finished_at, url = deployment_outcome(repo_id, number, history, notes)
        run.w.con.execute(
            "UPDATE deployments SET status = ?, finished_at = ?, url = coalesce(?, url) WHERE deployment_id = ?",
            [status, finished_at, run.web_url("deployments", url), f"{repo_id}:deploy:{number}"],
        )
        _save_deployments(run, [], map_statuses(repo_id, number, history))
        run.report.count("deployments", 1)


def _named(scope: str, kind: str) -> Callable[[int, dict[str, Any]], str]:
    """How a skipped item is named in the load summary: by its id or number, else by its place in the page."""

    def where(position: int, item: dict[str, Any]) -> str:
        key = item.get("id") or item.get("number") or item.get("name") or item.get("tag_name") or item.get("slug")
        return f"{scope} {kind} {key if key is not None else f'{position + 1} of a page'}"

    return where


def _save_deployments(run: SyncRun, rows: list[dict[str, Any]], statuses: list[dict[str, Any]]) -> None:
    run.write("deployments", rows)
    run.write("deployment_statuses", statuses)


def load_releases(run: SyncRun, repo_id: str, rules: DetectionRules) -> None:
    """Fetch releases newer than the last run and save them (a release replaces its bare-tag row)."""
    cursor, etag = run.state(repo_id, "releases")
    loaded = 0
    for page in rest.fetch_releases(run.session, repo_id, cursor, etag, since=run.since_iso):
        rows = run.map_each(page.items, lambda r, notes: map_release(repo_id, r, notes), _named(repo_id, "release"))
        # A release replaces the bare-tag row of its tag; keep the sha the tag stream found.
        known = dict(
            run.w.con.execute(
                "SELECT tag_name, sha FROM releases WHERE repo_id = ? AND list_contains(?, tag_name)",
                [repo_id, [row["tag_name"] for row in rows]],
            ).fetchall()
        )
        for row in rows:
            row["sha"] = known.get(row["tag_name"])
        writes = run.page()
        writes.write("releases", rows)
        writes.save(repo_id, "releases", page.cursor, page.etag, page.complete)
        writes.commit()
        loaded += len(rows)
        run.report.count("releases", len(rows))
        run.tick(repo_id, "releases", loaded, finished=page.complete)


def load_tags(run: SyncRun, repo_id: str, rules: DetectionRules, carry: PullPage | None = None) -> None:
    """Fetch tags newest commit first down to the last run's newest, saved as bare-tag releases rows.

    The first request also brings the comment counts of carry's uncounted reviews (the repository's last page of
    pull requests, waiting to be saved): one request fewer per repository.
    """
    owner, name = repo_id.split("/", 1)
    ids = list(carry.uncounted) if carry is not None else []

    def carried() -> dict[str, list[str]]:
        return carried_variables(ids if carry is not None and carry.uncounted else [])

    cursor, _ = run.state(repo_id, "tags")
    stop_at = cursor.get("stop_at", cursor.get("high_water"))
    run_high = cursor.get("run_high")
    loaded = 0
    pages = paginate_graphql(
        run.session,
        load_query(TAGS_QUERY_FILE),
        {"owner": owner, "name": name, "first": 100},
        lambda data: (data.get("repository") or {}).get("refs"),
        after=cursor.get("after"),
        per_request=carried,
    )
    for page in pages:
        if carry is not None and carry.uncounted:
            carry.give_counts(carried_counts(page.data))
        rows, stopped = [], False
        for row in run.map_each(page.nodes, lambda ref, notes: map_tag(repo_id, ref, notes), _named(repo_id, "tag")):
            stamp = row["published_at"].isoformat() if row["published_at"] else None
            if stop_at and stamp and stamp <= stop_at:
                stopped = True
                break
            rows.append(row)
            run_high = max(filter(None, [run_high, stamp]), default=None)
        _merge_tags(run, repo_id, rows)
        loaded += len(rows)
        run.report.count("tags", len(rows))
        done = stopped or not page.has_next
        if done:
            run.save(repo_id, "tags", {"high_water": run_high or stop_at}, None, complete=True)
        else:
            run.save(repo_id, "tags", {"stop_at": stop_at, "run_high": run_high, "after": page.end_cursor}, None, False)
        run.tick(repo_id, "tags", loaded, finished=done)
        if done:
            return


def _merge_tags(run: SyncRun, repo_id: str, rows: list[dict[str, Any]]) -> None:
    """Bare tags become releases rows; a tag that already has a release only lends it its sha."""
    if not rows:
        return
    updated = run.w.con.execute(
        "UPDATE releases SET sha = tags.sha FROM (SELECT unnest(?) AS tag_name, unnest(?) AS sha) tags "
        "WHERE releases.repo_id = ? AND releases.tag_name = tags.tag_name AND NOT releases.is_bare_tag "
        "RETURNING releases.tag_name",
        [[row["tag_name"] for row in rows], [row["sha"] for row in rows], repo_id],
    ).fetchall()
    released = {row[0] for row in updated}
    run.write("releases", [row for row in rows if row["tag_name"] not in released])


def load_runs(run: SyncRun, repo_id: str, rules: DetectionRules) -> None:
    """Fetch workflow runs created since the oldest run still open last time (or the newest seen)."""
    cursor, etag = run.state(repo_id, "workflow_runs")
    oldest_open = cursor.get("oldest_open")
    newest = cursor.get("newest")
    loaded = 0
    for page in rest.fetch_workflow_runs(run.session, repo_id, cursor, etag, since=run.since_iso):
        rows = run.map_each(
            page.items, lambda item, notes: map_workflow_run(repo_id, item, notes), _named(repo_id, "workflow run")
        )
        for item in page.items:
            created = item.get("created_at")
            newest = max(filter(None, [newest, created]), default=None)
            if item.get("status") != "completed":
                oldest_open = min(filter(None, [oldest_open, created]), default=None)
        writes = run.page()
        writes.write("workflow_runs", rows)
        loaded += len(rows)
        run.report.count("workflow_runs", len(rows))
        state = dict(page.cursor)
        if page.complete:
            # Next time, ask from the oldest run still open (its outcome may have changed) or the newest seen.
            bound = oldest_open or newest or cursor.get("created_from")
            state = {"created_from": bound} if bound else {}
            # An ETag belongs to one URL: keep it only when the next run will ask the same question.
            used = cursor.get("created_from") or run.since_iso
            writes.save(repo_id, "workflow_runs", state, page.etag if bound == used else None, True)
        else:
            state.update(oldest_open=oldest_open, newest=newest)
            writes.save(repo_id, "workflow_runs", state, None, False)
        writes.commit()
        run.tick(repo_id, "workflow_runs", loaded, finished=page.complete)


def load_incidents(run: SyncRun, repo_id: str, rules: DetectionRules) -> None:
    """Fetch issues carrying each incident label, updated since the last run, as incidents."""
    for label in rules.incident_labels:
        stream = f"incidents:{label}"
        cursor, etag = run.state(repo_id, stream)
        newest = cursor.get("newest")
        loaded = 0
        for page in rest.fetch_incident_issues(run.session, repo_id, label, cursor, etag, since=run.since_iso):
            rows = run.map_each(
                page.items, lambda issue, notes: map_incident(repo_id, issue, notes), _named(repo_id, "issue")
            )
            writes = run.page()
            writes.write("incidents", rows)
            newest = max(filter(None, [newest, *(i.get("updated_at") for i in page.items)]), default=None)
            loaded += len(rows)
            run.report.count("incidents", len(rows))
            state = {**page.cursor, "newest": newest}
            if page.complete:
                bound = newest or cursor.get("updated_from")
                state = {"updated_from": bound} if bound else {}
                keep = page.etag if bound == (cursor.get("updated_from") or run.since_iso) else None
                writes.save(repo_id, stream, state, keep, True)
            else:
                writes.save(repo_id, stream, state, None, False)
            writes.commit()
            run.tick(repo_id, "incidents", loaded, finished=page.complete)


def load_teams(run: SyncRun, org: str) -> None:
    """Teams and who is in them; memberships open when first seen and close when a member disappears."""
    _, etag = run.state("", "teams")
    teams, new_etag = rest.fetch_teams(run.session, org, etag)
    if teams is not None:
        run.write("teams", run.map_each(teams, map_team, _named(org, "team")))
        run.save("", "teams", {}, new_etag, True)
    slugs = [row[0] for row in run.w.con.execute("SELECT team_id FROM teams").fetchall()]
    now = utc_now()
    for index, slug in enumerate(slugs):
        stream = f"team_members:{slug}"
        stored = run.w.cursor(run.source_id, "", stream)
        members, member_etag = rest.fetch_team_members(run.session, org, slug, stored.etag if stored else None)
        if members is not None:
            _save_memberships(run, slug, members, first_sync=stored is None, now=now)
            run.save("", stream, {}, member_etag, True)
        run.tick("", "teams", index + 1, len(slugs), finished=index + 1 == len(slugs))
        run.report.count("teams", 1)


def _member(member: dict[str, Any], notes: FieldNotes) -> dict[str, Any]:
    """A team member as it is: SkipItem without a login, which names the person."""
    Item(member, notes, "team members").need("login")
    return member


def _save_memberships(run: SyncRun, slug: str, members: list[dict[str, Any]], first_sync: bool, now: datetime) -> None:
    current = {run.people.actor(m) for m in run.map_each(members, _member, _named(slug, "member"))} - {None}
    run.flush_people()
    open_rows = run.w.con.execute(
        "SELECT person_id FROM team_memberships WHERE team_id = ? AND valid_to IS NULL", [slug]
    ).fetchall()
    already = {row[0] for row in open_rows}
    for person_id in already - current:
        run.w.con.execute(
            "UPDATE team_memberships SET valid_to = ? WHERE team_id = ? AND person_id = ? AND valid_to IS NULL",
            [now, slug, person_id],
        )
    # Members found on the first sync are taken as members all along (GitHub keeps no join date).
    start = datetime(1970, 1, 1) if first_sync else now
    run.write(
        "team_memberships",
        [{"person_id": p, "team_id": slug, "valid_from": start, "valid_to": None} for p in sorted(current - already)],
    )
