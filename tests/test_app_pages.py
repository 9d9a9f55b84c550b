"""Every page runs with AppTest on the fixture snapshot, shows the metrics module's numbers, and keeps the URL."""

import base64
import re
import shutil
import time
from datetime import date
from pathlib import Path

import pytest
from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.testing.v1 import AppTest

from flowgauge.metrics import METRICS, tier_of, tier_statistics
from flowgauge.metrics.benchmark_sets import DEFAULT_SET_ID, load_benchmark_sets
from flowgauge.metrics.engine import aggregate_selection, compute_all
from flowgauge.snapshot import open_snapshot
from flowgauge.ui import cached
from flowgauge.ui.breakdown_bar import breakdown_alt, breakdown_svg
from flowgauge.ui.charts import PALETTE, PHASES, format_value, tier_badge
from flowgauge.ui.connection import connections
from flowgauge.ui.filters import View
from flowgauge.ui.scorecard import signed
from flowgauge.ui.sparklines import sparkline_svg, weekly_series
from flowgauge.ui.text import plain

ROOT = Path(__file__).resolve().parents[1]
PAGES = (
    "overview", "dora", "cycle_time", "teams", "planning", "allocation", "devex", "ai", "pull_requests", "impact",
    "data",
)  # fmt: skip
LINK = {"from": "2026-04-01", "to": "2026-06-30", "stat": "p75"}


# A Markdown image with an inline SVG (a card's sparkline): alt text (its escapes undone) and data URL.
MARKDOWN_IMAGE = re.compile(r"!\[((?:[^\]\\]|\\.)*)\]\((data:image/svg\+xml;base64,[A-Za-z0-9+/=]+)\)")
BADGE = re.compile(r":\w+-badge\[[^\]]*\]")
EDITIONS = {benchmark_set.name for benchmark_set in load_benchmark_sets().values()}


@pytest.fixture
def app(app_data_dir, monkeypatch) -> AppTest:
    monkeypatch.setenv("FLOWGAUGE_DATA_DIR", str(app_data_dir))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def open_page(app_data_dir, page: str, params=None) -> AppTest:
    """A page run on its own, as STYLE rule 1 asks, with the data folder the frame would get from app.py."""
    at = AppTest.from_file(str(ROOT / "flowgauge" / "dashboard" / "pages" / f"{page}.py"), default_timeout=60)
    at.session_state["fg_data_dir"] = str(app_data_dir)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_its_own_without_exception(app_data_dir, page):
    at = open_page(app_data_dir, page, LINK)
    assert not at.exception, at.exception
    assert at.title, "every page has a title"
    assert not at.error, [error.value for error in at.error]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_inside_the_frame(app, page):
    app.run()
    app.switch_page(f"flowgauge/dashboard/pages/{page}.py").run()
    assert not app.exception, app.exception
    assert app.query_params["snapshot"] == "demo"  # the frame keeps the view in the URL on every page


def open_overview_measured(app_data_dir) -> AppTest:
    """The Overview once its changes against the previous window are drawn: a never-prepared snapshot's first view
    measures them after drawing its own window (flowgauge/ui/previous_window.py), and a later run draws them."""
    at = open_page(app_data_dir, "overview", LINK)
    deadline = time.monotonic() + 60
    while any("measuring" in caption.value for caption in at.caption) and time.monotonic() < deadline:
        time.sleep(0.1)
        at.run()
    return at


def test_overview_shows_the_metrics_modules_numbers(app_data_dir):
    at = open_overview_measured(app_data_dir)
    view = View("demo", date(2026, 4, 1), date(2026, 6, 30))
    con = open_snapshot(app_data_dir / "demo.duckdb")
    try:
        expected = compute_all(con, view.filters(), statistic="p75")
        at_bands = tier_statistics(load_benchmark_sets()[DEFAULT_SET_ID], METRICS, "p75")
        tiered = compute_all(con, view.filters(), statistic=at_bands)
        previous = compute_all(con, view.filters().previous(), statistic="p75")
        weekly = weekly_series(aggregate_selection(con, view.filters(), groupings=("week",)), list(expected), "p75")
    finally:
        con.close()
    shown = {metric.label: metric.value for metric in at.metric}
    with_value = {result.name: format_value(result.value, result.unit) for result in expected.values() if result.value}
    assert len(shown) >= 20
    assert {name: shown.get(name) for name in with_value} == with_value
    assert shown["Cycle time"] != "–"
    # The change on each card is against the previous 90 days (aggregated on a second thread).
    changes = {metric.label: metric.delta for metric in at.metric}
    expected_changes = {
        result.name: signed(result.value - previous[metric_id].value, result.unit)
        for metric_id, result in expected.items()
        if result.value is not None and previous[metric_id].value is not None
    }
    assert len(expected_changes) >= 10
    assert {name: changes.get(name) for name in expected_changes} == expected_changes
    # A change is green when it moved the metric's good way, red the bad way, grey when it rounds to nothing.
    colours = {metric.label: MetricProto.MetricColor.Name(metric.proto.color) for metric in at.metric}
    expected_colours = {}
    for metric_id, result in expected.items():
        if result.name in expected_changes:
            change = result.value - previous[metric_id].value
            better = change < 0 if result.direction == "lower" else change > 0
            shown_as_zero = format_value(abs(change), result.unit) == format_value(0.0, result.unit)
            expected_colours[result.name] = "GRAY" if shown_as_zero else "GREEN" if better else "RED"
    assert {name: colours[name] for name in expected_colours} == expected_colours
    assert {"GREEN", "RED"} <= set(expected_colours.values())
    # Each card draws its metric's weekly values as an SVG trend line, described for screen readers by its alt text.
    images = {image.alt: _svg_of(image.url) for element in at.get("image") for image in element.proto.imgs}
    inline = {
        re.sub(r"\\(.)", r"\1", alt): _svg_of(url)
        for markdown in at.markdown
        for alt, url in MARKDOWN_IMAGE.findall(markdown.value)
    }
    drawn = {alt.split(" per week")[0]: svg for alt, svg in inline.items() if " per week" in alt}
    expected_drawings = {
        result.name: sparkline_svg(weekly[metric_id], PALETTE[0])
        for metric_id, result in expected.items()
        if result.value is not None and sum(value is not None for value in weekly[metric_id]) >= 2
    }
    assert len(expected_drawings) >= 20
    assert drawn == expected_drawings
    # Each tiered card shows its tier as a coloured badge with an arrow, names the edition its band comes from and
    # marks a secondary-source benchmark. A band published at another statistic (DORA's medians under Latest
    # published) tiers the value at that statistic.
    benchmark_set = load_benchmark_sets()[DEFAULT_SET_ID]
    expected_badges = []
    for metric_id, result in expected.items():
        scored = tier_of(tiered[metric_id], benchmark_set)
        if result.value is not None and scored.tier is not None:
            colour, icon = tier_badge(scored.tier.rank, len(scored.band.tier_names))
            badge = f":{colour}-badge[{icon} {scored.tier.name}]"
            expected_badges.append((badge, scored.band.origin_name, scored.band.confidence))
    badges = [
        (
            BADGE.search(markdown.value).group(0),
            next(name for name in EDITIONS if f"[{plain(name)}]" in markdown.value),
            next((word for word in ("secondary", "inferred") if f"{word} source" in markdown.value), "primary"),
        )
        for markdown in at.markdown
        if "-badge[" in markdown.value
    ]
    assert len(expected_badges) >= 12
    assert sorted(badges) == sorted(expected_badges)
    lead_time = next(markdown.value for markdown in at.markdown if "[DORA 2024 clusters]" in markdown.value)
    median = plain(format_value(tiered["lead_time_for_changes"].value, "hours"))
    assert f"at the median, {median}" in lead_time
    assert f"another publisher than {plain('LinearB 2026 (P75)')}" in lead_time
    # Metrics no publication bands say so once, in the scorecard's legend, and not on their cards.
    legend = [caption.value for caption in at.caption if caption.value.startswith("No published band:")]
    assert legend == [
        "No published band: "
        + ", ".join(
            result.name
            for metric_id, result in expected.items()
            if metric_id in benchmark_set.unpublished and result.value is not None
        )
        + ". No LinearB or DORA edition publishes tiers for these, so Latest published leaves them untiered rather "
        "than invent one."
    ]
    assert "Approve time" in legend[0]
    assert not [markdown.value for markdown in at.markdown if "No published band" in markdown.value]
    # The cycle-time breakdown is drawn from the same phases' values and tiers, described by its alt text.
    phases = [
        (phase, expected[phase].name, expected[phase].value, tier_of(expected[phase], benchmark_set).tier)
        for phase in PHASES
    ]
    alt = breakdown_alt(phases, "p75")
    assert images[alt] == breakdown_svg(phases)
    assert f"Coding time {format_value(expected['coding_time'].value, 'hours')} · " in alt


def popover_labels(node) -> list[str]:
    """The labels of every popover under node (the sidebar's scope filters and "Copy link"), in page order."""
    labels = []
    for child in getattr(node, "children", {}).values():
        proto = getattr(child, "proto", None)
        is_block = getattr(proto, "DESCRIPTOR", None) is not None and proto.DESCRIPTOR.name == "Block"
        if is_block and proto.WhichOneof("type") == "popover":
            labels.append(proto.popover.label)
        labels += popover_labels(child)
    return labels


def test_scope_filters_say_what_they_select_on_their_buttons(app):
    app.run()
    assert popover_labels(app.sidebar)[:4] == [
        "Teams: All teams",
        "Repositories: All repositories",
        "Services: All services",
        "Production environments: All matching the production rule",
    ]
    app.sidebar.multiselect(key="fg_teams").select("payments").select("platform").run()
    assert popover_labels(app.sidebar)[0] == "Teams: Payments +1 more"
    assert app.sidebar.multiselect(key="fg_teams").value == ["payments", "platform"]


def _svg_of(url: str) -> str:
    """The SVG text of an image sent inline (a base64 data URL)."""
    return base64.b64decode(url.split(",", 1)[1]).decode()


def test_filters_round_trip_through_a_copied_link(app, app_data_dir):
    app.run()
    app.sidebar.selectbox(key="fg_range").set_value("last_quarter").run()
    app.sidebar.multiselect(key="fg_teams").select("payments").run()
    app.sidebar.selectbox(key="fg_stat").set_value("p90").run()
    app.sidebar.toggle(key="fg_bots").set_value(True).run()
    app.switch_page("flowgauge/dashboard/pages/dora.py").run()
    link = {key: app.query_params[key] for key in app.query_params}
    # The fixture's last event is a merge on 1 July, so "last quarter" is the second quarter.
    assert link["from"] == "2026-04-01" and link["to"] == "2026-06-30"
    assert (link["team"], link["stat"], link["bots"]) == ("payments", "p90", "in")

    reopened = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in link.items():
        reopened.query_params[key] = value
    reopened.run()
    assert not reopened.exception and not reopened.warning
    assert reopened.sidebar.multiselect(key="fg_teams").value == ["payments"]
    assert "Teams: Payments" in popover_labels(reopened.sidebar)
    assert reopened.sidebar.date_input(key="fg_dates").value == (date(2026, 4, 1), date(2026, 6, 30))
    assert reopened.sidebar.selectbox(key="fg_range").value == "last_quarter"
    assert reopened.sidebar.selectbox(key="fg_stat").value == "p90"
    assert reopened.sidebar.toggle(key="fg_bots").value is True
    assert {key: reopened.query_params[key] for key in reopened.query_params} == link


def test_bad_link_parameters_fall_back_with_notices_not_exceptions(app):
    for key, value in {
        "snapshot": "gone",
        "from": "2026-02-30",
        "to": "yesterday",
        "team": ["payments", "ghosts"],
        "stat": "p99",
        "bench": "made-up",
        "bots": "maybe",
    }.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception
    notices = " ".join(warning.value for warning in app.warning)
    for part in (
        "Snapshot “gone”",
        "YYYY-MM-DD",
        "Unknown team “ghosts”",
        "Statistic “p99”",
        "“made-up”",
        "bots=maybe",
    ):
        assert plain(part) in notices  # shown as the text it is (Markdown-escaped), see tests/robustness
    assert app.query_params["snapshot"] == "demo" and app.query_params["team"] == "payments"
    assert app.query_params["from"] == "2026-04-03" and app.query_params["to"] == "2026-07-01"  # last 90 days
    assert app.metric, "the default view still shows the scorecard"


def test_first_start_generates_the_demo_and_shows_real_numbers(tmp_path, monkeypatch):
    data_dir = tmp_path / "data"  # does not exist yet, as on a fresh clone
    monkeypatch.setenv("FLOWGAUGE_DATA_DIR", str(data_dir))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    assert not at.exception
    assert (data_dir / "demo.duckdb").is_file()
    # Its facts were cached with it, so even this first view filtered them (and built nothing per call).
    assert [path.suffix for path in (data_dir / ".flowgauge-cache").iterdir()] == [".duckdb"]
    shown = {metric.label: metric.value for metric in at.metric}
    assert shown["Cycle time"].endswith(" h") and shown["Cycle time"] != "–"
    assert shown["Deployment frequency"].endswith(" /wk")


def test_dora_page_shows_the_metrics_modules_numbers(app_data_dir):
    at = open_page(app_data_dir, "dora", LINK)
    con = open_snapshot(app_data_dir / "demo.duckdb")
    try:
        expected = compute_all(con, View("demo", date(2026, 4, 1), date(2026, 6, 30)).filters(), statistic="p75")
    finally:
        con.close()
    shown = {metric.label: metric.value for metric in at.metric}
    for metric_id in ("deploy_frequency", "lead_time_for_changes", "change_failure_rate", "deployment_rework_rate"):
        assert shown[expected[metric_id].name] == format_value(expected[metric_id].value, expected[metric_id].unit)
    assert any("performer" in markdown.value for markdown in at.markdown)  # the DORA cluster badge


def test_pr_table_hides_authors_until_asked_and_shows_titles_as_text(app_data_dir):
    at = open_page(app_data_dir, "pull_requests", {"from": "2026-01-01", "to": "2026-01-31"})  # PR 4 is early
    table = at.dataframe[0].value
    assert "author_id" not in table.columns  # people, not surveillance: team-level by default
    assert '=HYPERLINK("http://x")<b>bold</b>' in set(table["title"])  # raw text in a grid cell, never HTML
    at.toggle(key="prs_people").set_value(True).run()
    assert "author_id" in at.dataframe[0].value.columns


def test_no_page_or_helper_renders_html():
    dashboard = [*ROOT.joinpath("flowgauge", "dashboard").rglob("*.py"), ROOT / "app.py"]
    sources = [*dashboard, *ROOT.joinpath("flowgauge", "ui").glob("*.py")]
    assert len(sources) > 10
    for source in sources:
        text = source.read_text(encoding="utf-8")
        assert "unsafe_allow_html" not in text and "st.html" not in text and "components.html" not in text, source


def test_a_broken_user_benchmark_file_is_a_notice_not_a_crash(app_data_dir, tmp_path, monkeypatch):
    shutil.copy(app_data_dir / "demo.duckdb", tmp_path / "demo.duckdb")
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "benchmarks" / "ours.toml").write_text("[set\nid = ")
    monkeypatch.setenv("FLOWGAUGE_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert any("Your benchmark files were not loaded" in warning.value for warning in at.warning)
    assert at.metric  # the shipped sets still tier the scorecard


def test_deployment_table_filters_to_the_failures_change_failure_rate_counts(app_data_dir):
    at = open_page(app_data_dir, "pull_requests", LINK)
    con = open_snapshot(app_data_dir / "demo.duckdb")
    try:
        cfr = compute_all(con, View("demo", date(2026, 4, 1), date(2026, 6, 30)).filters())["change_failure_rate"]
    finally:
        con.close()
    failed = round(cfr.value * cfr.n_used / 100)
    assert 0 < failed < cfr.n_used
    assert any(caption.value == f"{cfr.n_used:,} of {cfr.n_used:,} production deployments" for caption in at.caption)
    at.toggle(key="deploys_failed").set_value(True).run()
    assert any(caption.value == f"{failed:,} of {cfr.n_used:,} production deployments" for caption in at.caption)
    at.text_input(key="deploys_search").set_value("acme/pay").run()
    deployments = at.dataframe[1].value
    assert len(deployments) > 0 and set(deployments["repo_id"]) == {"acme/pay"} and deployments["failed"].all()


def test_incident_table_searches_titles_and_filters_open_ones(app_data_dir):
    at = open_page(app_data_dir, "pull_requests", LINK)
    everything = at.dataframe[2].value
    wanted = everything["title"].iloc[-1]  # e.g. "Outage 12": also finds "Outage 120"
    at.text_input(key="incidents_search").set_value(wanted.upper()).run()
    incidents = at.dataframe[2].value
    assert 0 < len(incidents) < len(everything)
    assert all(wanted.lower() in title.lower() for title in incidents["title"])
    at.text_input(key="incidents_search").set_value("").run()
    at.toggle(key="incidents_still_open").set_value(True).run()
    assert len(at.dataframe[2].value) == 0  # every fixture incident is resolved
    assert any(caption.value.startswith("0 of ") for caption in at.caption)


def test_the_app_keeps_the_snapshots_facts_once_a_page_is_drawn(app_data_dir, tmp_path, monkeypatch):
    # Its own copy of the snapshot: a connection no other test has opened, so nothing was kept before this run.
    shutil.copy(app_data_dir / "demo.duckdb", tmp_path / "demo.duckdb")
    monkeypatch.setenv("FLOWGAUGE_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    identity = connections().identity(tmp_path / "demo.duckdb")
    deadline = time.monotonic() + 120  # built by a low-priority child: slow beside a parallel test run
    kept = 0
    while time.monotonic() < deadline and not kept:  # built in the background after the page was drawn
        with connections().cursor(identity) as cursor:
            kept = cursor.execute("SELECT count(*) FROM fg_cache.main.fg_fact_variants").fetchall()[0][0]
        time.sleep(0.1)
    assert kept == 1
    # They were written beside the snapshot: a restarted server attaches them before drawing its first page.
    assert [path.suffix for path in (tmp_path / ".flowgauge-cache").iterdir()] == [".duckdb"]
    connections().close_all()
    monkeypatch.setattr(cached, "start_warming", lambda *args: None)  # no background build: only reuse can keep them
    restarted = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not restarted.exception
    with connections().cursor(connections().identity(tmp_path / "demo.duckdb")) as cursor:
        kept_in = cursor.execute("SELECT database FROM fg_cache.main.fg_fact_variants").fetchall()
    assert len(kept_in) == 1 and kept_in[0][0].startswith("fg_facts_")
