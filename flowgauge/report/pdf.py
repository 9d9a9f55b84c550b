"""The report as PDF, printed from its HTML by a headless Chromium (the browser the browser tests use), written under
a temporary name and renamed, so a failed print leaves no file behind."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from flowgauge.errors import FlowgaugeError

CHROMIUM_PATHS = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
PRINT_TIMEOUT_SECONDS = 120
NO_CHROMIUM = (
    "--format pdf needs Chromium (apt-get install chromium), and none was found; --format html writes the same "
    "report, which a browser can print"
)


class NoChromium(FlowgaugeError):
    """No Chromium to print a PDF with."""


class PrintFailed(FlowgaugeError):
    """Chromium ran but wrote no PDF."""


def find_chromium() -> str | None:
    """The first Chromium found: Debian's /usr/bin/chromium, else one on PATH."""
    for candidate in CHROMIUM_PATHS:
        found = candidate if os.path.isabs(candidate) and os.access(candidate, os.X_OK) else shutil.which(candidate)
        if found:
            return found
    return None


def save_pdf(html_text: str, out: Path, chromium: str | None = None) -> None:
    """Print html_text to a PDF at out with headless Chromium."""
    browser = chromium or find_chromium()
    if browser is None:
        raise NoChromium(NO_CHROMIUM)
    out = Path(out)
    partial = out.with_name(f".{out.name}.partial")
    with tempfile.TemporaryDirectory(prefix="flowgauge-report-") as work:
        page = Path(work) / "report.html"
        page.write_text(html_text, encoding="utf-8")
        command = [
            browser,
            "--headless",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(work) / 'profile'}",
            f"--print-to-pdf={partial}",
            page.as_uri(),
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
        try:
            done = subprocess.run(command, capture_output=True, timeout=PRINT_TIMEOUT_SECONDS, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            partial.unlink(missing_ok=True)
            raise PrintFailed(f"Chromium ({browser}) could not print the report: {error}") from None
        if done.returncode != 0 or not partial.is_file() or partial.read_bytes()[:4] != b"%PDF":
            partial.unlink(missing_ok=True)
            raise PrintFailed(f"Chromium ({browser}) wrote no PDF (exit status {done.returncode})")
    try:
        partial.replace(out)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise PrintFailed(f"{out}: not written ({error.strerror or error})") from None
