"""One batch of teams' history, from sprints to incidents, as Arrow tables ready to write."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from flowgauge.loaders.demo import ci, deploy_rows, origins, pr_rows
from flowgauge.loaders.demo.commits import build_commits, line_ages
from flowgauge.loaders.demo.delivery import (
    ROLLBACK,
    merged_keys,
    production_schedule,
    ship_ranges,
    staging_deploys,
)
from flowgauge.loaders.demo.flow import HUMAN, Frame, bot_prs, concat, human_prs, number_prs
from flowgauge.loaders.demo.incidents import force_open, incident_table, incidents_and_fixes
from flowgauge.loaders.demo.org import MemberPicker, Org
from flowgauge.loaders.demo.planning import build_planning
from flowgauge.loaders.demo.reviews import review_events, review_table
from flowgauge.loaders.demo.survey import survey_table
from flowgauge.loaders.demo.timeline import Window


@dataclass
class Counters:
    """Ids that run across batches (incident, review and CI run numbers)."""

    incident: int = 1001
    review: int = 900_000_001
    run: int = 40_000_001


def batch_tables(
    rng: np.random.Generator,
    org: Org,
    picker: MemberPicker,
    window: Window,
    teams: np.ndarray,
    thin: float,
    counters: Counters,
    open_incidents: int,
) -> dict[str, pa.Table]:
    """Every history table's rows for the given teams (and the repositories and services they own)."""
    lanes = np.flatnonzero(np.isin(org.lane_team, teams))
    planning = build_planning(rng, org, picker, window, teams)
    prs = concat(
        [human_prs(rng, org, picker, planning, window, teams, lanes, thin), bot_prs(rng, org, window, lanes, thin)]
    )
    origin_rng = rng.spawn(1)[0]  # its own stream: the rest of the demo draws as it did before origins
    origins.assign_origins(origin_rng, org, window, prs, HUMAN)
    production = production_schedule(rng, org, window, lanes, prs, thin)
    production["bad"] = np.full(len(production["lane"]), -1)
    incident, fixes, fix_prs = incidents_and_fixes(rng, org, picker, window, production, lanes, teams, thin)
    if open_incidents:
        force_open(incident, open_incidents)
    fix_prs["origin"] = np.full(len(fix_prs["lane"]), origins.UNASSISTED)
    prs = concat([prs, fix_prs])
    number_prs(org, prs)
    production = _final_production(production, fixes, incident, prs, window)
    staging = staging_deploys(rng, org, production)
    staging["bad"] = np.full(len(staging["lane"]), -1)
    staging["rollback_to"] = np.full(len(staging["lane"]), -1)
    staging["lo"], staging["hi"] = ship_ranges(staging, prs)
    deploys = concat([production, staging])
    deploy_rows.assign_tags(org, deploys)

    commits, pool = build_commits(rng, org, window, prs)
    reviews = review_events(rng, org, picker, window, prs)
    ages = line_ages(rng, org, window, prs, commits)
    pr_ids, repo_ids = pr_rows.pr_identity(org, prs)
    title, branch, key = pr_rows.pr_texts(org, prs, planning.item_keys)
    shipped_order = merged_keys(prs)[1]
    deploy_ids = deploy_rows.deployment_ids(org, deploys)
    deploy_sha = deploy_rows.deployment_shas(deploys, prs, shipped_order)

    tables = {"pull_requests": pr_rows.pr_table(org, prs, pr_ids, repo_ids, title, branch, key, pool, window.end)}
    tables["pr_code_origins"] = origins.origin_table(origin_rng, org, prs, pr_ids)
    tables["pr_reviews"] = review_table(org, reviews, pr_ids, counters.review)
    tables.update(pr_rows.commit_tables(org, prs, commits, ages, pr_ids, title, branch, pool))
    tables.update(
        deploy_rows.deployment_tables(
            rng, org, window, deploys, deploy_ids, deploy_sha, prs, shipped_order, pr_ids, pool
        )
    )
    tables["releases"] = deploy_rows.release_table(rng, org, window, deploys, deploy_sha, prs, pool)
    tables["workflow_runs"] = ci.workflow_run_table(
        rng, org, window, prs, branch, deploys, deploy_sha, pool, counters.run
    )
    tables["incidents"] = incident_table(org, incident, deploy_ids, counters.incident)
    tables.update(planning.tables)
    tables["survey_responses"] = survey_table(rng, org, picker, window, teams)
    counters.incident += tables["incidents"].num_rows
    counters.review += tables["pr_reviews"].num_rows
    counters.run += tables["workflow_runs"].num_rows
    return tables


def _final_production(production: Frame, fixes: Frame, incident: Frame, prs: Frame, window: Window) -> Frame:
    """All production deployments with their shipped ranges; deployments left empty by a hotfix are dropped."""
    deploys = concat([production, fixes])
    deploys["lo"], deploys["hi"] = ship_ranges(deploys, prs)
    rollback = deploys["kind"] == ROLLBACK
    deploys["rollback_to"] = np.where(rollback, deploys["lo"][np.maximum(deploys["bad"], 0)] - 1, -1)
    referenced = np.zeros(len(deploys["lane"]), bool)
    referenced[incident["deployment"][incident["deployment"] >= 0]] = True
    keep = ((deploys["hi"] > deploys["lo"]) | rollback | referenced) & (deploys["started"] < window.end)
    new_index = np.cumsum(keep) - 1
    incident["deployment"] = np.where(
        incident["deployment"] >= 0,
        np.where(keep[np.maximum(incident["deployment"], 0)], new_index[np.maximum(incident["deployment"], 0)], -1),
        -1,
    )
    deploys = {k: v[keep] for k, v in deploys.items()}
    deploys["lo"], deploys["hi"] = ship_ranges(deploys, prs)
    return deploys
