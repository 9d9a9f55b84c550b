"""The upload flow of the Data page: preview every file, show its problems per row and column, import all or none."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import duckdb
import streamlit as st

from flowgauge.access.gate import require
from flowgauge.access.roles import Role
from flowgauge.errors import FlowgaugeError
from flowgauge.loaders.imports import (
    KINDS,
    ImportPreview,
    ImportRejected,
    import_files,
    table_specs,
    template_csv,
)
from flowgauge.metrics.facts import cache_facts
from flowgauge.rules.code_origin import DEFAULT_CODE_ORIGIN, CodeOriginRules
from flowgauge.ui import tables
from flowgauge.ui.text import plain
from flowgauge.ui.upload_previews import forget_previews, session_previews

AUTO = "auto"
NEW_SNAPSHOT = "\x00new"  # never a file stem, so it cannot clash with a snapshot's name
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_DONE_KEY = "fg_import_done"
_PREVIEW_ROWS = 20
_log = logging.getLogger(__name__)


# The CLI's --date-order, for files whose every date fits both day-first and month-first.
DATE_ORDER_CHOICES = {AUTO: "Detect (refuse when unclear)", "dmy": "Day first (dmy)", "mdy": "Month first (mdy)"}


def draw_upload(
    data_dir: Path,
    current_snapshot: str,
    snapshots: tuple[str, ...],
    code_origin: CodeOriginRules = DEFAULT_CODE_ORIGIN,
) -> None:
    """File picker, per-file preview and problems, and the import button (enabled only when nothing is wrong); PR
    exports are classified by code_origin, the rules file's [code_origin] as the other loaders apply it."""
    done = st.session_state.pop(_DONE_KEY, None)
    if done:
        st.success(done, icon=":material/check_circle:")

    kinds = {AUTO: "Detect from the file", **KINDS}
    left, middle, right = st.columns(3)
    kind = left.selectbox("File kind", list(kinds), format_func=kinds.get, key="fg_import_kind")
    order = middle.selectbox(
        "Date order",
        list(DATE_ORDER_CHOICES),
        format_func=DATE_ORDER_CHOICES.get,
        key="fg_import_date_order",
        help="For dates such as 3/4/2021 that fit both day-first and month-first (--date-order on the command line).",
    )
    date_order = None if order == AUTO else order
    target = right.selectbox(
        "Import into",
        [current_snapshot, *[name for name in snapshots if name != current_snapshot], NEW_SNAPSHOT],
        format_func=lambda name: "A new snapshot…" if name == NEW_SNAPSHOT else f"{name}.duckdb",
        key="fg_import_target",
    )
    if target == NEW_SNAPSHOT:
        target = st.text_input("New snapshot name", value="imported", key="fg_import_name", max_chars=64).strip()
        if not _NAME.match(target):
            st.error("A snapshot name is letters, digits, - and _ (up to 64), starting with a letter or digit.")
            return
    uploads = st.file_uploader(
        "Files to import",
        accept_multiple_files=True,
        type=["csv", "json", "parquet", "txt"],
        key="fg_upload",
        help="Jira, PagerDuty, Opsgenie, GitHub and GitLab exports, deployment events, team maps, surveys, or "
        "canonical tables. Nothing is written until every file is valid.",
    )
    with st.expander("Templates (header-only CSV; sprints.csv is a sprint calendar for Jira CSV exports)"):
        for table in sorted(table_specs()):
            st.download_button(
                f"{table}.csv",
                data=template_csv(table),
                file_name=f"{table}.csv",
                mime="text/csv",
                key=f"template-{table}",
                on_click="ignore",
            )
    if not uploads:
        forget_previews()  # the files were removed: their parsed previews go with them
        st.caption("Choose one or more files: each is previewed and checked before anything is written.")
        return

    files = [(upload.name, upload.getvalue()) for upload in uploads]
    previews = session_previews(files, kind, date_order, code_origin)
    problems = [problem for preview in previews for problem in preview.problems]
    for preview in previews:
        _show_preview(preview)

    if problems:
        st.error(
            f"{len(problems):,} problem(s) found: nothing will be written. Fix the file(s) and upload them again.",
            icon=":material/block:",
        )
        return
    label = f"Import {len(files)} file(s) into {plain(target)}.duckdb"
    if st.button(label, type="primary", key="fg_import_go"):
        save_upload(files, kind, date_order, data_dir / f"{target}.duckdb", code_origin)


def _show_preview(preview: ImportPreview) -> None:
    with st.container(border=True):
        st.markdown(f"**{plain(preview.file)}** · detected: {plain(preview.kind_label)}")
        for note in preview.notes:
            st.caption(plain(note))
        for table, dropped in preview.duplicates_dropped.items():
            if dropped:
                st.caption(f"{dropped:,} duplicate row(s) of {table} dropped")
        if preview.problems:
            st.error(f"{len(preview.problems):,} problem(s) in {plain(preview.file)}:", icon=":material/error:")
            st.dataframe(tables.problems_table(preview.problems), hide_index=True)
            return
        for table, data in preview.tables.items():
            st.markdown(f"`{table}`: {data.num_rows:,} row(s) would be written")
            st.dataframe(data.slice(0, _PREVIEW_ROWS), hide_index=True)


def save_upload(
    files: list[tuple[str, bytes]],
    kind: str,
    date_order: str | None,
    target: Path,
    code_origin: CodeOriginRules = DEFAULT_CODE_ORIGIN,
) -> None:
    """Import the files into target (editors and admins only), then rerun to show the new snapshot."""
    try:
        # Checked here, where the write happens, not only where the widget is drawn.
        require(Role.EDITOR, "Uploading files")
        with st.spinner(f"Importing into {plain(target.name)}…"):
            report = import_files(files, into=target, kind=kind, date_order=date_order, code_origin=code_origin)
    except ImportRejected as error:
        st.error(f"Nothing was written: {plain(str(error))}", icon=":material/block:")
        st.dataframe(tables.problems_table(error.problems), hide_index=True)
        return
    except FlowgaugeError as error:
        st.error(f"Nothing was written: {plain(str(error))}", icon=":material/block:")
        return
    forget_previews()
    _prepare_facts(target)
    written = ", ".join(
        f"{plain(file.file)} ({sum(file.rows.values()):,} rows as {plain(file.kind_label)})" for file in report.files
    )
    st.session_state[_DONE_KEY] = f"Imported into {plain(target.name)}: {written}."
    # The snapshot file was replaced, so its identity changed: rerun to open it and show fresh numbers at once.
    st.rerun()


def _prepare_facts(target: Path) -> None:
    """Cache the metrics' facts of the snapshot just written, as the CLI's loaders do, so the next view filters them
    instead of building its own. The import has landed already: a failure here only means slower first views."""
    try:
        with st.spinner("Preparing the dashboard…"):
            cache_facts(target)
    except (FlowgaugeError, duckdb.Error, OSError) as error:
        _log.warning("facts of %s not prepared after an upload: %s", target, error)
