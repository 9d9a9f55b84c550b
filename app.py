"""Flowgauge dashboard from a clone: `streamlit run app.py` runs the packaged frame over the data/ folder beside it."""

from pathlib import Path

from flowgauge.dashboard.app import main

main(default_data_dir=Path(__file__).resolve().parent / "data")
