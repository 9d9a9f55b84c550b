"""The planning-meeting report: the scorecard, trends, initiatives' impact, team goals, effort allocation and data
quality of one view, as one self-contained HTML file (inline SVG, no script, nothing fetched) or its PDF."""

from flowgauge.report.content import ReportContent, build_content, reopen_link, scope_text
from flowgauge.report.html import report_html
from flowgauge.report.pdf import NoChromium, PrintFailed, find_chromium, save_pdf

__all__ = [
    "NoChromium",
    "PrintFailed",
    "ReportContent",
    "build_content",
    "find_chromium",
    "reopen_link",
    "report_html",
    "save_pdf",
    "scope_text",
]
