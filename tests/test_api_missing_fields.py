"""Every field of every API stream, deleted and set to null one at a time: the load finishes and keeps what it can.

One representative item per stream (GitHub GraphQL pull requests and tags; REST deployments, statuses,
releases, workflow runs, issues, teams and members; GitLab projects, merge requests, notes, commits,
deployments, pipelines and releases) is served by the fakes with one key path removed, or nulled. The load
must finish without an exception and keep the item's row, or skip the item and count the skip with the field
it lacked; and a removed field that changed anything stored must be named in the load summary's notes.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest
from fixtures.github.fake_github import FakeGitHub, FakeRepo, rest_user
from fixtures.github.scenario import payments
from fixtures.gitlab.fake_gitlab import FakeGitLab
from fixtures.gitlab.scenario import PROJECT, world

from flowgauge.loaders.github.mapping import map_pulls
from flowgauge.loaders.github.people import PeopleBook
from flowgauge.loaders.github.rest_mapping import map_tag
from flowgauge.loaders.github.sync import sync_github
from flowgauge.loaders.gitlab.sync import sync_gitlab
from flowgauge.loaders.http.fields import FieldNotes, SkipItem
from flowgauge.loaders.http.session import ApiSession
from flowgauge.loaders.store import SnapshotWriter
from flowgauge.snapshot import schema_sql

REPO = "acme/payments"
# Bookkeeping that records cursors and load times rather than the organisation's history.
NOT_COMPARED = ("sync_state", "sources", "snapshot_meta")


def small_github(stream: str | None = None) -> FakeGitHub:
    """acme/payments with only the stream under test filled (every stream for None), so each load is short."""
    full = payments()
    repo = FakeRepo()
    if stream in (None, "pull requests"):
        repo.pulls = [p for p in full.pulls if p["number"] in (1, 2, 5)]
    if stream in (None, "deployments", "deployment statuses"):
        repo.deployments = [d for d in full.deployments if d["id"] in (11, 12)]
        repo.statuses = full.statuses
    if stream in (None, "releases"):
        repo.releases = full.releases
    if stream in (None, "tags"):
        repo.tags = full.tags
    if stream in (None, "workflow runs"):
        repo.runs = full.runs
    if stream in (None, "issues"):
        repo.issues = full.issues
    fake = FakeGitHub(repos={REPO: repo})
    if stream in (None, "teams", "team members"):
        fake.teams = [{"id": 2, "slug": "payments", "name": "Payments", "parent": {"slug": "platform"}}]
        fake.members = {"payments": [rest_user("carol")]}
    return fake


def small_gitlab(stream: str | None = None) -> FakeGitLab:
    """grp/sub/app with only the stream under test filled (every stream for None)."""
    fake = world()
    project = fake.projects[PROJECT]
    if stream not in (None, "merge requests", "notes", "commits"):
        project.merge_requests, project.notes, project.commits = [], {}, {}
    if stream not in (None, "deployments"):
        project.deployments = []
    if stream not in (None, "pipelines"):
        project.pipelines = []
    if stream not in (None, "releases"):
        project.releases = []
    return fake


@dataclass(frozen=True)
class Stream:
    """Where one stream's representative item sits in which response, and the table its rows go to."""

    source: str
    name: str  # as the load summary names it
    table: str
    matches: Callable[[httpx.Request], bool]
    pick: Callable[[Any], dict[str, Any] | None]  # the item inside the response body


def _rest(path: str) -> Callable[[httpx.Request], bool]:
    return lambda request: request.url.raw_path.decode().split("?")[0].endswith(path)


def _graphql(operation: str) -> Callable[[httpx.Request], bool]:
    return lambda request: request.url.path == "/graphql" and f"query {operation}(" in request.content.decode()


def _find(items: Any, key: str, value: Any) -> dict[str, Any] | None:
    return next((i for i in items or [] if isinstance(i, dict) and i.get(key) == value), None)


def _pull(body: Any) -> dict[str, Any] | None:
    return _find(body["data"]["repository"]["pullRequests"]["nodes"], "number", 1)


def _tag(body: Any) -> dict[str, Any] | None:
    return _find(body["data"]["repository"]["refs"]["nodes"], "name", "v1.0.0")


STREAMS = [
    Stream("github", "pull requests", "pull_requests", _graphql("Pulls"), _pull),
    Stream("github", "tags", "releases", _graphql("Tags"), _tag),
    Stream("github", "deployments", "deployments", _rest(f"{REPO}/deployments"), lambda b: _find(b, "id", 11)),
    Stream("github", "deployment statuses", "deployment_statuses", _rest("11/statuses"), lambda b: _find(b, "id", 2)),
    Stream("github", "releases", "releases", _rest(f"{REPO}/releases"), lambda b: _find(b, "id", 900)),
    Stream("github", "workflow runs", "workflow_runs", _rest("runs"), lambda b: _find(b["workflow_runs"], "id", 501)),
    Stream("github", "issues", "incidents", _rest(f"{REPO}/issues"), lambda b: _find(b, "number", 40)),
    Stream("github", "teams", "teams", _rest("orgs/acme/teams"), lambda b: _find(b, "slug", "payments")),
    Stream("github", "team members", "team_memberships", _rest("members"), lambda b: _find(b, "login", "carol")),
    Stream("gitlab", "projects", "repositories", _rest("projects/grp%2Fsub%2Fapp"), lambda body: body),
    Stream("gitlab", "merge requests", "pull_requests", _rest("/merge_requests"), lambda b: _find(b, "iid", 1)),
    Stream("gitlab", "notes", "pr_reviews", _rest("merge_requests/1/notes"), lambda b: _find(b, "id", 14)),
    Stream("gitlab", "commits", "commits", _rest("merge_requests/1/commits"), lambda b: b[0] if b else None),
    Stream("gitlab", "deployments", "deployments", _rest("/deployments"), lambda b: _find(b, "id", 51)),
    Stream("gitlab", "pipelines", "workflow_runs", _rest("/pipelines"), lambda b: _find(b, "id", 901)),
    Stream("gitlab", "releases", "releases", _rest("/releases"), lambda b: _find(b, "tag_name", "v2.0")),
]


def key_paths(value: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Every key path in a JSON object, into the first element of each list of objects."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield (*prefix, key)
            yield from key_paths(child, (*prefix, key))
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        yield from key_paths(value[0], (*prefix, 0))


def editing(stream: Stream, path: tuple, how: str):
    """Wraps a fake's handler: answers the same, with path removed (or nulled) in the stream's representative item."""

    def wrap(handle: Callable[[httpx.Request], httpx.Response]):
        def edited(request: httpx.Request) -> httpx.Response:
            response = handle(request)
            if response.status_code != 200 or not stream.matches(request):
                return response
            body = json.loads(response.content)
            item = stream.pick(body)
            if item is None:
                return response
            parent: Any = item
            for step in path[:-1]:
                parent = parent[step]
            if how == "delete":
                del parent[path[-1]]
            else:
                parent[path[-1]] = None
            kept = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")}
            return httpx.Response(200, json=body, headers=kept)

        return edited

    return wrap


# One in-memory snapshot for every case, each load in a transaction rolled back after it: building the schema
# afresh for each of several hundred loads would take most of the test's time.
_CON = duckdb.connect()
_CON.execute("SET TimeZone = 'UTC'")
_CON.execute(schema_sql())


def load(stream: Stream, wrap=None) -> tuple[Any, dict[str, list[str]]]:
    """(report, rows of every table) of a load of the stream's small world through the handler wrap makes."""
    fake = small_github(stream.name) if stream.source == "github" else small_gitlab(stream.name)
    base = "https://api.github.test/" if stream.source == "github" else "https://gitlab.test/api/v4/"
    transport = httpx.MockTransport(wrap(fake.handle) if wrap else fake.handle)
    session = ApiSession(httpx.Client(base_url=base, transport=transport), graphql_url="graphql", sleep=lambda s: None)
    _CON.execute("BEGIN TRANSACTION")
    try:
        writer = SnapshotWriter(_CON)
        if stream.source == "github":
            org = "acme" if stream.name in ("teams", "team members") else None
            report = sync_github(session, writer, [REPO], org=org)
        else:
            report = sync_gitlab(session, writer, [PROJECT])
        return report, dump(_CON)
    finally:
        _CON.execute("ROLLBACK")


def dump(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Every row of every history table as text, by table, in one statement (each costs milliseconds)."""
    tables = [row[0] for row in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
    # Table names come from DuckDB's own catalogue; a row cast to text is its struct, every column named.
    union = " UNION ALL ".join(
        f"SELECT '{t}' AS t, CAST(r AS VARCHAR) AS row FROM \"{t}\" r" for t in tables if t not in NOT_COMPARED
    )
    found: dict[str, list[str]] = {t: [] for t in tables if t not in NOT_COMPARED}
    for table, row in con.execute(union).fetchall():
        found[table].append(row)
    return {t: sorted(rows) for t, rows in found.items()}


def sample_item(stream: Stream) -> dict[str, Any]:
    """The representative item as the fake serves it, to walk its key paths."""
    captured: list[dict[str, Any]] = []

    def capturing(handle):
        def capture(request: httpx.Request) -> httpx.Response:
            response = handle(request)
            if response.status_code == 200 and stream.matches(request) and not captured:
                item = stream.pick(json.loads(response.content))
                if item is not None:
                    captured.append(copy.deepcopy(item))
            return response

        return capture

    load(stream, capturing)
    assert captured, f"the fake never served the {stream.name} item"
    return captured[0]


def _value(item: dict[str, Any], path: tuple) -> Any:
    for step in path:
        item = item[step]
    return item


CASES = [
    pytest.param(stream, path, how, id=f"{stream.source}-{stream.name}-{'.'.join(map(str, path))}-{how}")
    for stream in STREAMS
    for item in [sample_item(stream)]
    for path in key_paths(item)
    for how in ("delete", "null")
    if how == "delete" or _value(item, path) is not None  # nulling a null would load the baseline again
]
BASELINES: dict[Stream, tuple[Any, dict[str, list[str]]]] = {}


def baseline(stream: Stream) -> tuple[Any, dict[str, list[str]]]:
    if stream not in BASELINES:
        BASELINES[stream] = load(stream)
        assert BASELINES[stream][0].notes == []  # the scenario itself lacks nothing
    return BASELINES[stream]


@pytest.mark.parametrize(("stream", "path", "how"), CASES)
def test_a_missing_or_null_field_is_loaded_as_null_or_skipped_and_counted(stream, path, how):
    _, before = baseline(stream)
    report, after = load(stream, editing(stream, path, how))
    notes = report.notes
    skipped = report.fields.skipped_count(stream.name)
    # The item's row is there, or the item was skipped and the skip counted with the field that was missing.
    assert len(after[stream.table]) in (len(before[stream.table]), len(before[stream.table]) - skipped), notes
    if skipped:
        assert any(f"{stream.name}: {skipped} skipped, no " in note for note in notes), notes
    if how == "delete" and after != before:
        # Nothing silent: a removed field that changed what was stored is named in the load summary.
        key = str(path[-1])
        assert any(key in note for note in notes), (notes, _diff(before, after))


def _diff(before: dict[str, list[str]], after: dict[str, list[str]]) -> dict[str, Any]:
    changed = [t for t in before if before[t] != after[t]]
    return {
        t: (sorted(set(before[t]) - set(after[t]))[:2], sorted(set(after[t]) - set(before[t]))[:2]) for t in changed
    }


TESTDATA = Path(__file__).parents[2] / "shared" / "testdata"
# Fields GitHub's schema lets be null that a row still cannot be built without, and why.
REQUIRED_THOUGH_NULLABLE = {
    ("reviews", "nodes", "submittedAt"): "null only for pending reviews, which are left out anyway",
}


def _schema_type(schema, type_name: str, path: tuple) -> Any:
    """The GraphQL type of the field at path (list indexes skipped) below type_name, as GitHub's schema declares it."""
    import graphql

    current: Any = schema.get_type(type_name)
    field_type: Any = None
    for key in (step for step in path if not isinstance(step, int)):
        named = graphql.get_named_type(current)
        if key == "__typename":
            return graphql.GraphQLNonNull(graphql.GraphQLString)
        candidates = [named, *(schema.get_possible_types(named) if graphql.is_abstract_type(named) else [])]
        field = next(c.fields[key] for c in candidates if key in getattr(c, "fields", {}))
        field_type = current = field.type
    return field_type


@pytest.mark.skipif(not TESTDATA.exists(), reason="../shared/testdata (GitHub's GraphQL schema) is not present")
@pytest.mark.parametrize("stream", [s for s in STREAMS if s.name in ("pull requests", "tags")], ids=lambda s: s.name)
def test_graphql_fields_a_row_cannot_do_without_are_the_non_null_ones_of_githubs_schema(stream):
    graphql = pytest.importorskip("graphql")
    schema = graphql.build_schema(
        (TESTDATA / "github_graphql_schema" / "schema.graphql").read_text(), assume_valid_sdl=True
    )
    item = sample_item(stream)
    required: list[tuple] = []
    for path in key_paths(item):
        node = copy.deepcopy(item)
        parent: Any = node
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = None
        notes = FieldNotes()
        if stream.name == "pull requests":
            map_pulls(REPO, [node], PeopleBook(), notes)
        else:
            try:
                map_tag(REPO, node, notes)
            except SkipItem as skip:
                notes.note_skipped(skip, "v1.0.0")
        if not notes.skipped:
            continue
        declared = _schema_type(schema, "PullRequest" if stream.name == "pull requests" else "Ref", path)
        named_path = tuple(step for step in path if not isinstance(step, int))
        assert graphql.is_non_null_type(declared) or named_path in REQUIRED_THOUGH_NULLABLE, (path, notes.lines())
        required.append(named_path)
    # The ids themselves are among the fields checked, so the loop above did look at skips.
    assert (("number",) if stream.name == "pull requests" else ("name",)) in required
