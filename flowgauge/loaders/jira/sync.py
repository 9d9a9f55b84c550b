"""sync_jira: boards, sprints and issues (with changelogs) into the snapshot, cursor saved after every page.

Issues are read per scope (a board's saved filter, a project, or a JQL query) oldest update first,
from the stored high-water `updated` time. JQL compares times to the minute in the Jira user's time
zone, so each run re-reads the last day before the mark; re-reading an issue only replaces its rows.
A sprint whose dates or state changed since the last run (started, closed) has its issues read again,
because their scope events depend on those dates, not on the issues changing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flowgauge.loaders.github.mapping import parse_time
from flowgauge.loaders.github.run import SyncReport, SyncRun
from flowgauge.loaders.http.errors import ApiError, Forbidden, NotFound
from flowgauge.loaders.http.fields import SkipItem
from flowgauge.loaders.http.progress import ProgressCallback, no_progress
from flowgauge.loaders.http.session import ApiSession
from flowgauge.loaders.jira import api
from flowgauge.loaders.jira.client import Deployment
from flowgauge.loaders.jira.fields import SiteFields, site_fields, status_categories
from flowgauge.loaders.jira.history import sprint_ids
from flowgauge.loaders.jira.mapping import (
    IssueRows,
    MappingContext,
    board_team_id,
    board_team_row,
    map_issue,
    sprint_row,
)
from flowgauge.loaders.store import SnapshotWriter, utc_now

# JQL reads times to the minute in the user's profile time zone (anywhere from UTC-12 to UTC+14).
REREAD = timedelta(days=1)
_ORDER_BY = re.compile(r"(?is)\s+order\s+by\s+.*$")
_SPRINT_STATE_COLUMNS = ("state", "starts_at", "ends_at", "completed_at")


@dataclass(frozen=True)
class Scope:
    """One set of issues: a board's saved filter, a project or a JQL query, with its cursor's name."""

    label: str  # sync_state.repo_id: 'board:7', 'project:PAY', 'jql', 'sprints'
    jql: str
    estimation: str | None = None  # the board's estimation field id
    incremental: bool = True


def sync_jira(
    session: ApiSession,
    writer: SnapshotWriter,
    *,
    deployment: Deployment,
    boards: Sequence[int] = (),
    projects: Sequence[str] = (),
    jql: str | None = None,
    since: datetime | None = None,
    full: bool = False,
    progress: ProgressCallback = no_progress,
    source_id: str = "jira",
    location: str = "",
    now: datetime | None = None,
) -> SyncReport:
    """Load boards (with their sprints), projects or a JQL query's issues; a missing board or project is skipped."""
    run = SyncRun(session, writer, source_id, since, full, progress, alias_source="jira")
    loader = _Loader(run, deployment, now or utc_now())
    scopes = [s for s in (loader.board(b) for b in boards) if s is not None]
    scopes += [Scope(f"project:{key}", f'project = "{_jql_text(key)}"') for key in projects]
    if jql:
        scopes.append(Scope("jql", _ORDER_BY.sub("", jql)))
    changed = loader.refresh_open_sprints()
    for scope in scopes:
        loader.issues(scope)
    if changed:
        # Their items' scope events depend on the new dates: read them again, whenever they last changed.
        numbers = ", ".join(sorted(changed, key=int))
        loader.issues(Scope("sprints", f"sprint in ({numbers})", loader.estimation(), incremental=False))
    run.report.requests = session.requests
    detail = {
        "deployment": deployment,
        "boards": list(boards),
        "projects": list(projects),
        "jql": jql,
        "skipped": run.report.repos_skipped,
        "warnings": run.report.warnings[:100],
        "requests": session.requests,
        "items": run.report.items,
        **run.report.detail_notes(),  # what the site's answers lacked, shown by `flowgauge info` and the Data page
    }
    writer.record_source(source_id, "jira", session.redact.url(location), detail)
    return run.report


class _Loader:
    """The steps of one Jira sync, sharing the site's fields, statuses and the sprints known so far."""

    def __init__(self, run: SyncRun, deployment: Deployment, now: datetime) -> None:
        self.run = run
        self.deployment = deployment
        self.now = now
        self.fields: SiteFields = site_fields(api.fetch_fields(run.session, deployment))
        self.statuses = status_categories(api.fetch_statuses(run.session, deployment))
        self.sprints = self._stored_sprints()
        self.stored = {number: dict(row) for number, row in self.sprints.items()}
        self.board_teams: dict[str, str | None] = {}
        self.changed: set[str] = set()
        self.seen: set[str] = set()  # sprints read from the site this run
        self.estimations: set[str] = set()  # estimation fields of the boards loaded

    def _stored_sprints(self) -> dict[str, dict[str, Any]]:
        cursor = self.run.w.con.execute(
            "SELECT sprint_id, name, team_id, state, starts_at, ends_at, completed_at FROM sprints "
            "WHERE sprint_id LIKE 'jira:%'"
        )
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        return {row["sprint_id"].removeprefix("jira:"): row for row in rows if row["sprint_id"][5:].isdigit()}

    def _keep_sprint(self, row: dict[str, Any]) -> None:
        """Remember a sprint's latest row, noting it as changed when a stored sprint's dates or state moved."""
        number = row["sprint_id"].removeprefix("jira:")
        before = self.stored.get(number)
        if before is not None and any(before[c] != row[c] for c in _SPRINT_STATE_COLUMNS):
            self.changed.add(number)
        if row["team_id"] is None and number in self.sprints:
            row["team_id"] = self.sprints[number]["team_id"]
        self.sprints[number] = row
        self.seen.add(number)

    def board(self, board_id: int) -> Scope | None:
        """Load a board (as a team) and its sprints; its issues are those of its saved filter."""
        label = f"board:{board_id}"
        try:
            board = api.fetch_board(self.run.session, board_id)
            config = api.fetch_board_configuration(self.run.session, board_id)
        except (NotFound, Forbidden) as error:
            self._skip(label, error)
            return None
        self.run.write("teams", [board_team_row(board_id, board)])
        self.board_teams[str(board_id)] = board_team_id(board_id)
        self.run.report.count("boards", 1)
        estimation = ((config.get("estimation") or {}).get("field") or {}).get("fieldId")
        self.estimations |= {estimation} if estimation else set()
        if board.get("type") != "kanban":
            try:
                sprints = api.fetch_board_sprints(self.run.session, board_id)
            except ApiError as error:
                if error.status not in (400, 403, 404):
                    raise
                self.run.report.warnings.append(f"{label}: sprints not loaded, {error}")
                sprints = []
            rows = self.run.map_each(
                sprints,
                lambda s, notes: sprint_row(s, board_team_id(s.get("originBoardId") or board_id), notes),
                lambda position, _: f"{label} sprint {position + 1}",
            )
            for row in rows:
                self._keep_sprint(row)
            self.run.write("sprints", rows)
            self.run.report.count("sprints", len(rows))
            self.run.tick(label, "sprints", len(rows), finished=True)
        filter_id = (config.get("filter") or {}).get("id")
        if filter_id is None:
            self._skip(label, ApiError(f"{label}: the board has no saved filter"))
            return None
        return Scope(label, f"filter = {int(filter_id)}", estimation)

    def estimation(self) -> str | None:
        """The estimation field of the boards loaded, when they agree on one (else the usual points fields)."""
        return next(iter(self.estimations)) if len(self.estimations) == 1 else None

    def refresh_open_sprints(self) -> set[str]:
        """Re-read stored sprints not closed yet (those no board listed this run); returns every changed one."""
        for number, row in list(self.stored.items()):
            if row["state"] == "closed" or number in self.seen:
                continue
            try:
                fresh = api.fetch_sprint(self.run.session, number)
            except (NotFound, Forbidden):
                continue
            updated = sprint_row(fresh, row["team_id"], self.run.report.fields, number)
            self._keep_sprint(updated)
            self.run.write("sprints", [updated])
        return self.changed

    def issues(self, scope: Scope) -> None:
        """Page through a scope's issues updated since its cursor, writing each page and then the cursor."""
        cursor, _ = self.run.state(scope.label, "issues") if scope.incremental else ({}, None)
        newest = cursor.get("updated_from")
        bound = _jql_minute(parse_time(newest) - REREAD) if newest else self.run.since_iso and self.run.since_iso[:10]
        query = f"({scope.jql})" + (f' AND updated >= "{bound}"' if bound else "") + " ORDER BY updated ASC"
        loaded = 0
        fields = self.fields.request_fields(scope.estimation)
        try:
            for page in api.search_issues(self.run.session, self.deployment, query, fields):
                self._write_page(scope, page.issues)
                stamps = [i["fields"]["updated"] for i in page.issues if (i.get("fields") or {}).get("updated")]
                newest = max([newest, *stamps], key=lambda t: parse_time(t) if t else datetime.min, default=newest)
                loaded += len(page.issues)
                self.run.report.count("issues", len(page.issues))
                if scope.incremental:
                    self.run.save(scope.label, "issues", {"updated_from": newest} if newest else {}, None, False)
                self.run.tick(scope.label, "issues", loaded, page.total)
        except ApiError as error:
            # A project key or JQL the site does not know is a 400 naming it; the other scopes still load.
            if error.status != 400 or loaded:
                raise
            self._skip(scope.label, error)
            return
        if scope.incremental:
            self.run.save(scope.label, "issues", {"updated_from": newest} if newest else {}, None, True)
        self.run.tick(scope.label, "issues", loaded, finished=True)
        if scope.label != "sprints":
            self.run.report.repos_loaded.append(scope.label)

    def _write_page(self, scope: Scope, page: list[dict[str, Any]]) -> None:
        issues = self._keyed(scope, page)
        histories = {i["key"]: api.complete_changelog(self.run.session, self.deployment, i) for i in issues}
        self._know_sprints(issues, histories)
        ctx = MappingContext(self.fields, self.statuses, scope.estimation, self.sprints, self.now)
        rows = IssueRows()
        for issue in issues:
            try:
                map_issue(issue, histories[issue["key"]], ctx, rows, self.run.report.fields)
            except SkipItem as skip:  # raised before anything of the issue is added to rows
                self.run.report.fields.note_skipped(skip, issue["key"])
        for number in sorted(rows.unknown_sprints):
            self.run.report.warnings.append(f"sprint {number}: not visible to this account, its scope left out")
        self._write_people(rows)
        keys = [i["key"] for i in issues]
        for table in ("sprint_items", "sprint_scope_events"):
            # An item's sprint rows are rebuilt from its whole history, so rows of sprints it left go too.
            self.run.w.delete_where(table, "list_contains(?, item_key)", [keys])
        # A key repeated in a page is written once, its last row winning (SnapshotWriter.upsert).
        self.run.write("work_items", rows.work_items)
        self.run.write("sprint_items", rows.sprint_items)
        self.run.write("sprint_scope_events", rows.scope_events)
        self.run.report.count("sprint scope events", len(rows.scope_events))

    def _keyed(self, scope: Scope, page: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The page's issues that have a key (every row is keyed by it); the others are counted and named by id."""
        keyed = []
        for position, issue in enumerate(page):
            if isinstance(issue, dict) and issue.get("key"):
                keyed.append(issue)
            else:
                where = issue.get("id") if isinstance(issue, dict) else None
                named = f"id {where}" if where else f"{scope.label} issue {position + 1} of a page"
                self.run.report.fields.note_skipped(SkipItem("issues", "key"), named)
        return keyed

    def _know_sprints(self, issues: list[dict[str, Any]], histories: dict[str, list[dict[str, Any]]]) -> None:
        """Dates of every sprint the page's issues were ever in: from their sprint field, else the Agile API."""
        rows = []
        wanted: set[str] = set()
        for issue in issues:
            for field_id in self.fields.sprint:
                value = (issue.get("fields") or {}).get(field_id)
                for sprint in value if isinstance(value, list) else [value] if value else []:
                    if isinstance(sprint, dict) and sprint.get("id") is not None:
                        number = str(sprint["id"])
                        if number not in self.seen:
                            team = self._board_team(sprint.get("boardId"))
                            rows.append(sprint_row(sprint, team, self.run.report.fields))
                wanted |= sprint_ids(value)
            for history in histories[issue["key"]]:
                for item in history.get("items") or []:
                    if self.fields.is_field(item, self.fields.sprint):
                        wanted |= sprint_ids(item.get("from")) | sprint_ids(item.get("to"))
        for row in rows:
            self._keep_sprint(row)
        for number in sorted(wanted - set(self.sprints), key=lambda n: (len(n), n)):
            try:
                sprint = api.fetch_sprint(self.run.session, number)
            except (NotFound, Forbidden):
                continue
            team = self._board_team(sprint.get("originBoardId"))
            rows.append(sprint_row(sprint, team, self.run.report.fields, number))
            self._keep_sprint(rows[-1])
        self.run.write("sprints", rows)

    def _board_team(self, board_id: object) -> str | None:
        """The team of a sprint's board: loaded boards are teams already, others are fetched once."""
        if board_id is None:
            return None
        key = str(board_id)
        if key not in self.board_teams:
            try:
                board = api.fetch_board(self.run.session, int(key))
            except (NotFound, Forbidden):
                self.board_teams[key] = None
            else:
                self.run.write("teams", [board_team_row(key, board)])
                self.board_teams[key] = board_team_id(key)
        return self.board_teams[key]

    def _write_people(self, rows: IssueRows) -> None:
        # People other loaders found first (GitHub, git) keep their names and bot flags.
        ids = list(rows.people)
        stored = self.run.w.con.execute("SELECT person_id FROM people WHERE list_contains(?, person_id)", [ids])
        known = {row[0] for row in stored.fetchall()}
        self.run.write("people", [p for i, p in rows.people.items() if i not in known])
        self.run.write("person_aliases", list(rows.aliases.values()))

    def _skip(self, label: str, error: Exception) -> None:
        self.run.report.repos_skipped[label] = str(error)
        self.run.report.warnings.append(f"{label}: skipped, {error}")


def _jql_minute(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def _jql_text(text: str) -> str:
    """A value inside a JQL double-quoted string."""
    return text.replace("\\", "\\\\").replace('"', '\\"')
