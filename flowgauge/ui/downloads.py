"""Downloads: every table as CSV (formula-looking cells escaped) and every chart as HTML or PNG.

PNG is made in the browser by Plotly's own toolbar camera button (configured by PLOTLY_CONFIG), so it works
offline with no server-side renderer: kaleido, Plotly's server-side exporter, needs a Chrome at run time.
HTML is generated on click and embeds plotly.js, so the file opens offline too. A chart drawn as an SVG image
(the Overview's breakdown, see breakdown_bar.py) downloads as that SVG and as the same chart's Plotly HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import plotly.graph_objects as go
import pyarrow as pa
import streamlit as st

from flowgauge.csv_safety import to_csv_bytes
from flowgauge.ui.charts import PLOTLY_CONFIG
from flowgauge.url_safety import keep_web_urls


def csv_button(table: pa.Table, name: str, label: str = "Download CSV") -> None:
    """A button that downloads table as <name>.csv, built only when clicked."""
    st.download_button(
        label,
        data=lambda: to_csv_bytes(table),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"csv-{name}",
        icon=":material/download:",
        on_click="ignore",
    )


def chart_buttons(figure: go.Figure, name: str) -> None:
    """A button that downloads the chart as a self-contained HTML file; PNG is the chart toolbar's camera."""
    _html_button(lambda: figure, name, "For a PNG, use the camera icon in the chart's toolbar.")


def _html_button(make_figure: Callable[[], go.Figure], name: str, help_text: str) -> None:
    st.download_button(
        "Download chart (HTML)",
        data=lambda: make_figure().to_html(include_plotlyjs=True, full_html=True, config=PLOTLY_CONFIG),
        file_name=f"{name}.html",
        mime="text/html",
        key=f"html-{name}",
        icon=":material/download:",
        on_click="ignore",
        help=help_text,
    )


def chart(figure: go.Figure, name: str) -> None:
    """Draw a Plotly chart with the shared toolbar (PNG download named after it) and its HTML download."""
    config = {**PLOTLY_CONFIG, "toImageButtonOptions": {**PLOTLY_CONFIG["toImageButtonOptions"], "filename": name}}
    st.plotly_chart(figure, config=config, key=f"chart-{name}")
    chart_buttons(figure, name)


def drawing(svg: str, alt: str, make_figure: Callable[[], go.Figure], name: str) -> None:
    """Show a chart drawn as SVG, with downloads of that drawing and of its interactive Plotly version (HTML; the
    figure is only built when that download is clicked)."""
    st.image(svg, width="content", alt=alt)
    with st.container(horizontal=True):
        _html_button(make_figure, name, "The same chart, interactive (hover for each phase), as one offline file.")
        st.download_button(
            "Download chart (SVG)",
            data=svg,
            file_name=f"{name}.svg",
            mime="image/svg+xml",
            key=f"svg-{name}",
            icon=":material/download:",
            on_click="ignore",
        )


def table(
    data: pa.Table,
    name: str,
    column_config: Mapping[str, Any] | None = None,
    height: int | str = "auto",
    max_rows: int = 5_000,
) -> None:
    """Show an Arrow table (cells as text, never HTML) with its CSV download below.

    A browser grid of hundreds of thousands of rows is slow to send and draw, so at most max_rows are shown;
    the CSV always holds every row. A link column links only http(s) URLs: any other value (a javascript: or
    data: URL from an old snapshot or a copied-in file) is shown as an empty cell; the CSV keeps what the snapshot
    holds, as text.
    """
    config = dict(column_config or {})
    shown, _ = keep_web_urls(data.slice(0, max_rows), link_columns(config))
    st.dataframe(shown, column_config=config, hide_index=True, height=height)
    if data.num_rows > max_rows:
        st.caption(f"Showing the first {max_rows:,} of {data.num_rows:,} rows; the CSV has them all.")
    csv_button(data, name)


def link_columns(column_config: Mapping[str, Any]) -> list[str]:
    """The columns a column_config shows as links (st.column_config.LinkColumn)."""
    return [
        name
        for name, config in column_config.items()
        if isinstance(config, Mapping) and (config.get("type_config") or {}).get("type") == "link"
    ]
