"""Benchmark: the metrics engine (DuckDB SQL) against a straightforward pandas implementation, in one process.

    .venv/bin/python bench/metrics.py [--scale 100] [--snapshot PATH] [--days 90] [--repeat 3]

Builds (or reuses) a demo snapshot of about 10,000 x scale PRs, picks the team with the most PRs and the
last `days` days, and reports for the full overview (compute_all) and for each metric: warm seconds (best
of --repeat after one warm-up), peak RSS (VmHWM, reset before each measurement via /proc/self/clear_refs),
the same for pandas over frames already loaded in memory (its load time is reported apart), the ratio
pandas / engine, and whether both gave the same value.

The overview is timed on both of the engine's paths: facts staged per call for the selection (the CLI's
`flowgauge report`), and facts kept in memory for the snapshot (the app's; their one-off build is reported),
for the chosen team, another team and all teams.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from flowgauge.metrics import METRICS, Filters, LinkingRules, compute, compute_all
from flowgauge.metrics.facts import cache_folder, keep_facts, release_facts, warm_facts
from flowgauge.snapshot import open_snapshot, snapshot_identity

RULES = LinkingRules()
TABLES = (
    "pull_requests", "pr_reviews", "people", "team_memberships", "teams", "repositories", "services", "deployments",
    "deployment_pull_requests", "deployment_commits", "incidents", "commits", "commit_line_ages", "sprints",
    "sprint_items", "work_items", "survey_responses",
)  # fmt: skip
STAT = {"median": 0.5, "p75": 0.75, "p90": 0.9}


def reset_peak() -> None:
    """Make VmHWM start again from the current RSS (Linux 4.0+)."""
    Path("/proc/self/clear_refs").write_text("5")


def peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return math.nan


def measure(run: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """Best warm seconds of `repeat` runs after one warm-up, peak RSS MiB during them, and the last result."""
    result = run()
    reset_peak()
    best = math.inf
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, peak_mib(), result


# ---------------------------------------------------------------- pandas baseline, same definitions as the SQL


def hours(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return ((later - earlier).dt.total_seconds() / 3600).clip(lower=0)


def stat_of(values: pd.Series, statistic: str) -> float | None:
    values = values.dropna()
    if values.empty:
        return None
    return float(values.mean()) if statistic == "mean" else float(values.quantile(STAT[statistic]))


class PandasMetrics:
    """The engine's metrics recomputed from whole tables in pandas, the way a notebook would."""

    def __init__(self, frames: dict[str, pd.DataFrame], filters: Filters, rules: LinkingRules) -> None:
        self.f, self.rules = frames, rules
        self.start, self.end = pd.Timestamp(filters.start), pd.Timestamp(filters.end)
        self.teams = set(filters.teams)
        self.weeks = filters.days / 7
        people = frames["people"]
        self.bots = set(people.loc[people["is_bot"] | people["person_id"].str.endswith("[bot]"), "person_id"])

    def is_bot(self, ids: pd.Series) -> pd.Series:
        return ids.isin(self.bots) | ids.fillna("").str.lower().str.endswith("[bot]")

    def teams_at(self, items: pd.DataFrame, person: str, at: str) -> pd.Series:
        """Whether each item's person was in a selected team at its time."""
        members = self.f["team_memberships"]
        members = members[members["team_id"].isin(self.teams)]
        joined = items[["_row", person, at]].merge(members, left_on=person, right_on="person_id")
        inside = (joined["valid_from"] <= joined[at]) & (joined["valid_to"].isna() | (joined[at] < joined["valid_to"]))
        return items["_row"].isin(joined.loc[inside, "_row"])

    def production(self) -> pd.DataFrame:
        d = self.f["deployments"]
        d = d[d["environment"].str.contains(self.rules.production_env_regex, case=False, regex=True)]
        d = d[d["status"].isin(["success", "failure", "error"])].copy()
        d["scope_key"] = d["service_id"].fillna(d["repo_id"])
        return d

    def pr_phases(self) -> pd.DataFrame:
        p = self.f["pull_requests"].copy()
        p["ready_at"] = p["ready_for_review_at"].fillna(p["created_at"])
        end_or_closed = p["closed_at"].fillna(p["merged_at"]).fillna(self.end)
        keep = (
            p["merged_at"].between(self.start, self.end, inclusive="left")
            | p["ready_at"].between(self.start, self.end, inclusive="left")
            | ((p["created_at"] < self.end) & (end_or_closed >= self.end))
        )
        p = p[keep].copy()
        p["event_at"] = p["merged_at"].fillna(p["ready_at"])
        p["_row"] = np.arange(len(p))
        p = p[self.teams_at(p, "author_id", "event_at")].copy()
        p["author_is_bot"] = self.is_bot(p["author_id"])
        r = self.f["pr_reviews"].merge(p[["pr_id", "author_id", "ready_at"]], on="pr_id")
        reviewed = set(r["pr_id"])
        r = r[
            (r["submitted_at"] >= r["ready_at"]) & (r["reviewer_id"] != r["author_id"]) & ~self.is_bot(r["reviewer_id"])
        ]
        first = r.groupby("pr_id")["submitted_at"].min().rename("review_at")
        approved = r[r["state"] == "approved"].groupby("pr_id")["submitted_at"].min().rename("approval_at")
        p = p.join(first, on="pr_id").join(approved, on="pr_id")
        unreviewed = ~p["pr_id"].isin(reviewed)
        p.loc[unreviewed, "review_at"] = p.loc[unreviewed, "first_review_at"]
        p.loc[unreviewed, "approval_at"] = p.loc[unreviewed, "first_approval_at"]
        prod = self.production()
        shipped = prod[prod["status"] == "success"]
        merged = p[p["merged_at"].notna()]
        by_source = (
            self.f["deployment_pull_requests"].merge(shipped, on="deployment_id").groupby("pr_id")["started_at"].min()
        )
        by_commit = (
            merged.merge(self.f["deployment_commits"], left_on=["repo_id", "merge_commit_sha"],
                         right_on=["repo_id", "sha"])
            .merge(shipped[["deployment_id", "started_at"]], on="deployment_id")
            .groupby("pr_id")["started_at"].min()
        )  # fmt: skip
        m = merged.assign(scope_key=merged["service_id"].fillna(merged["repo_id"])).sort_values("merged_at")
        by_time = pd.merge_asof(
            m[["pr_id", "scope_key", "merged_at"]], shipped[["scope_key", "started_at"]].sort_values("started_at"),
            left_on="merged_at", right_on="started_at", by="scope_key", direction="forward",
        ).set_index("pr_id")["started_at"]  # fmt: skip
        p["deployed_at"] = p["pr_id"].map(by_source).fillna(p["pr_id"].map(by_commit)).fillna(p["pr_id"].map(by_time))
        scopes = set(prod["scope_key"])
        p["has_deploy_data"] = p["service_id"].fillna(p["repo_id"]).isin(scopes) | p["repo_id"].isin(scopes)
        p["coding"] = hours(p["ready_at"], p["first_commit_at"])
        p["pickup"] = hours(p["review_at"], p["ready_at"])
        p["approve"] = hours(p["approval_at"], p["review_at"])
        p["merge"] = hours(p["merged_at"], p["approval_at"])
        p["review"] = hours(p["merged_at"], p["review_at"])
        p["deploy"] = hours(p["deployed_at"], p["merged_at"])
        p["lead"] = hours(p["deployed_at"], p["first_commit_at"])
        cycle_end = p["deployed_at"].where(p["has_deploy_data"], p["merged_at"])
        p["cycle"] = hours(cycle_end, p["first_commit_at"])
        p["size"] = p["lines_added"].fillna(0) + p["lines_deleted"].fillna(0)
        return p

    def merged_humans(self) -> pd.DataFrame:
        p = self.pr_phases()
        return p[p["merged_at"].between(self.start, self.end, inclusive="left") & ~p["author_is_bot"]]

    def phase(self, column: str, statistic: str) -> float | None:
        return stat_of(self.merged_humans()[column], statistic)

    def pr_maturity(self) -> float | None:
        m = self.merged_humans()
        m = m[(m["size"] > 10) & m["lines_changed_after_open"].notna()]
        # DuckDB rounds the stored binary value half away from zero (0.975 -> 0.97, 0.125 -> 0.13).
        maturity = (
            (1 - m["lines_changed_after_open"] / m["size"])
            .clip(lower=0.1)
            .map(lambda share: float(Decimal(share).quantize(Decimal("0.01"), ROUND_HALF_UP)))
        )
        return float((maturity * m["size"]).sum() / m["size"].sum()) if len(m) else None

    def merge_frequency(self) -> float | None:
        m = self.merged_humans()
        return len(m) / m["author_id"].nunique() / self.weeks if len(m) else None

    def pm_prs_linked_to_issue(self) -> float | None:
        m = self.merged_humans()
        linked = m["issue_keys"].map(lambda keys: keys is not None and len(keys) > 0)
        return 100 * float(linked.mean()) if len(m) else None

    def waiting_for_review_rate(self) -> float | None:
        p = self.pr_phases()
        p = p[p["ready_at"].between(self.start, self.end, inclusive="left") & ~p["author_is_bot"]]
        until = p["review_at"].fillna(p["closed_at"]).fillna(p["merged_at"]).fillna(self.end)
        return 100 * float(((until - p["ready_at"]).dt.total_seconds() > 86400).mean()) if len(p) else None

    def stale_open_prs(self) -> float:
        p = self.pr_phases()
        still_open = p["closed_at"].fillna(p["merged_at"]).fillna(self.end) >= self.end
        return float((~p["author_is_bot"] & still_open & (p["created_at"] < self.end - pd.Timedelta(days=7))).sum())

    def deploys(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        d = self.production()
        d = d[d["started_at"] >= self.start - pd.Timedelta(hours=self.rules.incident_window_hours)]
        owners = d["service_id"].map(self.f["services"].set_index("service_id")["owner_team_id"])
        d = d[
            owners.fillna(d["repo_id"].map(self.f["repositories"].set_index("repo_id")["owner_team_id"])).isin(
                self.teams
            )
        ]
        d = d[d["started_at"] < self.end].sort_values(["scope_key", "started_at", "deployment_id"])
        nxt = d.groupby("scope_key")[["deploy_kind", "started_at"]].shift(-1)
        d["next_kind"], d["next_started_at"] = nxt["deploy_kind"], nxt["started_at"]
        i = self.f["incidents"]
        window = pd.Timedelta(hours=self.rules.incident_window_hours)
        i = i[(i["opened_at"] >= self.start) & (i["opened_at"] < self.end + window)].copy()
        i["scope_key"] = i["service_id"].fillna(i["repo_id"])
        i["_row"] = np.arange(len(i))
        linked = pd.merge_asof(
            i[i["scope_key"].notna()].sort_values("opened_at")[["_row", "scope_key", "opened_at"]],
            d.sort_values("started_at")[["scope_key", "started_at", "deployment_id"]],
            left_on="opened_at", right_on="started_at", by="scope_key", direction="backward", tolerance=window,
        ).set_index("_row")["deployment_id"]  # fmt: skip
        i["linked"] = i["deployment_id"].fillna(i["_row"].map(linked))
        owners = i["service_id"].map(self.f["services"].set_index("service_id")["owner_team_id"])
        repo_owner = i["repo_id"].map(self.f["repositories"].set_index("repo_id")["owner_team_id"])
        i = i[owners.fillna(repo_owner).isin(self.teams)]
        gap = (d["next_started_at"] - d["started_at"]).dt.total_seconds()
        fixed = d["next_kind"].isin(["hotfix", "rollback"]) & (gap <= window.total_seconds())
        d["failed"] = d["status"].isin(["failure", "error"]) | d["deployment_id"].isin(i["linked"]) | fixed
        successes = d[d["status"] == "success"].sort_values("started_at")
        successes = successes.assign(done_at=successes["finished_at"].fillna(successes["started_at"]))
        recovered = pd.merge_asof(
            d.sort_values("started_at")[["deployment_id", "scope_key", "started_at"]],
            successes[["scope_key", "started_at", "done_at"]].rename(columns={"started_at": "next_at"}),
            left_on="started_at", right_on="next_at", by="scope_key", direction="forward", allow_exact_matches=False,
        ).set_index("deployment_id")["done_at"]  # fmt: skip
        d["recovered_at"] = d["deployment_id"].map(recovered)
        return d[d["started_at"] >= self.start], i[i["opened_at"] < self.end]

    def deploy_frequency(self) -> float:
        return len(self.deploys()[0]) / self.weeks

    def change_failure_rate(self) -> float | None:
        d, _ = self.deploys()
        return 100 * float(d["failed"].mean()) if len(d) else None

    def deployment_rework_rate(self) -> float | None:
        d, _ = self.deploys()
        return 100 * float(d["deploy_kind"].isin(["hotfix", "rollback"]).mean()) if len(d) else None

    def failed_deployment_recovery_time(self, statistic: str) -> float | None:
        d, _ = self.deploys()
        d = d[d["failed"]]
        return stat_of(hours(d["recovered_at"], d["started_at"]), statistic)

    def mttr(self, statistic: str) -> float | None:
        _, i = self.deploys()
        return stat_of((i["resolved_at"] - i["opened_at"]).dt.total_seconds() / 3600, statistic)

    def line_ages(self, column: str) -> float | None:
        c = self.f["commit_line_ages"].merge(self.f["commits"], on=["repo_id", "sha"])
        c = c[c["authored_at"].between(self.start, self.end, inclusive="left") & ~self.is_bot(c["author_id"])].copy()
        c["_row"] = np.arange(len(c))
        c = c[self.teams_at(c, "author_id", "authored_at")]
        total = (c["lines_new"] + c["lines_recent"] + c["lines_old"]).sum()
        return 100 * float(c[column].sum() / total) if total else None

    def survey_score(self) -> float | None:
        s = self.f["survey_responses"]
        day = pd.to_datetime(s["responded_on"])
        s = s[day.between(self.start, self.end, inclusive="left") & s["team_id"].isin(self.teams)]
        return float((100 * s["score"] / s["scale_max"]).mean()) if len(s) else None

    def run(self, metric_id: str, statistic: str) -> float | None:
        """One metric, computed from the raw frames."""
        phases = {
            "coding_time": "coding", "pickup_time": "pickup", "approve_time": "approve", "merge_time": "merge",
            "review_time": "review", "deploy_time": "deploy", "cycle_time": "cycle", "pr_size": "size",
            "lead_time_for_changes": "lead",
        }  # fmt: skip
        if metric_id in phases:
            return self.phase(phases[metric_id], statistic)
        if metric_id in ("failed_deployment_recovery_time", "mttr"):
            return getattr(self, metric_id)(statistic)
        if metric_id in ("rework_rate", "refactor_rate"):
            return self.line_ages("lines_recent" if metric_id == "rework_rate" else "lines_old")
        return getattr(self, metric_id)()


PANDAS_METRICS = [
    "coding_time", "pickup_time", "approve_time", "merge_time", "review_time", "deploy_time", "cycle_time",
    "lead_time_for_changes", "pr_size", "pr_maturity", "merge_frequency", "pm_prs_linked_to_issue",
    "waiting_for_review_rate", "stale_open_prs", "deploy_frequency", "change_failure_rate",
    "deployment_rework_rate", "failed_deployment_recovery_time", "mttr", "rework_rate", "refactor_rate",
    "survey_score",
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=100.0, help="demo scale: 1 is ~10,000 PRs, 100 ~1,000,000")
    parser.add_argument("--snapshot", type=Path, help="reuse this snapshot instead of generating one")
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-pandas", action="store_true", help="time the engine only (pandas needs far more memory)")
    args = parser.parse_args()
    end_on = date(2026, 11, 1)
    path = args.snapshot or Path(f"/tmp/flowgauge-metrics-bench-{args.scale:g}.duckdb")
    if not path.exists():
        from flowgauge.loaders.demo import save_demo

        started = time.perf_counter()
        counts = save_demo(path, scale=args.scale, seed=7, end_on=end_on)
        print(f"generated {path}: {counts['pull_requests']:,} PRs in {time.perf_counter() - started:.0f} s")
    con = open_snapshot(path)
    total_prs = con.execute("SELECT count(*) FROM pull_requests").fetchall()[0][0]
    team, other_team = (
        row[0]
        for row in con.execute(
            "SELECT m.team_id FROM pull_requests p JOIN team_memberships m ON m.person_id = p.author_id "
            "GROUP BY ALL ORDER BY count(*) DESC LIMIT 2"
        ).fetchall()
    )
    latest = con.execute("SELECT max(merged_at) FROM pull_requests").fetchall()[0][0].date() + timedelta(days=1)
    filters = Filters(latest - timedelta(days=args.days), latest, teams=(team,))
    print(f"{path}: {total_prs:,} PRs; selection: team {team!r}, {filters.start} .. {filters.end} (exclusive)")

    other = Filters(filters.start, filters.end, teams=(other_team,))
    everyone = Filters(filters.start, filters.end)
    print(f"\nfull overview, all {len(METRICS)} metrics (compute_all), warm:")
    per_call = {}
    for label, selection in (("team", filters), ("other team", other), ("all teams", everyone)):
        per_call[label] = measure(lambda s=selection: compute_all(con, s, RULES), args.repeat)
        print(f"  facts per call (CLI), {label:10}: {per_call[label][0]:.3f} s, peak RSS {per_call[label][1]:,.0f} MiB")
    # The app's path: facts built once into a cache file beside the snapshot, which later readers attach.
    for cached in cache_folder(path).glob(f"{path.stem}.*"):
        cached.unlink()
    reset_peak()
    started = time.perf_counter()
    builder = open_snapshot(path)
    keep_facts(builder, snapshot_identity(path))
    warm_facts(builder, RULES)
    print(f"  facts kept (app): built and cached once in {time.perf_counter() - started:.1f} s, "
          f"peak RSS {peak_mib():,.0f} MiB")  # fmt: skip
    release_facts(builder)
    builder.close()
    reset_peak()
    started = time.perf_counter()
    keep_facts(con, snapshot_identity(path))
    warm_facts(con, RULES, build=False)
    print(f"  facts kept (app): cache attached by the next reader in {time.perf_counter() - started:.3f} s")
    kept = {}
    for label, selection in (("team", filters), ("other team", other), ("all teams", everyone)):
        kept[label] = measure(lambda s=selection: compute_all(con, s, RULES), args.repeat)
        same = all(_same_result(kept[label][2][m], per_call[label][2][m]) for m in METRICS)
        print(f"  facts kept (app),     {label:10}: {kept[label][0]:.3f} s, peak RSS {kept[label][1]:,.0f} MiB; "
              f"results identical to per call: {same}")  # fmt: skip
    results = kept["team"][2]
    subset_time, subset_peak, _ = measure(lambda: compute_all(con, filters, RULES, metric_ids=PANDAS_METRICS), 1)
    # Each metric alone, before any pandas frame exists, so the peaks are the engine's own.
    engine_each = {
        metric_id: measure(lambda metric_id=metric_id: compute(con, metric_id, filters, RULES), args.repeat)
        for metric_id in METRICS
    }
    if args.no_pandas:
        for metric_id, (seconds, peak, _) in engine_each.items():
            print(f"{metric_id:34} {seconds:9.3f} s {peak:9,.0f} MiB")
        return
    reset_peak()
    started = time.perf_counter()
    frames = {table: con.execute(f"SELECT * FROM {table}").df() for table in TABLES}  # noqa: S608 - fixed names
    load_seconds, load_peak = time.perf_counter() - started, peak_mib()
    baseline = PandasMetrics(frames, filters, RULES)

    def pandas_all() -> dict[str, float | None]:
        return {
            metric_id: baseline.run(metric_id, METRICS[metric_id].default_statistic) for metric_id in PANDAS_METRICS
        }

    pandas_time, pandas_peak, pandas_values = measure(pandas_all, 1)
    print(f"the {len(PANDAS_METRICS)} metrics pandas implements: engine {subset_time:.3f} s "
          f"(peak {subset_peak:,.0f} MiB), pandas {pandas_time:.3f} s (peak {pandas_peak:,.0f} MiB): "
          f"pandas / engine = {pandas_time / subset_time:.1f}x")  # fmt: skip
    print(f"pandas table load (not in its times): {load_seconds:.1f} s, peak RSS {load_peak:,.0f} MiB\n")
    print(f"{'metric':34} {'engine s':>9} {'peak MiB':>9} {'pandas s':>9} {'ratio':>7}  values agree")
    for metric_id, (seconds, peak, result) in engine_each.items():
        line = f"{metric_id:34} {seconds:9.3f} {peak:9,.0f}"
        if metric_id in PANDAS_METRICS:
            statistic = METRICS[metric_id].default_statistic
            pandas_seconds, _, value = measure(lambda metric_id=metric_id, s=statistic: baseline.run(metric_id, s), 1)
            line += f" {pandas_seconds:9.3f} {pandas_seconds / seconds:6.1f}x  {_agree(result.value, value)}"
        print(line)
    mismatched = [m for m in PANDAS_METRICS if _agree(results[m].value, pandas_values[m]) != "yes"]
    print(f"\nvalues differing between engine and pandas: {mismatched or 'none'}")


def _same_result(one, other) -> bool:
    """Equal results, values within float rounding: parallel sums add in a different order run to run."""
    first, second = one.as_dict(), other.as_dict()
    values = first.pop("value"), second.pop("value")
    if None in values:
        return values[0] == values[1] and first == second
    return math.isclose(*values, rel_tol=1e-12) and first == second


def _agree(engine: float | None, pandas: float | None) -> str:
    if engine is None or pandas is None:
        return "yes" if engine is None and pandas is None else f"no ({engine} vs {pandas})"
    return "yes" if math.isclose(engine, pandas, rel_tol=1e-6, abs_tol=1e-9) else f"no ({engine:.4g} vs {pandas:.4g})"


if __name__ == "__main__":
    main()
