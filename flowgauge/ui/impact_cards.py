"""What the Impact page and the goal panels draw: an impact card per initiative and metric (verdict, sentence and
interval chart), goal progress, and the editors' forms. Every name, note and sentence from the organisation's file
is shown as text (plain), never Markdown."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import streamlit as st

from flowgauge.access import Role, require
from flowgauge.errors import FlowgaugeError
from flowgauge.impact import SETTLE_DAYS, GoalStatus, ImpactResult, goal_label
from flowgauge.impact.verdict import metric_label
from flowgauge.metrics import METRICS, STATISTICS
from flowgauge.organisation_data import (
    Goal,
    Initiative,
    Organisation,
    delete_goal,
    delete_initiative,
    goal_from,
    initiative_from,
    save_goal,
    save_initiative,
)
from flowgauge.organisation_data.model import MAX_WINDOW_DAYS, MIN_WINDOW_DAYS
from flowgauge.snapshot import SnapshotIdentity
from flowgauge.ui import charts, downloads, organisation
from flowgauge.ui.text import plain

# Badge colour and icon per verdict: colour never alone, the verdict is always written.
VERDICT_BADGES = {
    "improved": ("blue", ":material/trending_up:", "improved"),
    "worsened": ("orange", ":material/trending_down:", "worsened"),
    "no_change": ("gray", ":material/trending_flat:", "no change"),
    "insufficient_data": ("gray", ":material/help:", "not enough data"),
}
GOAL_BADGES = {
    "met": ("blue", ":material/check_circle:", "met"),
    "on_track": ("green", ":material/trending_up:", "on track"),
    "off_track": ("orange", ":material/warning:", "off track"),
    "missed": ("red", ":material/cancel:", "missed"),
    "no_data": ("gray", ":material/help:", "no data"),
}
NEW = "(new)"


def badge(kind: Mapping[str, tuple[str, str, str]], key: str) -> str:
    """Streamlit's badge directive for a verdict or status (its label is ours, never from a file)."""
    colour, icon, label = kind[key]
    return f":{colour}-badge[{icon} {label}]"


def initiative_caption(initiative: Initiative, teams: Mapping[str, str]) -> str:
    """Start, end, what it touched and its note, as plain text."""
    touched = [teams.get(team, team) for team in initiative.teams] + list(initiative.repos) + list(initiative.services)
    parts = [f"from {initiative.start.isoformat()}" + (f" to {initiative.end.isoformat()}" if initiative.end else "")]
    parts.append("touched " + ", ".join(touched))
    if initiative.note:
        parts.append(initiative.note)
    return plain(" · ".join(parts))


def impact_card(result: ImpactResult) -> None:
    """One bordered card: the verdict, the sentence with its numbers, the interval chart and the windows."""
    with st.container(border=True):
        st.markdown(f"**{plain(metric_label(result))}** {badge(VERDICT_BADGES, result.verdict)}")
        st.markdown(plain(result.sentence))
        rows = [
            (name, interval.estimate, interval.low, interval.high)
            for name, interval in (
                ("this initiative's selection", result.change),
                (result.comparison_label or "", result.comparison),
                ("difference between the two", result.did),
            )
            if interval is not None
        ]
        if rows:
            downloads.chart(
                charts.impact_intervals(rows, result.direction), f"impact-{result.initiative}-{result.metric}"
            )
        if result.windows is not None:
            windows, last = result.windows, timedelta(days=1)
            st.caption(
                plain(
                    f"Before {windows.before_start} to {windows.start - last}: "
                    f"{charts.format_value(result.before, result.unit)} over {result.n_before:,} items. After "
                    f"{windows.after_start} to {windows.after_end - last}: "
                    f"{charts.format_value(result.after, result.unit)} over {result.n_after:,} items "
                    f"({windows.days} days each, UTC; the {result.settle_days} days after the start left out)."
                )
            )


def overview_panel(
    identity: SnapshotIdentity, initiatives: Sequence[Initiative], goals: Sequence[Goal], teams: Mapping[str, str]
) -> None:
    """The Overview's short form: each initiative's verdict per metric in one line (default windows), then the
    goals of the teams in view. They are measured on a background thread (flowgauge.ui.deferred), so the scorecard
    never waits for them: until they are all ready the panel names them as being measured and checks again every
    POLL_SECONDS, then the page runs once more to draw them."""
    impacts = [
        (initiative, metric_id, organisation.impact_later(identity, initiative, metric_id, SETTLE_DAYS))
        for initiative in initiatives
        for metric_id in initiative.metrics
    ]
    statuses = [(goal, organisation.goal_status_later(identity, goal)) for goal in goals]
    _when_ready([future for *_, future in impacts + statuses], lambda: _draw_overview_panel(impacts, statuses, teams))


def goals_panel(identity: SnapshotIdentity, goals: Sequence[Goal], teams: Mapping[str, str]) -> None:
    """goal_panel for goals whose statuses are measured on the background thread, as the Overview's are: each says
    it is being measured until they are all ready, then the page runs once more to draw them."""
    statuses = [(goal, organisation.goal_status_later(identity, goal)) for goal in goals]
    _when_ready([future for _, future in statuses], lambda: _draw_goals(statuses, teams))


POLL_SECONDS = 1.0


def _when_ready(futures: list[Future], draw: Callable[[], None]) -> None:
    """draw() now; while a future is not done, in a fragment that draws again every POLL_SECONDS until they are."""
    if all(future.done() for future in futures):
        draw()
    else:
        _until_ready(futures, draw)


@st.fragment(run_every=POLL_SECONDS)
def _until_ready(futures: list[Future], draw: Callable[[], None]) -> None:
    if all(future.done() for future in futures):
        st.rerun()  # the whole page, which draws the panel without this timer
    draw()


def _draw_overview_panel(impacts: list, statuses: list, teams: Mapping[str, str]) -> None:
    for initiative, metric_id, future in impacts:
        if not future.done():
            st.markdown(plain(f"{initiative.name}: measuring its impact on {METRICS[metric_id].name}…"))
            continue
        try:
            result = future.result()
        except FlowgaugeError as error:
            st.markdown(plain(f"{initiative.name}: {error}"))
            continue
        st.markdown(f"{badge(VERDICT_BADGES, result.verdict)} **{plain(initiative.name)}**: {plain(result.sentence)}")
    _draw_goals(statuses, teams)


def _draw_goals(statuses: list, teams: Mapping[str, str]) -> None:
    for goal, future in statuses:
        if future.done():
            goal_panel([future.result()])
        else:
            with st.container(border=True):
                st.markdown(plain(f"{organisation.goal_team_name(goal, teams)}, {goal_label(goal)}: measuring…"))


def goal_panel(statuses: Sequence[GoalStatus]) -> None:
    """Each goal's status badge, its sentence and a progress bar from the baseline to the target."""
    for status in statuses:
        with st.container(border=True):
            st.markdown(f"{badge(GOAL_BADGES, status.status)} {plain(status.sentence)}")
            if status.progress is not None and status.status not in ("met", "missed"):
                st.progress(status.progress, text=f"{status.progress:.0%} of the way from where it was when set")


def change_log(organisation: Organisation) -> None:
    """Every change to the initiatives and goals, newest first."""
    rows = [
        {"when (UTC)": change.at, "by": change.by, "action": change.action, "kind": change.kind,
         "subject": change.subject}
        for change in reversed(organisation.changes)
    ]  # fmt: skip
    downloads.table(pa.Table.from_pylist(rows) if rows else pa.table({"when (UTC)": []}), "initiative-changes")


def initiative_form(
    snapshot: Path,
    organisation: Organisation,
    teams: Mapping[str, str],
    repos: Sequence[str],
    services: Sequence[str],
    editor: str,
) -> None:
    """Create, edit or delete an initiative; each save is logged with the editor's name."""
    names = [item.name for item in organisation.initiatives]
    chosen = st.selectbox("Initiative", [NEW, *names], key="impact_edit_initiative")
    current = organisation.initiative(chosen) if chosen != NEW else None
    suffix = chosen  # new widget keys per initiative, so the form shows the chosen one's values
    with st.form(f"initiative_form_{suffix}"):
        name = st.text_input("Name", value=current.name if current else "")
        start = st.date_input("Start (UTC day)", value=current.start if current else _today(), format="YYYY-MM-DD")
        has_end = st.checkbox("It has ended", value=bool(current and current.end))
        end = st.date_input(
            "End (UTC day)", value=(current.end if current and current.end else _today()), format="YYYY-MM-DD"
        )
        chosen_teams = st.multiselect(
            "Teams it touched", list(teams), default=[t for t in (current.teams if current else ()) if t in teams],
            format_func=lambda team: teams.get(team, team),
        )  # fmt: skip
        chosen_repos = st.multiselect(
            "Repositories it touched",
            list(repos),
            default=[r for r in (current.repos if current else ()) if r in repos],
        )
        chosen_services = st.multiselect(
            "Services it touched",
            list(services),
            default=[s for s in (current.services if current else ()) if s in services],
        )
        metrics = st.multiselect(
            "Metrics it meant to move", list(METRICS), default=list(current.metrics) if current else [],
            format_func=lambda metric_id: METRICS[metric_id].name,
        )  # fmt: skip
        window = st.number_input(
            "Days compared on each side (0: the default, 90)",
            min_value=0,
            max_value=MAX_WINDOW_DAYS,
            value=(current.window_days or 0) if current else 0,
            help=f"From {MIN_WINDOW_DAYS} to {MAX_WINDOW_DAYS} days; longer windows tell smaller effects from noise.",
        )
        note = st.text_area("Note", value=current.note if current else "")
        saved = st.form_submit_button("Save initiative", type="primary")
    if saved:
        values = {
            "name": name,
            "start": start,
            "end": end if has_end else None,
            "teams": chosen_teams,
            "repos": chosen_repos,
            "services": chosen_services,
            "metrics": metrics,
            "note": note,
            "window_days": int(window) or None,
        }
        _apply(lambda: save_initiative(snapshot, initiative_from(values, "initiative"), editor,
                                       replacing=current.name if current else None), "Initiative saved.")  # fmt: skip
    if current is not None and st.button(f"Delete “{current.name}”", key=f"delete_initiative_{suffix}"):
        _apply(lambda: delete_initiative(snapshot, current.name, editor), "Initiative deleted.")


def goal_form(snapshot: Path, organisation: Organisation, teams: Mapping[str, str], editor: str) -> None:
    """Create, edit or delete a team's goal; each save is logged with the editor's name."""
    keys = {" / ".join((teams.get(g.team, g.team), METRICS[g.metric].name, g.statistic)): g for g in organisation.goals}
    chosen = st.selectbox("Goal", [NEW, *keys], key="impact_edit_goal")
    current = keys.get(chosen)
    with st.form(f"goal_form_{chosen}"):
        team_ids = list(teams)
        team = st.selectbox(
            "Team", team_ids, index=team_ids.index(current.team) if current and current.team in teams else 0,
            format_func=lambda team_id: teams.get(team_id, team_id),
        )  # fmt: skip
        metric_ids = list(METRICS)
        metric = st.selectbox(
            "Metric", metric_ids, index=metric_ids.index(current.metric) if current else 0,
            format_func=lambda metric_id: f"{METRICS[metric_id].name} ({METRICS[metric_id].unit})",
        )  # fmt: skip
        statistic = st.selectbox(
            "Statistic (time metrics)", STATISTICS,
            index=STATISTICS.index(current.statistic) if current and current.statistic in STATISTICS else 0,
        )  # fmt: skip
        target = st.number_input("Target, in the metric's unit", value=current.target if current else 0.0)
        due = st.date_input(
            "Due (UTC day)", value=current.due if current else _today() + timedelta(days=90), format="YYYY-MM-DD"
        )
        saved = st.form_submit_button("Save goal", type="primary")
    if saved:
        values = {"team": team, "metric": metric, "target": float(target), "due": due}
        if METRICS[metric].takes_statistic:
            values["statistic"] = statistic
        _apply(lambda: save_goal(snapshot, goal_from(values, "goal"), editor), "Goal saved.")
    if current is not None and st.button(f"Delete the goal “{chosen}”", key=f"delete_goal_{chosen}"):
        _apply(lambda: delete_goal(snapshot, current.key, editor), "Goal deleted.")


def _today() -> date:
    return datetime.now(UTC).date()


def _apply(action, done: str) -> None:
    """Run a save or delete; a refusal is one line shown as text, a success reruns the page with the new data."""
    try:
        require(Role.EDITOR, "Editing initiatives and goals")  # checked where the write happens, not only in the form
        action()
    except FlowgaugeError as error:
        st.error(plain(error))
        return
    st.toast(done)
    st.rerun()
