"""The report as PDF, printed from its HTML by a headless Chromium (the browser the browser tests use); a file is
written under a temporary name and renamed, so a failed print leaves nothing behind."""

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
    """Chromium ran but printed no PDF, or the PDF could not be written."""


def find_chromium() -> str | None:
    """The first Chromium found: Debian's /usr/bin/chromium, else one on PATH."""
    for candidate in CHROMIUM_PATHS:
        found = candidate if os.path.isabs(candidate) and os.access(candidate, os.X_OK) else shutil.which(candidate)
        if found:
            return found
    return None


def pdf_of(html_text: str, chromium: str | None = None) -> bytes:
    """html_text printed to PDF by headless Chromium, in a private temporary folder removed afterwards."""
    browser = chromium or find_chromium()
    if browser is None:
        raise NoChromium(NO_CHROMIUM)
    with tempfile.TemporaryDirectory(prefix="flowgauge-report-") as work:
        page, printed = Path(work) / "report.html", Path(work) / "report.pdf"
        page.write_text(html_text, encoding="utf-8")
        command = [
            browser,
            "--headless",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(work) / 'profile'}",
            f"--print-to-pdf={printed}",
            page.as_uri(),
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
        try:
            done = subprocess.run(command, capture_output=True, timeout=PRINT_TIMEOUT_SECONDS, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise PrintFailed(f"Chromium ({browser}) could not print the report: {error}") from None
        data = printed.read_bytes() if printed.is_file() else b""
    if done.returncode != 0 or not data.startswith(b"%PDF"):
        raise PrintFailed(f"Chromium ({browser}) printed no PDF (exit status {done.returncode})")
    return data


def save_pdf(html_text: str, out: Path, chromium: str | None = None) -> None:
    """Print html_text to a PDF file at out."""
    data = pdf_of(html_text, chromium)
    out = Path(out)
    partial = out.with_name(f".{out.name}.partial")
    try:
        partial.write_bytes(data)
        partial.replace(out)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise PrintFailed(f"{out}: not written ({error.strerror or error})") from None
