"""Flowgauge dashboard: the frame (page config, navigation, global filters, snapshot connection) around thin pages.

`flowgauge serve` runs this file with Streamlit; from a clone, the root app.py runs it over the clone's data/ folder.
"""

import os
from pathlib import Path

import streamlit as st

from flowgauge.dashboard import PAGES_DIR as PAGES
from flowgauge.ui.frame import run_page


def main(default_data_dir: Path | None = None) -> None:
    """Draw the frame and run the page the URL names, over $FLOWGAUGE_DATA_DIR, else default_data_dir, else ./data."""
    st.set_page_config(page_title="Flowgauge", page_icon=":material/speed:", layout="wide")

    # The only place the environment is read: where snapshots live (the demo is generated there on first start), the
    # rules file, when not flowgauge.rules.toml in the working directory or the data folder, and the organisation
    # config whose [sign_in] decides who may see pages (else flowgauge.toml in the working directory or data folder).
    data_dir = Path(os.environ.get("FLOWGAUGE_DATA_DIR") or default_data_dir or "data")
    rules_file = os.environ.get("FLOWGAUGE_RULES")
    # The organisation's snapshot (`flowgauge serve` sets it from flowgauge.toml): opened first, and no demo is made.
    snapshot = os.environ.get("FLOWGAUGE_SNAPSHOT") or None
    config_file = os.environ.get("FLOWGAUGE_CONFIG")

    page = st.navigation(
        [
            st.Page(PAGES / "overview.py", title="Overview", icon=":material/dashboard:", default=True),
            st.Page(PAGES / "dora.py", title="DORA", icon=":material/rocket_launch:"),
            st.Page(PAGES / "cycle_time.py", title="Cycle time & trends", icon=":material/timeline:"),
            st.Page(PAGES / "teams.py", title="Teams", icon=":material/groups:"),
            st.Page(PAGES / "planning.py", title="Planning", icon=":material/event_note:"),
            st.Page(PAGES / "allocation.py", title="Allocation", icon=":material/donut_small:"),
            st.Page(PAGES / "devex.py", title="Developer experience", icon=":material/sentiment_satisfied:"),
            st.Page(PAGES / "ai.py", title="AI-assisted delivery", icon=":material/smart_toy:"),
            st.Page(PAGES / "pull_requests.py", title="Pull requests", icon=":material/merge:"),
            st.Page(PAGES / "impact.py", title="Impact", icon=":material/insights:"),
            st.Page(PAGES / "data.py", title="Data", icon=":material/database:"),
        ],
        position="top",
    )
    run_page(page, data_dir, rules_file, snapshot, config_env=config_file)


if __name__ == "__main__":  # Streamlit runs its main script as __main__ on every rerun
    main()
