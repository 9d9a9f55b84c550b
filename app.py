"""Flowgauge dashboard: the frame (page config, navigation, global filters, snapshot connection) around thin pages."""

import os
from pathlib import Path

import streamlit as st

from flowgauge.ui.frame import run_page

st.set_page_config(page_title="Flowgauge", page_icon=":material/speed:", layout="wide")

# The only place the environment is read: where snapshots live (the demo is generated there on first start), and
# the rules file, when not flowgauge.rules.toml in the working directory or the data folder.
DATA_DIR = Path(os.environ.get("FLOWGAUGE_DATA_DIR") or Path(__file__).resolve().parent / "data")
RULES_FILE = os.environ.get("FLOWGAUGE_RULES")
PAGES = Path(__file__).resolve().parent / "pages"

page = st.navigation(
    [
        st.Page(PAGES / "overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page(PAGES / "dora.py", title="DORA", icon=":material/rocket_launch:"),
        st.Page(PAGES / "cycle_time.py", title="Cycle time & trends", icon=":material/timeline:"),
        st.Page(PAGES / "teams.py", title="Teams", icon=":material/groups:"),
        st.Page(PAGES / "planning.py", title="Planning", icon=":material/event_note:"),
        st.Page(PAGES / "devex.py", title="Developer experience", icon=":material/sentiment_satisfied:"),
        st.Page(PAGES / "pull_requests.py", title="Pull requests", icon=":material/merge:"),
        st.Page(PAGES / "data.py", title="Data", icon=":material/database:"),
    ],
    position="top",
)
run_page(page, DATA_DIR, RULES_FILE)
