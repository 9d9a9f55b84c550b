"""The loaders against real recorded GitHub data in ../shared/testdata (skipped where it is absent)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from flowgauge.loaders.github.rest_mapping import map_deployment, map_incident, map_release, map_workflow_run
from flowgauge.loaders.http.paginate import paginate_link
from flowgauge.loaders.http.ratelimit import RateLimits
from flowgauge.loaders.http.session import ApiSession

TESTDATA = Path(__file__).parents[2] / "shared" / "testdata"
QUERIES = Path(__file__).parents[1] / "flowgauge" / "loaders" / "github" / "queries"

pytestmark = pytest.mark.skipif(not TESTDATA.exists(), reason="../shared/testdata is not present")


def examples(operation: str):
    data = json.loads((TESTDATA / "github_rest_api_examples_octokit_routes" / "examples_by_operation.json").read_text())
    return data[operation]["examples"]["200"]


@pytest.fixture(scope="module")
def github_schema():
    graphql = pytest.importorskip("graphql")
    sdl = (TESTDATA / "github_graphql_schema" / "schema.graphql").read_text()
    schema = graphql.build_schema(sdl, assume_valid_sdl=True)
    # GitHub's published SDL breaks a few interface-deprecation rules unrelated to queries;
    # mark the schema as checked so validate() looks only at our query.
    schema._validation_errors = []
    return schema


@pytest.mark.parametrize("query_file", sorted(p.name for p in QUERIES.glob("*.graphql")))
def test_every_query_validates_against_githubs_public_schema(github_schema, query_file):
    import graphql

    errors = graphql.validate(github_schema, graphql.parse((QUERIES / query_file).read_text()))
    assert [e.message for e in errors] == []


def test_recorded_link_pagination_is_followed_to_the_last_page():
    recorded = json.loads((TESTDATA / "octokit_fixtures" / "paginate-issues.normalized-fixture.json").read_text())
    by_path = {entry["path"]: entry for entry in recorded}

    def replay(request: httpx.Request) -> httpx.Response:
        entry = by_path[request.url.raw_path.decode()]
        headers = {name: str(value) for name, value in entry["headers"].items()}
        return httpx.Response(entry["status"], json=entry["response"], headers=headers)

    client = httpx.Client(base_url="https://api.github.com/", transport=httpx.MockTransport(replay))
    session = ApiSession(client, sleep=lambda s: None)
    pages = list(paginate_link(session, "repos/octokit-fixture-org/paginate-issues/issues", params={"per_page": 3}))
    assert [len(p.items) for p in pages] == [3, 3, 3, 3, 1]
    assert session.requests == 5 and session.quota_text() == "4,999/5,000 left"


def test_recorded_abuse_limit_body_is_a_secondary_limit():
    body = (TESTDATA / "perceval_testdata" / "github" / "abuse_rate_limit").read_text()
    response = httpx.Response(403, text=body)
    assert RateLimits().limited_wait(response, "core", 0.0) == (60.0, "secondary rate limit")


def test_documented_rest_examples_map_to_canonical_rows():
    dep = examples("repos/list-deployments")[0]
    status = examples("repos/list-deployment-statuses")[0]
    row = map_deployment("octocat/example", dep, [status])
    assert row["deployment_id"] == "octocat/example:deploy:1"
    assert (row["environment"], row["sha"], row["status"]) == ("production", dep["sha"], "success")
    assert row["finished_at"] is not None
    assert row["url"] == (status.get("log_url") or status["target_url"])

    release = map_release("octocat/Hello-World", examples("repos/list-releases")[0])
    assert (release["tag_name"], release["is_prerelease"], str(release["published_at"])) == (
        "v1.0.0",
        False,
        "2013-02-27 19:35:32",
    )
    run = map_workflow_run("octo-org/octo-repo", examples("actions/list-workflow-runs-for-repo")["workflow_runs"][0])
    assert (run["run_id"], run["event"], run["status"], run["conclusion"]) == (
        "octo-org/octo-repo:run:30433642",
        "push",
        "queued",
        None,
    )
    issue = examples("issues/list-for-repo")[0]
    assert "pull_request" in issue and map_incident("octocat/Hello-World", issue) is None  # the example is a PR
    plain = {k: v for k, v in issue.items() if k != "pull_request"}
    incident = map_incident("octocat/Hello-World", plain)
    assert (incident["incident_id"], incident["title"]) == ("github:octocat/Hello-World#1347", "Found a bug")
