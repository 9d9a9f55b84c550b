"""The Streamlit dashboard shipped in the package: `app.py` is the frame, `pages/` holds one thin file per page."""

from pathlib import Path

APP_SCRIPT = Path(__file__).resolve().parent / "app.py"
PAGES_DIR = APP_SCRIPT.parent / "pages"
