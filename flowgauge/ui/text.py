"""Text from URLs, files and snapshots (team and file names, link parameters, titles, error messages) shown as the
literal text it is, never as Markdown, HTML, a Streamlit directive or a chart's markup. The one place that knows how.

Every notice, label, caption, help text and Markdown line that can carry such text builds it with plain(); links
go through link(), which gives a link only for http(s) URLs; names inside charts go through chart_text().
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from flowgauge.url_safety import is_web_url

# Every ASCII punctuation character Markdown, GitHub's extensions (autolinks, tables, strikethrough) or Streamlit
# (:red[...] and :material/...: directives, $LaTeX$) gives a meaning to. CommonMark lets a backslash escape any ASCII
# punctuation, so each shows as itself: "[x](https://e)" as those characters, "https://e" without becoming a link.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$=&@])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")
# Some things are read after Markdown has been parsed, in the text itself, where no backslash is left: Streamlit's
# :material/icon: (and :material_icon:), :streamlit:, emoji short codes such as :smile: and "->" as an arrow, and
# GitHub's autolinks (https://..., www...., name@host). An invisible word joiner inside each breaks it; the text
# reads the same.
_TEXT_CODES = re.compile(r":(?=[\w+-]+:|material/|//)|-(?=>)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
_JOINER = "\u2060"
# Characters that end or break a Markdown link destination; percent-encoded, the browser reads the same URL.
_URL_UNSAFE = "()<> \\\"'`[]"


def plain(text: object) -> str:
    """text with every Markdown special character escaped and line breaks made spaces: safe inside st.markdown,
    st.warning/info/error/caption, widget labels and help texts, where it shows exactly as written."""
    text = _TEXT_CODES.sub(lambda code: code.group() + _JOINER, _LINE_BREAKS.sub(" ", str(text)))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def link(text: object, url: object) -> str:
    """A Markdown link to url showing text, when url is an http(s) URL; otherwise text alone, as plain text."""
    if not is_web_url(url):
        return plain(text)
    destination = "".join(quote(char, safe="") if char in _URL_UNSAFE else char for char in str(url).strip())
    return f"[{plain(text)}]({destination})"


def chart_text(text: object) -> str | None:
    """text for a Plotly label, legend, axis or tooltip: Plotly reads <b>, <a href> and entities in them, so they
    are escaped, and %{ is broken so a name in a hover template is not read as a placeholder. None stays None (no
    category), as Plotly reads it."""
    if text is None:
        return None
    return html.escape(str(text), quote=False).replace("%{", "%\u200b{")
