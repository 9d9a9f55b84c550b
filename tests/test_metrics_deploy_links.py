"""Deployment linking on a hand-built snapshot (tests/fixtures/metrics/deploy_links.sql): a PR is never linked to a
deployment that started before it merged, an undeployed PR is counted with its reason, and inferred deployments
flag every DORA figure: the engine's results, the report's JSON, the cards and the DORA cluster."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from flowgauge.cli.main import app
from flowgauge.loaders.store import write_snapshot
from flowgauge.metrics import APPROXIMATE_DEPLOYMENTS, DEFAULT_RULES, Filters, compute_all
from flowgauge.metrics.facts import keep_facts, warm_facts
from flowgauge.snapshot import open_snapshot, snapshot_identity
from flowgauge.ui.lists import deployment_rows, pull_request_rows
from flowgauge.ui.text import plain

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "metrics" / "deploy_links.sql"
APRIL = Filters(date(2024, 4, 1), date(2024, 5, 1))
BEFORE_MERGE = "only deployments that started before the merge name it, none since: lead time unknown"


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("links") / "links.duckdb"
    with write_snapshot(path, fresh=True) as writer:
        writer.con.execute(FIXTURE.read_text(encoding="utf-8"))
    return path


@pytest.fixture(scope="module", params=["per_call", "kept", "cached"])
def con(request, snapshot):
    """The snapshot with facts built per call (the CLI), kept in memory, and cached beside it (the app)."""
    connection = open_snapshot(snapshot)
    if request.param == "kept":
        assert keep_facts(connection) and warm_facts(connection, DEFAULT_RULES)
    if request.param == "cached":
        assert keep_facts(connection, snapshot_identity(snapshot)) and warm_facts(connection, DEFAULT_RULES)
    yield connection
    connection.close()


def test_a_pr_goes_to_the_first_deployment_that_started_at_or_after_its_merge(con):
    rows = pull_request_rows(con, APRIL, DEFAULT_RULES).to_pylist()
    linked = {row["pr_id"]: (row["deployed_at"], row["deploy_link_rule"], row["deploy_hours"]) for row in rows}
    assert linked == {
        # DA0 (04-02 10:00) names it but started before its 12:00 merge: DA1, the next api deployment, shipped it.
        "acme/api#1": (datetime(2024, 4, 3, 12), "merged_since_previous", 24.0),
        # DA0 carries its merge commit, but before the merge; DA1's own PR list names it.
        "acme/api#3": (datetime(2024, 4, 3, 12), "source", 25.0),
        # DA2 (11:00) carries its merge commit an hour before the 12:00 merge, and nothing deployed api since.
        "acme/api#2": (None, None, None),
        "acme/site#4": (datetime(2024, 4, 5, 10), "source", 0.0),
        "acme/site#5": (datetime(2024, 4, 6, 12), "source", 0.0),
    }


def test_lead_time_counts_the_undeployed_pr_with_its_reason(con):
    api = compute_all(con, Filters(APRIL.start, APRIL.end, repos=("acme/api",)), statistic="median")
    lead = api["lead_time_for_changes"]
    # api#1: 08:00 -> DA1 04-03 12:00 = 28 h; api#3: 09:00 -> 27 h.
    assert (lead.value, lead.n_used, lead.exclusions, lead.flags) == (27.5, 2, ((1, BEFORE_MERGE),), ())
    assert api["deploy_time"].exclusions == ((1, BEFORE_MERGE.replace("lead time", "deploy time")),)
    assert api["deploy_frequency"].flags == ()


def test_inferred_deployments_flag_every_dora_figure(con):
    everything = compute_all(con, APRIL, statistic="median")
    # Five production deployments, two of them merges standing in for deployments.
    assert everything["deploy_frequency"].flags == (f"2 of 5: {APPROXIMATE_DEPLOYMENTS}",)
    assert everything["change_failure_rate"].flags == (f"2 of 5: {APPROXIMATE_DEPLOYMENTS}",)
    # Lead times 2 h and 4 h (site, inferred), 27 h and 28 h (api): median 15.5 h, two of four inferred.
    lead = everything["lead_time_for_changes"]
    assert (lead.value, lead.flags) == (15.5, (f"2 of 4: {APPROXIMATE_DEPLOYMENTS}",))
    site = compute_all(con, Filters(APRIL.start, APRIL.end, repos=("acme/site",)), statistic="median")
    assert site["deploy_frequency"].flags == (APPROXIMATE_DEPLOYMENTS,)
    assert site["deploy_frequency"].details["dora_bucket"] == "weekly"
    assert [row["is_approximate"] for row in deployment_rows(con, APRIL, DEFAULT_RULES).to_pylist()] == [
        False,
        True,
        True,
        False,
        False,
    ]


def test_the_report_json_carries_the_flag_and_the_undeployed_reason(snapshot):
    result = CliRunner().invoke(
        app, ["report", str(snapshot), "--from", "2024-04-01", "--to", "2024-05-01", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    for metric_id in ("deploy_frequency", "change_failure_rate", "deployment_rework_rate"):
        assert report[metric_id]["flags"] == [f"2 of 5: {APPROXIMATE_DEPLOYMENTS}"], metric_id
    lead = report["lead_time_for_changes"]
    assert lead["flags"] == [f"2 of 4: {APPROXIMATE_DEPLOYMENTS}"]
    assert lead["exclusions"] == [{"count": 1, "reason": BEFORE_MERGE}]


def card_texts(node, cards: dict[str, str] | None = None, label: list[str] | None = None) -> dict[str, str]:
    """Each card's metric label and the text drawn under it (sparkline, marks, benchmark line), in page order."""
    cards = {} if cards is None else cards
    label = [] if label is None else label
    kind = getattr(node, "type", None)
    if kind == "metric":
        label[:] = [node.label]
    elif kind == "markdown" and label:
        cards[label.pop()] = node.value
    children = getattr(node, "children", None) or {}
    for child in children.values() if isinstance(children, dict) else children:
        card_texts(child, cards, label)
    return cards


@pytest.mark.parametrize(
    ("page", "marked"),
    [
        ("dora", {"Deployment frequency", "Lead time for changes", "Change failure rate", "Deployment rework rate"}),
        (
            "overview",
            {
                "Deployment frequency",
                "Deployment frequency per developer",
                "Lead time for changes",
                "Change failure rate",
                "Deployment rework rate",
                "Deploy time",
                "Cycle time",
            },
        ),
    ],
)
def test_cards_and_the_dora_cluster_mark_inferred_deployments(snapshot, page, marked):
    at = AppTest.from_file(str(ROOT / "flowgauge" / "dashboard" / "pages" / f"{page}.py"), default_timeout=60)
    at.session_state["fg_data_dir"] = str(snapshot.parent)
    for key, value in {"snapshot": "links", "from": "2024-04-01", "to": "2024-04-30"}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    cards = card_texts(at.main)
    # The card's label says approximate and its text says why, not only its tooltip; PR-only metrics have neither.
    assert {name for name, text in cards.items() if plain(APPROXIMATE_DEPLOYMENTS) in text} == {
        f"{name} (approximate)" for name in marked
    }
    assert ("Coding time" if page == "overview" else "Failed deployment recovery time") in cards
    if page == "dora":
        cluster = [block.value for block in at.markdown if ":small[:gray[(" in block.value]
        assert cluster == [
            f":small[:orange[:material/warning: {plain(APPROXIMATE_DEPLOYMENTS)}]] "
            ":small[:gray[(Deployment frequency, Lead time for changes, Change failure rate)]]"
        ]
        # Five deployments in 30 days: 1.2 a week.
        assert f"**daily**. {plain(APPROXIMATE_DEPLOYMENTS)}." in " ".join(caption.value for caption in at.caption)
