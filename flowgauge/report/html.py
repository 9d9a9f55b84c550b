"""The planning-meeting report as one self-contained HTML file: inline CSS and SVG, no script, nothing fetched, and a
print style for paper. Every text from a snapshot or a file is escaped here; the one link is the view's own."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from flowgauge.allocation import CATEGORY_NAMES, NO_TEAM, WEIGHTS, months_of, shares
from flowgauge.report.content import ReportContent, Trend
from flowgauge.report.svg import GoalLine, Marker, line_chart, stacked_bars
from flowgauge.ui.charts import format_value
from flowgauge.url_safety import is_web_url

# Allocation in the report: engineer-weeks (the effort itself) for the charts, every weight in the table.
REPORT_WEIGHT = "engineer_weeks"

_STYLE = """
body { font-family: Helvetica, Arial, sans-serif; color: #222; margin: 24px auto; max-width: 1000px; font-size: 13px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #ccc; padding-bottom: 3px; }
h3 { font-size: 14px; margin: 16px 0 6px; }
p.meta, p.note { color: #555; margin: 2px 0; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; font-weight: 600; }
td.num { text-align: right; white-space: nowrap; }
.charts { display: flex; flex-wrap: wrap; gap: 12px 20px; }
.verdict-improved { color: #1b5e20; font-weight: 600; }
.verdict-worsened { color: #b71c1c; font-weight: 600; }
ul.notes { margin: 4px 0; padding-left: 18px; color: #444; }
a { color: #1a55a8; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 11px; }
  h2 { break-after: avoid; }
  table, svg, .chart { break-inside: avoid; }
  a { color: #222; text-decoration: none; }
  a::after { content: " (" attr(href) ")"; font-size: 9px; color: #555; word-break: break-all; }
}
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]], numeric: Sequence[int] = ()) -> str:
    head = "".join(f"<th>{_e(header)}</th>" for header in headers)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{_e(cell)}</td>' if index in numeric else f"<td>{_e(cell)}</td>"
            for index, cell in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _scorecard(content: ReportContent) -> str:
    parts = ["<h2>Scorecard</h2>"]
    if not content.scorecard:
        return parts[0] + '<p class="note">No metric has a value in this selection.</p>'
    family = None
    rows: list[Sequence[object]] = []
    for line in content.scorecard:
        if line.family != family:
            if rows:
                parts.append(_table(["metric", "value", "change", "tier", "statistic", "items"], rows, (1, 2, 5)))
            parts.append(f"<h3>{_e(line.family)}</h3>")
            family, rows = line.family, []
        rows.append([line.name, line.value, line.change, line.tier, line.statistic, f"{line.n:,}"])
    parts.append(_table(["metric", "value", "change", "tier", "statistic", "items"], rows, (1, 2, 5)))
    days = (content.end - content.start).days + 1
    parts.append(f'<p class="note">Change: against the previous {days} days. Tiers: {_e(content.benchmark_set)}.</p>')
    return "".join(parts)


def _trend_chart(trend: Trend) -> str:
    markers = [Marker(m.day, m.label) for m in trend.markers if m.day is not None]
    goals = [GoalLine(m.value, m.label) for m in trend.markers if m.value is not None]
    drawing = line_chart(trend.title, trend.points, lambda v: format_value(v, trend.unit), markers, goals)
    return f'<div class="chart">{drawing}</div>'


def _trends(content: ReportContent) -> str:
    charts = "".join(_trend_chart(trend) for trend in content.trends)
    legend = (
        "Dashed purple lines: initiatives' start dates; dashed green lines: team goals' targets."
        if any(trend.markers for trend in content.trends)
        else "No initiative starts and no goal falls in this view."
    )
    return f'<h2>Trends</h2><div class="charts">{charts}</div><p class="note">{_e(legend)}</p>'


def _impact(content: ReportContent) -> str:
    parts = ["<h2>Initiatives and their impact</h2>"]
    if not content.impacts:
        return parts[0] + '<p class="note">No initiative is recorded for this snapshot.</p>'
    rows = []
    for row in content.impacts:
        rows.append(
            [
                row.get("initiative"),
                f"{row.get('metric_name') or row.get('metric')} ({row.get('statistic')})",
                _change(row.get("change_percent")),
                _interval(row.get("ci_low"), row.get("ci_high")),
                _change(row.get("comparison_change_percent")),
                f"{row.get('n_before', 0):,} / {row.get('n_after', 0):,}",
                row.get("verdict", "").replace("_", " "),
            ]
        )
    parts.append(
        _table(
            ["initiative", "metric", "change", "95% CI", "teams without it", "items before / after", "verdict"],
            rows,
            (2, 3, 4, 5),
        )
    )
    sentences = [row["sentence"] for row in content.impacts if row.get("sentence")]
    parts.append('<ul class="notes">' + "".join(f"<li>{_e(s)}</li>" for s in sentences) + "</ul>")
    return "".join(parts)


def _goals(content: ReportContent) -> str:
    parts = ["<h2>Team goals</h2>"]
    if not content.goals:
        return parts[0] + '<p class="note">No team goal is recorded for this snapshot.</p>'
    rows = [
        [
            row.get("team_name") or row.get("team"),
            f"{row.get('metric_name') or row.get('metric')} ({row.get('statistic')})",
            format_value(row.get("target"), row.get("unit", "")),
            row.get("due"),
            format_value(row.get("value"), row.get("unit", "")),
            str(row.get("status", "")).replace("_", " "),
        ]
        for row in content.goals
    ]
    parts.append(_table(["team", "metric", "target", "due", "now", "status"], rows, (2, 4)))
    sentences = [row["sentence"] for row in content.goals if row.get("sentence")]
    parts.append('<ul class="notes">' + "".join(f"<li>{_e(s)}</li>" for s in sentences) + "</ul>")
    return "".join(parts)


def _allocation(content: ReportContent) -> str:
    result = content.allocation
    parts = ["<h2>Where the effort went</h2>"]
    if result.total("prs") + result.total("work_items") == 0:
        return parts[0] + '<p class="note">No PR was merged and no work item resolved in this selection.</p>'
    names = CATEGORY_NAMES
    by_team = shares(result.by_team, REPORT_WEIGHT, ["team_id"])
    bars = [(result.team_name(team), {s.category: s.percent for s in ss}) for (team,), ss in by_team.items()]
    parts.append(stacked_bars(f"Share of {WEIGHTS[REPORT_WEIGHT]} by team", bars, names))
    monthly = shares(result.by_team, REPORT_WEIGHT, ["team_id", "month"])
    for (team,), _ in by_team.items():
        team_bars = [
            (month.strftime("%b %Y"), {s.category: s.percent for s in monthly[(team, month)]})
            for month in months_of(result.by_team)
            if (team, month) in monthly
        ]
        parts.append(f"<div class='chart'>{stacked_bars(f'{result.team_name(team)} by month', team_bars, names)}</div>")
    rows = []
    for weight, unit in WEIGHTS.items():
        for (team,), group in shares(result.by_team, weight, ["team_id"]).items():
            total = sum(share.value for share in group)
            rows.append([result.team_name(team), unit, _amount(total), *(_percent(s.percent) for s in group)])
    parts.append(_table(["team", "weight", "total", *names.values()], rows, tuple(range(2, 3 + len(names)))))
    notes = [f"Unclassified: {n:,} {reason}" for n, reason in result.unclassified]
    notes += [f"Left out: {n:,} {reason}" for n, reason in result.left_out]
    if result.unestimated:
        notes.append(f"{result.unestimated:,} counted work items have no estimate: the points weight leaves them out")
    notes += list(result.notes)
    if any(team is None for (team,) in by_team):
        notes.append(f"{NO_TEAM}: authors or work items no team membership covers at the time")
    if notes:
        parts.append('<ul class="notes">' + "".join(f"<li>{_e(note)}</li>" for note in notes) + "</ul>")
    return "".join(parts)


def _quality(content: ReportContent) -> str:
    notes = [*content.sections_missing, *content.quality_notes]
    items = "".join(f"<li>{_e(note)}</li>" for note in notes) or "<li>Nothing was left out.</li>"
    return f'<h2>Data quality</h2><ul class="notes">{items}</ul>'


def _link(content: ReportContent) -> str:
    if is_web_url(content.link):
        return f'<p class="meta">Reopen this view: <a href="{_e(content.link)}">{_e(content.link)}</a></p>'
    return f'<p class="meta">Reopen this view with the dashboard at: {_e(content.link)}</p>'


def report_html(content: ReportContent) -> str:
    """The whole report as one HTML document."""
    end = content.end.isoformat()
    title = f"Flowgauge report: {content.scope}, {content.start.isoformat()} to {end}"
    header = (
        f"<h1>{_e(title)}</h1>"
        f'<p class="meta">Snapshot {_e(content.snapshot)} · {_e(content.statistic)} · benchmarks '
        f"{_e(content.benchmark_set)} · rules: {_e(content.rules_source)} · generated "
        f"{_e(content.generated_at.isoformat(sep=' '))} UTC</p>"
        f"{_link(content)}"
    )
    sections = [
        header,
        _scorecard(content),
        _trends(content),
        _impact(content),
        _goals(content),
        _allocation(content),
        _quality(content),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{''.join(sections)}</body></html>\n"
    )


def _percent(value: float | None) -> str:
    """A share: '42%'."""
    return "–" if value is None else f"{value:.0f}%"


def _change(value: float | None) -> str:
    """A change, signed: '+12%', '-31%'."""
    return "–" if value is None else f"{value:+.0f}%"


def _interval(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return "–"
    return f"{low:+.0f}% to {high:+.0f}%"


def _amount(value: float) -> str:
    return f"{value:,.1f}".removesuffix(".0")
