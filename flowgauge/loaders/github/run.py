"""The state one GitHub sync shares across its streams: session, writer, people seen, cursors and the report."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flowgauge.loaders.github.people import PeopleBook
from flowgauge.loaders.http.fields import FieldNotes, SkipItem
from flowgauge.loaders.http.progress import ProgressCallback, ProgressEvent
from flowgauge.loaders.http.session import ApiSession
from flowgauge.loaders.store import SnapshotWriter
from flowgauge.rules.code_origin import DEFAULT_CODE_ORIGIN, CodeOriginRules
from flowgauge.rules.effects import counted
from flowgauge.url_safety import keep_web_urls_in_rows, left_out_note, web_url_or_none


@dataclass
class SyncReport:
    """What a sync did: repositories loaded and skipped, warnings, items per stream, requests made, links left out
    because they were not http(s) URLs (per table), and what the API's items lacked (fields counted, items skipped)."""

    repos_loaded: list[str] = field(default_factory=list)
    repos_skipped: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    items: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    graphql_cost: int = 0
    urls_left_out: dict[str, int] = field(default_factory=dict)
    fields: FieldNotes = field(default_factory=FieldNotes)
    # What a rule left out, never silently: "deployments in environment 'x' not production under the rule '...'".
    dropped: dict[str, int] = field(default_factory=dict)

    def count(self, stream: str, n: int) -> None:
        """Add n items loaded to a stream's tally."""
        self.items[stream] = self.items.get(stream, 0) + n

    def merge(self, other: SyncReport) -> None:
        """Add what another run of the same load did (one repository loaded by a worker); requests and points are
        the session's, counted once at the end."""
        self.repos_loaded += other.repos_loaded
        self.repos_skipped.update(other.repos_skipped)
        self.warnings += other.warnings
        for stream, n in other.items.items():
            self.count(stream, n)
        for table, n in other.urls_left_out.items():
            self.urls_left_out[table] = self.urls_left_out.get(table, 0) + n
        self.fields.merge(other.fields)
        for what, n in other.dropped.items():
            self.drop(what, n)

    @property
    def notes(self) -> list[str]:
        """One line per thing the load could not read fully: 'deployments: 3 without updated_at'."""
        return self.fields.lines()

    def detail_notes(self) -> dict[str, Any]:
        """The notes for the source's detail JSON: as a list, and as the one-line 'summary' that `flowgauge info`
        and the Data page show (none when the answers lacked nothing)."""
        notes = self.notes
        return {"notes": notes, "summary": "what the API's answers lacked: " + "; ".join(notes) if notes else None}

    def drop(self, what: str, n: int = 1) -> None:
        """Count n items a rule left out, by what and why (the text shown after the count)."""
        self.dropped[what] = self.dropped.get(what, 0) + n

    def drop_environment(self, environment: str, rule: str) -> None:
        """Count one deployment left out because the production rule does not take its environment."""
        self.drop(f"deployments in environment {environment!r} not production under the rule {rule!r}")

    def dropped_lines(self) -> list[str]:
        """One line per thing a rule left out: '7 deployments in environment ...'."""
        return [counted(n, what) for what, n in sorted(self.dropped.items())]


class SyncRun:
    """One sync: the session, the writer and the shared bookkeeping of every stream."""

    def __init__(
        self,
        session: ApiSession,
        writer: SnapshotWriter,
        source_id: str,
        since: datetime | None,
        full: bool,
        progress: ProgressCallback,
        alias_source: str = "github",
        code_origin: CodeOriginRules = DEFAULT_CODE_ORIGIN,
    ) -> None:
        self.session = session
        self.w = writer
        self.source_id = source_id
        self.since_iso = since.strftime("%Y-%m-%dT%H:%M:%SZ") if since else None
        self.full = full
        self.progress = progress
        self.report = SyncReport()
        self.people = PeopleBook(alias_source)
        self.code_origin = code_origin  # the rules each PR's code origin is told by

    def for_worker(self, writer: SnapshotWriter) -> SyncRun:
        """A run of the same load for one repository on a worker thread: its own report and people, writing through
        writer (the load's writer, serving calls from its own thread)."""
        run = SyncRun(
            self.session,
            writer,
            self.source_id,
            None,
            self.full,
            self.progress,
            self.people.source,
            code_origin=self.code_origin,
        )
        run.since_iso = self.since_iso
        return run

    def state(self, repo_id: str, stream: str) -> tuple[dict[str, Any], str | None]:
        """(cursor dict, etag) stored for a stream; empty when never synced or --full."""
        stored = None if self.full else self.w.cursor(self.source_id, repo_id, stream)
        if stored is None:
            return {}, None
        return (json.loads(stored.cursor) if stored.cursor else {}), stored.etag

    def save(self, repo_id: str, stream: str, cursor: dict[str, Any], etag: str | None, complete: bool) -> None:
        """Store a stream's cursor (JSON text) and ETag; called after every page."""
        text = json.dumps(cursor, sort_keys=True)
        self.w.save_cursor(self.source_id, repo_id, stream, text, etag=etag, complete=complete)

    def map_each(
        self,
        items: list[dict[str, Any]],
        mapper: Callable[[dict[str, Any], FieldNotes], dict[str, Any] | None],
        where: Callable[[int, dict[str, Any]], str],
    ) -> list[dict[str, Any]]:
        """mapper(item, notes) for each item; an item it skips (SkipItem) is counted, named by where(position, item)."""
        rows = []
        for position, item in enumerate(items):
            try:
                row = mapper(item, self.report.fields)
            except SkipItem as skip:
                self.report.fields.note_skipped(skip, where(position, item))
                continue
            if row is not None:
                rows.append(row)
        return rows

    def write(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Upsert rows into table (nothing for an empty list), any link that is not an http(s) URL stored as NULL."""
        if rows:
            self.w.upsert(table, self.web_rows(table, rows))

    def web_rows(self, table: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """rows with any link that is not an http(s) URL as None, counted for table."""
        rows, left_out = keep_web_urls_in_rows(rows)
        self._count_left_out(table, left_out)
        return rows

    def page(self) -> PageWrites:
        """The writes of one page, to save with its cursor in one transaction."""
        return PageWrites(self)

    def web_url(self, table: str, url: str | None) -> str | None:
        """url when it is an http(s) URL, else None, counted for table as write() counts."""
        kept = web_url_or_none(url)
        self._count_left_out(table, int(url is not None and kept is None))
        return kept

    def link_warnings(self) -> list[str]:
        """One warning per table that had links left out, for the end of the sync's report."""
        return [f"{table}: {left_out_note(n, 'url')}" for table, n in self.report.urls_left_out.items()]

    def _count_left_out(self, table: str, n: int) -> None:
        if n:
            self.report.urls_left_out[table] = self.report.urls_left_out.get(table, 0) + n

    def flush_people(self) -> None:
        """Write the people and aliases collected since the last flush, as one step: when repositories load at once,
        another worker's people are never written between reading what is stored and writing over it."""
        people, aliases = self.people.take()
        call = getattr(self.w, "call", None)  # a SerialWriter runs the step on the writing thread
        if call is not None:
            call(lambda writer: self._save_people(writer, people, aliases))
        else:
            self._save_people(self.w, people, aliases)

    def _save_people(self, writer: SnapshotWriter, people: list[dict[str, Any]], aliases: list[dict[str, Any]]) -> None:
        if people:
            # A REST user carries no name or e-mail: keep what an earlier, richer sighting stored.
            stored = writer.con.execute(
                "SELECT person_id, display_name, primary_email FROM people WHERE list_contains(?, person_id)",
                [[p["person_id"] for p in people]],
            ).fetchall()
            known = {row[0]: row[1:] for row in stored}
            for person in people:
                name, email = known.get(person["person_id"], (None, None))
                if name and (person["display_name"] or "").lower() in ("", person["person_id"]):
                    person["display_name"] = name
                person["primary_email"] = person["primary_email"] or email
            writer.upsert("people", people)
        if aliases:
            writer.upsert("person_aliases", aliases)

    def dropped_so_far(self) -> dict[str, int]:
        """What rules left out in this run and in the earlier runs of this source (whose items an incremental run does
        not fetch again), for the source's record; --full starts the count afresh."""
        totals = {} if self.full else _recorded_drops(self.w, self.source_id)
        for what, n in self.report.dropped.items():
            totals[what] = totals.get(what, 0) + n
        return totals

    def tick(self, repo_id: str, stream: str, items: int, total: int | None = None, finished: bool = False) -> None:
        """Report progress of one stream to the callback."""
        self.progress(ProgressEvent(repo_id, stream, items, total, self.session.quota_text(), finished))


class PageWrites:
    """One page's rows and its stream's cursor, saved together by commit() in one transaction: an interrupted load
    resumes after the last page saved whole, and a page costs one commit (one wait for the disk) instead of one a
    table."""

    def __init__(self, run: SyncRun) -> None:
        self._run = run
        self._writes: list[Callable[[SnapshotWriter], Any]] = []

    def write(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Upsert rows into table at commit, links as SyncRun.write keeps them."""
        if rows:
            kept = self._run.web_rows(table, rows)
            self._writes.append(lambda writer: writer.upsert(table, kept))

    def write_new(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Insert at commit the rows whose key table lacks, keeping the stored ones (SnapshotWriter.insert_new)."""
        if rows:
            kept = self._run.web_rows(table, rows)
            self._writes.append(lambda writer: writer.insert_new(table, kept))

    def save(self, repo_id: str, stream: str, cursor: dict[str, Any], etag: str | None, complete: bool) -> None:
        """Store the stream's cursor at commit, as SyncRun.save does."""
        text, source_id = json.dumps(cursor, sort_keys=True), self._run.source_id
        self._writes.append(
            lambda writer: writer.save_cursor(source_id, repo_id, stream, text, etag=etag, complete=complete)
        )

    def commit(self) -> None:
        """Run the page's writes in one transaction (on the writing thread when repositories load at once)."""
        writes = self._writes
        self._writes = []
        self._run.w.in_one_transaction(lambda writer: [write(writer) for write in writes])


def _recorded_drops(writer: SnapshotWriter, source_id: str) -> dict[str, int]:
    rows = writer.con.execute("SELECT detail FROM sources WHERE source_id = ?", [source_id]).fetchall()
    detail = json.loads(rows[0][0]) if rows and rows[0][0] else {}
    return dict(detail.get("dropped") or {})
