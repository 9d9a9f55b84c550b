"""A search box, a multiselect on one column and a yes/no toggle above a table: the controls of the event lists."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import streamlit as st

from flowgauge.ui import tables


@dataclass(frozen=True)
class RowFilters:
    """What the controls offer and which columns they read; key prefixes the widget keys (kept in session state)."""

    key: str
    noun: str  # what a row is, for the "12 of 340 ..." caption
    search_label: str
    search_columns: tuple[str, ...]
    choice_label: str
    choice_column: str
    toggle_label: str
    toggle_column: str  # a boolean column: the toggle keeps the rows where it is true
    toggle_help: str | None = None
    search_placeholder: str | None = None


def filtered(rows: pa.Table, controls: RowFilters) -> pa.Table:
    """Draw the controls and return the rows they keep, after a caption counting them."""
    left, middle, right = st.columns([2, 2, 1])
    text = left.text_input(controls.search_label, key=f"{controls.key}_search", placeholder=controls.search_placeholder)
    choices = middle.multiselect(
        controls.choice_label,
        tables.values_of(rows, controls.choice_column),
        key=f"{controls.key}_{controls.choice_column}",
        placeholder="All",
    )
    only = right.toggle(
        controls.toggle_label, key=f"{controls.key}_{controls.toggle_column}", help=controls.toggle_help
    )
    shown = tables.filter_rows(
        rows,
        states=choices,
        state_column=controls.choice_column,
        text=text,
        text_columns=controls.search_columns,
        only=controls.toggle_column if only else None,
    )
    st.caption(f"{shown.num_rows:,} of {rows.num_rows:,} {controls.noun}")
    return shown
