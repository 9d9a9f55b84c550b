"""Every GitHub query the loader sends, costed by GitHub's published rule and checked against GitHub's schema."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from fixtures.github.graphql_cost import is_connection, query_cost
from fixtures.github.scenario import organisation

from flowgauge.loaders.github.graphql_pulls import NESTED_COMMITS, NESTED_REVIEWS, PAGE_SIZE
from flowgauge.loaders.http.session import ApiSession

graphql = pytest.importorskip("graphql")

SCHEMA = Path(__file__).parents[2] / "shared" / "testdata" / "github_graphql_schema" / "schema.graphql"
QUERIES = sorted(
    p.name
    for p in resources.files("flowgauge.loaders.github").joinpath("queries").iterdir()
    if p.name.endswith(".graphql")
)
IDS = [f"PRR_{n}" for n in range(100)]
MORE = IDS[:48]
# The variables each query is sent with at its heaviest: full pages, and 100 review ids to count.
HEAVIEST = {
    "pulls.graphql": {
        "first": PAGE_SIZE,
        "reviews": NESTED_REVIEWS,
        "commits": NESTED_COMMITS,
        "reviewIds": IDS,
        "moreReviewIds": MORE,
    },
    "pull_reviews.graphql": {"number": 4, "first": NESTED_REVIEWS},
    "pull_commits.graphql": {"number": 4, "first": NESTED_COMMITS},
    "pull_extras.graphql": {"number": 4, "labels": True, "closing": True, "timeline": True},
    "review_counts.graphql": {"ids": IDS},
    "tags.graphql": {"first": 100},
}
# Points a query may cost at its heaviest: a page of 100 PRs with everything is 7 points, and 148 review counts
# carried keep it at 8.
MAX_POINTS = {"pulls.graphql": 8}


def text(name: str) -> str:
    return resources.files("flowgauge.loaders.github").joinpath("queries", name).read_text(encoding="utf-8")


def test_the_rule_gives_githubs_own_example_51_points():
    # GitHub's documentation: 100 repositories, 50 issues each, 60 labels each: 1 + 100 + 5,000 requests = 51 points.
    example = """query { viewer { login repositories(first: 100) { edges { node { id
        issues(first: 50) { edges { node { id labels(first: 60) { edges { node { id name } } } } } } } } } } }"""
    cost = query_cost(example)
    assert (cost.requests, cost.points) == (5101, 51)


@pytest.mark.parametrize("name", QUERIES)
def test_each_query_costs_what_it_should_and_nests_no_connection_two_deep(name):
    cost = query_cost(text(name), {"owner": "acme", "name": "x", **HEAVIEST.get(name, {})})
    assert cost.points <= MAX_POINTS.get(name, 1), [(c.path, c.requests) for c in cost.connections]
    assert all(c.depth <= 1 for c in cost.connections), [(c.path, c.depth) for c in cost.connections]


def test_a_page_of_100_prs_costs_7_points_and_8_with_148_review_counts():
    variables = {"owner": "a", "name": "b", **HEAVIEST["pulls.graphql"]}
    assert query_cost(text("pulls.graphql"), {**variables, "reviewIds": [], "moreReviewIds": []}).points == 7
    assert query_cost(text("pulls.graphql"), {**variables, "reviewIds": IDS[:48], "moreReviewIds": []}).points == 7
    assert query_cost(text("pulls.graphql"), variables).points == 8
    assert query_cost(text("pulls.graphql"), {**variables, "moreReviewIds": IDS[:60]}).points == 9


def test_the_fake_answers_a_dry_run_with_the_rules_cost_and_charges_a_real_query_the_same():
    fake = organisation()
    session = ApiSession(fake.client(), graphql_url="graphql")
    variables = {"owner": "acme", "name": "web", **HEAVIEST["pulls.graphql"]}
    dry = text("pulls.graphql").replace("rateLimit {", "rateLimit(dryRun: true) {", 1)
    answer = session.graphql(dry, variables)
    assert answer.data["rateLimit"]["cost"] == 8 and "repository" not in answer.data
    before = fake.points_spent
    real = session.graphql(text("pulls.graphql"), variables)
    assert real.data["rateLimit"]["cost"] == 8 and fake.points_spent - before == 8
    assert real.data["rateLimit"]["remaining"] == fake.graphql_limit - fake.points_spent


@pytest.mark.skipif(not SCHEMA.exists(), reason="../shared/testdata (GitHub's GraphQL schema) is not present")
@pytest.mark.parametrize("name", QUERIES)
def test_the_rule_reads_as_connections_exactly_the_fields_githubs_schema_declares_so(name):
    # (test_github_testdata.py validates every query against the schema.) The rule reads connections without the
    # schema, as the fake has it; the schema says which fields are connections.
    schema = _schema()
    document = graphql.parse(text(name))
    info = graphql.TypeInfo(schema)
    mismatches = []

    class Check(graphql.Visitor):
        def enter_field(self, node, *_):
            field_type = info.get_type()
            if field_type is None or node.name.value == "rateLimit":
                return
            declared = graphql.get_named_type(field_type).name.endswith("Connection")
            if declared != is_connection(node):
                mismatches.append((node.name.value, declared))

    graphql.visit(document, graphql.TypeInfoVisitor(info, Check()))
    assert mismatches == []


_SCHEMA_CACHE: list = []


def _schema():
    if not _SCHEMA_CACHE:
        _SCHEMA_CACHE.append(graphql.build_schema(SCHEMA.read_text(encoding="utf-8"), assume_valid_sdl=True))
    return _SCHEMA_CACHE[0]
