"""Text from links, files and snapshots is shown as the text it is, links are http(s) only, upload previews expire.

A shared dashboard link is pasted into meeting notes, and a snapshot can be copied in from anyone: a URL parameter
or a team name carrying Markdown must not turn into a live link, image or coloured directive inside Flowgauge's own
notices and labels, and a javascript: URL must never reach a link column.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from google.protobuf.message import Message
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from flowgauge.loaders.store import write_snapshot
from flowgauge.ui import upload_previews
from flowgauge.ui.downloads import link_columns
from flowgauge.ui.text import chart_text, link, plain
from flowgauge.ui.upload_previews import MAX_PREVIEWS, PREVIEW_TTL_S, previews_for

ROOT = Path(__file__).resolve().parents[2]
APP_FIXTURE_SQL = ROOT / "tests" / "fixtures" / "app" / "snapshot.sql"
LINK = {"from": "2026-04-01", "to": "2026-06-30", "stat": "p75"}

# What a hostile link or file carries: a phishing link, an image, HTML, Streamlit directives, LaTeX, emphasis.
PHISHING = "[Session expired – sign in](https://example.invalid)"
HOSTILE = (
    PHISHING,
    "![logo](https://example.invalid/logo.png)",
    '<a href="https://example.invalid">sign in</a><img src=x onerror=alert(1)>',
    ":red[Account locked] :material/warning: :material_lock: :blue-badge[admin] :streamlit: :smile: -> x",
    "$\\frac{1}{0}$ **bold** _it_ `code` ~~gone~~",
    "https://example.invalid/login and www.example.invalid and a@example.invalid",
    "# Heading\n- item\n1. first | a | b |",
    "<https://example.invalid> &lt;b&gt; \\[x\\](y)",
)
# What a hostile value must never become: unescaped Markdown link or image syntax, a directive, raw HTML, math.
DANGEROUS = ("](", "![", "<", ":red[", ":blue-badge[", ":material/", "$", "**", "`", "https://")

MARKDOWN = MarkdownIt("commonmark").enable(["strikethrough", "table"])


def rendered(markdown: str) -> str:
    """What a reader sees of a Markdown text: rendered (CommonMark), tags stripped, entities read, and without the
    invisible word joiners plain() puts into Streamlit's short codes."""
    text = html.unescape(re.sub(r"<[^>]+>", "", MARKDOWN.render(markdown))).strip()
    return text.replace("\u2060", "")


def rendered_raw(markdown: str) -> str:
    """The text of a rendered Markdown text as Streamlit's plugins see it (word joiners kept)."""
    return html.unescape(re.sub(r"<[^>]+>", "", MARKDOWN.render(markdown))).strip()


def unescaped(text: str, token: str) -> bool:
    """True when token occurs in Markdown text with its first character not backslash-escaped."""
    for match in re.finditer(re.escape(token), text):
        backslashes = len(text[: match.start()]) - len(text[: match.start()].rstrip("\\"))
        if backslashes % 2 == 0:
            return True
    return False


@pytest.mark.parametrize("text", HOSTILE)
def test_plain_text_renders_as_exactly_itself(text):
    markdown = plain(text)
    page = MARKDOWN.render(f"Notice: {markdown}.")
    assert not re.search(r"<(a|img|em|strong|code|s|del|h\d|li|table)\b", page), page
    assert rendered(f"Notice: {markdown}.") == f"Notice: {' '.join(text.splitlines())}."
    for token in DANGEROUS:
        assert not unescaped(markdown, token), (token, markdown)
    assert not unescaped(markdown, ":")  # no Streamlit directive can start
    # What Streamlit reads in the parsed text (icons, its logo, emoji, arrows) and GitHub's autolinks are broken by
    # a word joiner (the patterns of Streamlit's plugins and of mdast-util-gfm-autolink-literal).
    parsed = rendered_raw(markdown)
    assert not re.search(r":material/|:[\w+-][\w+-]*:|(^|\s)->(\s|$)", parsed), parsed
    assert not re.search(r"(https?://|www(?=\.))|[-.\w+]+@[-\w]+(\.[-\w]+)+", parsed, re.IGNORECASE), parsed
    assert "\n" not in markdown  # a line break could start a list, heading or table


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a_(b)?q=1 2", "[LinearB 2026](https://example.com/a_%28b%29?q=1%202)"),
        ("http://example.com", "[LinearB 2026](http://example.com)"),
        ("javascript:alert(1)", "LinearB 2026"),
        ("JaVaScRiPt:alert(1)", "LinearB 2026"),
        ("java\tscript:alert(1)", "LinearB 2026"),
        (" javascript:alert(1)", "LinearB 2026"),
        ("data:text/html;base64,PHNjcmlwdD4=", "LinearB 2026"),
        ("vbscript:msgbox(1)", "LinearB 2026"),
        ("//example.invalid/phish", "LinearB 2026"),
        (None, "LinearB 2026"),
    ],
)
def test_markdown_links_are_made_for_http_urls_only(url, expected):
    assert link("LinearB 2026", url) == expected
    page = MARKDOWN.render(link("LinearB 2026", url))
    assert ("<a href" in page) == expected.startswith("[")


def test_chart_text_is_not_read_as_plotly_markup():
    assert chart_text('<a href="https://example.invalid">Core</a> & %{y}') == (
        '&lt;a href="https://example.invalid"&gt;Core&lt;/a&gt; &amp; %\u200b{y}'
    )
    assert chart_text(None) is None


# --- The dashboard, run with AppTest ---------------------------------------------------------------------------


def strings(message: Message) -> Iterator[str]:
    """Every text field of a protobuf message, nested ones included."""
    for _field, value in message.ListFields():
        values = [value] if isinstance(value, str | bytes | Message) or not hasattr(value, "__iter__") else value
        for item in values:
            if isinstance(item, Message):
                yield from strings(item)
            elif isinstance(item, str):
                yield item


def nodes(node) -> Iterator:
    """Every element and block under an AppTest node."""
    yield node
    for child in getattr(node, "children", {}).values():
        yield from nodes(child)


def shown_texts(at: AppTest) -> list[str]:
    """Every text any element or block of the run sends to the browser (bodies, labels, help texts, options)."""
    return [
        text
        for root in (at.main, at.sidebar)
        for node in nodes(root)
        if getattr(node, "proto", None) is not None
        for text in strings(node.proto)
    ]


def assert_nothing_live(at: AppTest, marker: str = "example") -> None:
    """No text sent to the browser carries a hostile value's Markdown unescaped (texts without the marker are
    Flowgauge's own, such as the cards' benchmark links and sparkline images)."""
    assert not at.exception, at.exception
    hostile = [text for text in shown_texts(at) if marker in text]
    assert hostile, "the hostile value is shown somewhere"
    for text in hostile:
        for token in ("](", "![", "<a", "<img", ":red[", ":material/", "$\\frac"):
            assert not unescaped(text, token), (token, text)


@pytest.fixture
def app(app_data_dir, monkeypatch) -> AppTest:
    monkeypatch.setenv("FLOWGAUGE_DATA_DIR", str(app_data_dir))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


@pytest.mark.parametrize("key", ["team", "repo", "service", "env", "snapshot", "bench", "stat", "bots", "from", "to"])
def test_a_hostile_link_parameter_is_echoed_as_text_in_the_notice(app, key):
    for name, value in LINK.items():
        app.query_params[name] = value
    app.query_params[key] = PHISHING
    app.run()
    assert_nothing_live(app)
    notices = [warning.value for warning in app.warning]
    assert any(PHISHING in rendered(notice) for notice in notices), notices
    for notice in notices:
        assert "<a " not in MARKDOWN.render(notice)


def test_every_hostile_value_in_every_link_parameter_at_once(app):
    for key in ("team", "repo", "service", "env", "snapshot", "bench"):
        app.query_params[key] = list(HOSTILE)
    app.run()
    assert_nothing_live(app)
    shown = " ".join(rendered(warning.value) for warning in app.warning)
    for value in HOSTILE:
        assert " ".join(value.splitlines()) in shown


# A snapshot whose own names carry Markdown, HTML and javascript: links (a file copied in from elsewhere).
TEAM = "Core [ops](https://example.invalid) <b>x</b> :red[y]"
SERVICE = "api ![i](https://example.invalid/i.png)"
REPO = "acme/[docs](https://example.invalid) :material/lock:"
ENVIRONMENT = "prod [live](https://example.invalid)"
SPRINT = "Sprint <a href='https://example.invalid'>9</a>"
QUESTION = "Ease of release :material/bolt: $x$ https://example.invalid"


@pytest.fixture(scope="module")
def hostile_data_dir(tmp_path_factory) -> Path:
    """The app fixture snapshot with hostile names, and links that are not http(s) on some PRs, deployments and
    incidents."""
    folder = tmp_path_factory.mktemp("hostile-data")
    with write_snapshot(folder / "demo.duckdb", fresh=True) as writer:
        con = writer.con
        con.execute(APP_FIXTURE_SQL.read_text(encoding="utf-8"))
        con.execute("UPDATE teams SET name = ? WHERE team_id = 'platform'", [TEAM])
        con.execute("UPDATE services SET name = ? WHERE service_id = 'acme/api:api'", [SERVICE])
        con.execute(
            "INSERT INTO repositories (repo_id, name, source, url, is_archived) VALUES (?, 'docs', 'import', ?, false)",
            [REPO, "javascript:alert(1)"],
        )
        con.execute("UPDATE deployments SET environment = ? WHERE hash(deployment_id) % 2 = 0", [ENVIRONMENT])
        con.execute("UPDATE sprints SET name = ? WHERE hash(sprint_id) % 2 = 0", [SPRINT])
        con.execute("UPDATE survey_responses SET question = ? WHERE hash(question) % 2 = 0", [QUESTION])
        con.execute("UPDATE pull_requests SET url = 'javascript:alert(document.cookie)' WHERE number % 3 = 0")
        con.execute("UPDATE pull_requests SET url = 'https://example.com/pr/' || number WHERE number % 3 <> 0")
        con.execute("UPDATE deployments SET url = 'data:text/html,<script>alert(1)</script>'")
        con.execute("UPDATE incidents SET url = 'vbscript:msgbox(1)'")
        writer.record_source("fixture:hostile", "demo", "tests/robustness/test_ui_text.py")
    return folder


def open_frame(data_dir: Path, page: str, params: dict[str, str | list[str]]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "flowgauge" / "dashboard" / "pages" / f"{page}.py"), default_timeout=60)
    at.session_state["fg_data_dir"] = str(data_dir)
    for key, value in {**LINK, **params}.items():
        at.query_params[key] = value
    return at.run()


def test_names_from_the_snapshot_are_shown_literally_in_the_sidebar_and_captions(hostile_data_dir):
    at = open_frame(
        hostile_data_dir, "overview", {"team": "platform", "repo": REPO, "service": "acme/api:api", "env": ENVIRONMENT}
    )
    assert_nothing_live(at)
    buttons = {rendered(text) for text in shown_texts(at) if ": " in text}
    assert f"Teams: {TEAM}" in buttons
    assert f"Repositories: {REPO}" in buttons
    assert f"Services: {SERVICE} (acme/api:api)" in buttons
    assert f"Production environments: {ENVIRONMENT}" in buttons
    # The caption names the selection (its ids) as text.
    caption = rendered(at.caption[0].value)
    assert f"environments {ENVIRONMENT}" in caption and "teams platform" in caption
    assert f"repositories {REPO}" in caption


@pytest.mark.parametrize("page", ["teams", "planning", "devex", "dora", "pull_requests", "cycle_time", "data"])
def test_pages_over_a_hostile_snapshot_show_its_names_as_text(hostile_data_dir, page):
    at = open_frame(hostile_data_dir, page, {"env": ENVIRONMENT})
    assert not at.exception, at.exception
    texts = shown_texts(at)
    for text in texts:
        if "example.invalid" in text and not text.lstrip().startswith("{"):  # Markdown and labels, not chart specs
            for token in ("](", "![", ":red[", ":material/", "<a ", "<img"):
                assert not unescaped(text, token), (token, text)
    charts = [text for text in texts if text.lstrip().startswith("{") and '"data"' in text]
    for spec in charts:  # Plotly reads <a href> and <b> in names: they reach it escaped
        assert "<a href" not in spec and "<b>x</b>" not in spec and "<img" not in spec


def chart_specs(at: AppTest, trace_type: str) -> list[dict]:
    """The Plotly figures of a page holding a trace of trace_type, as sent to the browser."""
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return [spec for spec in specs if any(trace.get("type") == trace_type for trace in spec["data"])]


def test_team_names_reach_the_heatmap_escaped(hostile_data_dir):
    at = open_frame(hostile_data_dir, "teams", {})
    (heatmap,) = chart_specs(at, "heatmap")
    columns = heatmap["data"][0]["x"]
    assert chart_text(TEAM) in columns  # shown by Plotly as the literal name
    assert not [column for column in columns if "<" in column]


def test_sprint_names_reach_the_planning_chart_escaped(hostile_data_dir):
    at = open_frame(hostile_data_dir, "planning", {})
    bars = chart_specs(at, "bar")[0]
    sprints = bars["data"][0]["x"]
    assert any(html.escape(SPRINT, quote=False) in label for label in sprints)
    assert not [label for label in sprints if "<" in label]


def link_column_values(at: AppTest) -> dict[str, list]:
    """For every table with link columns: the values the page sent for them, keyed by 'table.column'."""
    found: dict[str, list] = {}
    for index, frame in enumerate(at.dataframe):
        config = json.loads(frame.proto.columns or "{}")
        for column in link_columns(config):
            found[f"{index}.{column}"] = [None if pd.isna(value) else value for value in frame.value[column]]
    return found


def test_link_columns_get_http_urls_only(hostile_data_dir):
    at = open_frame(hostile_data_dir, "pull_requests", {"from": "2026-01-01", "to": "2026-06-30"})
    assert not at.exception, at.exception
    links = link_column_values(at)
    assert len(links) == 3, links  # pull requests, deployments, incidents
    values = [value for column in links.values() for value in column]
    assert not [value for value in values if value is not None and not str(value).startswith("https://")]
    pr_links = next(iter(links.values()))
    # The PRs' https links are kept; the javascript: ones are empty cells.
    assert any(str(value).startswith("https://example.com/pr/") for value in pr_links)
    assert any(value is None for value in pr_links)
    assert not any("javascript" in text or "vbscript" in text or "data:text/html" in text for text in shown_texts(at))


def test_dora_and_cycle_time_link_columns_get_no_script_urls(hostile_data_dir):
    for page in ("dora", "cycle_time"):
        at = open_frame(hostile_data_dir, page, {"from": "2026-01-01", "to": "2026-06-30"})
        assert not at.exception, at.exception
        links = link_column_values(at)
        assert links, page
        assert all(value is None or str(value).startswith("https://") for v in links.values() for value in v)


# --- Upload previews ------------------------------------------------------------------------------------------


class CountingParse:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, name: str, data: bytes, kind: str, date_order: str | None) -> str:
        self.calls.append(name)
        return f"preview of {name}"


def test_upload_previews_are_reused_within_their_time_limit_and_parsed_again_after():
    parse = CountingParse()
    files = [("a.csv", b"1"), ("b.csv", b"2")]
    previews, kept = previews_for({}, files, "auto", None, 0.0, parse)
    assert previews == ["preview of a.csv", "preview of b.csv"] and parse.calls == ["a.csv", "b.csv"]
    previews, kept = previews_for(kept, files, "auto", None, PREVIEW_TTL_S - 1, parse)
    assert parse.calls == ["a.csv", "b.csv"]  # a rerun within the time limit parses nothing
    previews, kept = previews_for(kept, files, "auto", None, PREVIEW_TTL_S, parse)
    assert parse.calls == ["a.csv", "b.csv", "a.csv", "b.csv"]  # expired: parsed again
    # Changed bytes under the same name, another kind or another date order are a new preview.
    previews_for(kept, [("a.csv", b"changed")], "auto", None, PREVIEW_TTL_S, parse)
    previews_for(kept, [("a.csv", b"1")], "survey", None, PREVIEW_TTL_S, parse)
    previews_for(kept, [("a.csv", b"1")], "auto", "dmy", PREVIEW_TTL_S, parse)
    assert parse.calls[-3:] == ["a.csv", "a.csv", "a.csv"]
    previews_for(kept, [("a.csv", b"1")], "auto", None, PREVIEW_TTL_S, parse)
    assert len(parse.calls) == 7  # the same file, kind and order: kept


def test_upload_previews_keep_only_the_files_uploaded_now_and_at_most_a_few():
    parse = CountingParse()
    _, kept = previews_for({}, [("a.csv", b"1"), ("b.csv", b"2")], "auto", None, 0.0, parse)
    _, kept = previews_for(kept, [("b.csv", b"2")], "auto", None, 1.0, parse)
    assert [key[0] for key in kept] == ["b.csv"]  # a.csv was removed from the uploader: its preview is freed
    many = [(f"{index}.csv", str(index).encode()) for index in range(MAX_PREVIEWS + 3)]
    _, kept = previews_for({}, many, "auto", None, 0.0, parse)
    assert len(kept) == MAX_PREVIEWS


GOOD_SURVEY = b"date,team,question,score,respondent\n2026-06-10,platform,Ease of release,4,a1\n"


def test_upload_previews_belong_to_their_session_and_expire(app_data_dir, tmp_path, monkeypatch):
    shutil.copy(app_data_dir / "demo.duckdb", tmp_path / "demo.duckdb")
    parsed: list[str] = []
    real = upload_previews.preview_import

    def counting(name, data, kind, **options):  # date order, code-origin rules
        parsed.append(name)
        return real(name, data, kind, **options)

    monkeypatch.setattr(upload_previews, "preview_import", counting)
    clock = [1000.0]
    monkeypatch.setattr(upload_previews, "monotonic", lambda: clock[0])

    def session() -> AppTest:
        at = AppTest.from_file(str(ROOT / "flowgauge" / "dashboard" / "pages" / "data.py"), default_timeout=60)
        at.session_state["fg_data_dir"] = str(tmp_path)
        return at.run()

    first = session()
    first.file_uploader(key="fg_upload").upload("survey.csv", GOOD_SURVEY, "text/csv").run()
    assert not first.exception and parsed == ["survey.csv"]
    first.run()
    assert parsed == ["survey.csv"]  # a rerun of the same session reuses its preview
    # Another session uploading the very same bytes gets its own parse, never the first session's preview.
    second = session()
    second.file_uploader(key="fg_upload").upload("survey.csv", GOOD_SURVEY, "text/csv").run()
    assert not second.exception and parsed == ["survey.csv", "survey.csv"]
    # Ten minutes on, the first session parses its file again.
    clock[0] += PREVIEW_TTL_S
    first.run()
    assert parsed == ["survey.csv"] * 3
    assert any("survey_responses" in markdown.value for markdown in first.markdown)
    assert len(first.session_state[upload_previews.SESSION_KEY]) == 1
    # Removing the file from the uploader frees its preview.
    first.file_uploader(key="fg_upload").clear().run()
    assert not first.exception and upload_previews.SESSION_KEY not in first.session_state
