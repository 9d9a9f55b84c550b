"""Text from data (titles, branch names, file names, uploaded cells) shown as text, never as Markdown or HTML."""

from __future__ import annotations

import re

# Everything Markdown (and Streamlit's directives such as :red[...] and :material/...:) gives a meaning to.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$=])")


def plain(text: object) -> str:
    """text with every Markdown special character escaped, safe to put inside st.markdown or a caption."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")
