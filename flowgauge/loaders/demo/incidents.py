"""Incidents: most follow a bad production deployment (then a hotfix or rollback), a few are infrastructure."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from flowgauge.loaders.demo import columns as col
from flowgauge.loaders.demo.delivery import HOTFIX, REGULAR, ROLLBACK, SUCCESS, add_fix_deploys
from flowgauge.loaders.demo.flow import Frame, concat, hotfix_prs
from flowgauge.loaders.demo.org import MemberPicker, Org
from flowgauge.loaders.demo.timeline import DAY, HOUR, Window, lognormal_hours

SEVERITIES = ("SEV1", "SEV2", "SEV3")
RESOLVE_MEDIAN_HOURS = np.array([1.5, 4.0, 18.0])
DEPLOY_TITLES = ("Elevated 5xx errors on {}", "{} latency above SLO", "Error rate spike in {} after release",
                 "{} returning stale data", "Checkout failures traced to {}", "Timeouts calling {}")  # fmt: skip
CAPACITY_TITLES = ("{} saturated by traffic spike", "Queue backlog in {}", "{} degraded: upstream provider outage")
INFRA_TITLES = (
    "Database failover in eu-west-1", "CDN outage", "DNS resolution failures", "Kubernetes node pool exhausted",
    "Expired TLS certificate on internal gateway", "Message broker partition lost",
)  # fmt: skip
# Incident kinds: caused by a deployment, a service problem with no deployment behind it, infrastructure.
CAUSED, CAPACITY, INFRA = range(3)


def incidents_and_fixes(
    rng: np.random.Generator,
    org: Org,
    picker: MemberPicker,
    window: Window,
    production: Frame,
    lanes: np.ndarray,
    teams: np.ndarray,
    thin: float,
) -> tuple[Frame, Frame, Frame]:
    """(incidents, hotfix and rollback deployments, hotfix PRs) for a batch's production deployments."""
    bad = _bad_deployments(rng, org, window, production)
    n = len(bad)
    lane = production["lane"][bad]
    opened = production["finished"][bad] + np.clip(lognormal_hours(rng, 2.5, 1.2, n), 300, 40 * HOUR)
    response = rng.choice(3, n, p=[0.65, 0.2, 0.15])  # hotfix, rollback, none
    # An incident in the window's last hours gets no fix yet: the fix would land after "now".
    response = np.where(opened > window.end - 2 * HOUR, 2, response)
    rollback = np.flatnonzero(response == 1)
    rollback_deploys = add_fix_deploys(
        rng,
        org,
        lane[rollback],
        opened[rollback] + (rng.uniform(0.2, 1.0, len(rollback)) * HOUR).astype(np.int64),
        np.full(len(rollback), ROLLBACK),
    )
    hotfix = np.flatnonzero(response == 0)
    fixes = hotfix_prs(rng, org, picker, window, lane[hotfix], opened[hotfix])
    hotfix_deploys = add_fix_deploys(
        rng,
        org,
        lane[hotfix],
        fixes["merged"] + (rng.uniform(0.1, 0.5, len(hotfix)) * HOUR).astype(np.int64),
        np.full(len(hotfix), HOTFIX),
    )
    fix_finished = np.full(n, -1)
    fix_finished[rollback] = rollback_deploys["finished"]
    fix_finished[hotfix] = np.where(fixes["merged"] >= 0, hotfix_deploys["finished"], -1)
    rollback_deploys["bad"] = bad[rollback]
    hotfix_deploys["bad"] = np.full(len(hotfix), -1)
    fix_deploys = concat([rollback_deploys, hotfix_deploys])

    # Incidents with no deployment behind them: service capacity problems and infrastructure.
    months = (window.end - window.start) / (30 * DAY)
    volume = months * len(teams) / 6 * min(1.0, 1.5 * thin)  # thinned like deployments
    n_capacity = int(rng.poisson(0.25 * volume))
    n_infra = max(1, int(rng.poisson(0.5 * volume)))
    other_lane = lanes[org.lane_deployable[lanes]]
    kinds = np.r_[np.full(n, CAUSED), np.full(n_capacity, CAPACITY), np.full(n_infra, INFRA)]
    m = len(kinds)
    other_opened = window.start + rng.integers(0, window.end - window.start, n_capacity + n_infra)
    incident = {
        "kind": kinds,
        "lane": np.r_[lane, other_lane[rng.integers(0, len(other_lane), n_capacity)], np.full(n_infra, -1)],
        "deployment": np.r_[np.where(rng.random(n) < 0.6, bad, -1), np.full(n_capacity + n_infra, -1)],
        "severity": rng.choice(3, m, p=[0.07, 0.28, 0.65]),
        "opened": np.r_[opened, other_opened],
        "title": rng.integers(0, 6, m),
    }
    incident["acknowledged"] = incident["opened"] + np.maximum(lognormal_hours(rng, 0.1, 0.8, m), 30)
    natural = incident["opened"] + np.maximum(
        lognormal_hours(rng, RESOLVE_MEDIAN_HOURS[incident["severity"]], 1.1, m), 600
    )
    fixed_by = np.r_[fix_finished, np.full(m - n, -1)]
    incident["resolved"] = np.where(fixed_by >= 0, fixed_by + lognormal_hours(rng, 0.4, 0.8, m), natural)
    incident["resolved"] = np.where(incident["resolved"] >= window.end, -1, incident["resolved"])
    keep = incident["opened"] < window.end
    return {k: v[keep] for k, v in incident.items()}, fix_deploys, fixes


def _bad_deployments(rng: np.random.Generator, org: Org, window: Window, production: Frame) -> np.ndarray:
    """Successful regular deployments that cause an incident, at most one per lane in any three days."""
    candidates = np.flatnonzero((production["status"] == SUCCESS) & (production["kind"] == REGULAR))
    lane = production["lane"][candidates]
    frac = window.fraction(production["started"][candidates])
    base = np.array([org.teams[t].incident_rate for t in org.lane_team[lane]])
    trend_end = np.array([org.teams[t].trend_end for t in org.lane_team[lane]])
    rate = np.where(
        trend_end > 1.5, base * (0.4 + 0.6 * frac), np.where(trend_end < 0.7, base * (1 - 0.6 * frac), base)
    )
    bad = candidates[rng.random(len(candidates)) < rate]
    order = np.lexsort((production["started"][bad], production["lane"][bad]))
    bad = bad[order]
    same_lane = np.r_[False, production["lane"][bad][1:] == production["lane"][bad][:-1]]
    too_close = same_lane & (np.diff(production["started"][bad], prepend=0) < 3 * DAY)
    return bad[~too_close]


def force_open(incident: Frame, count: int) -> None:
    """Leave the most recently opened incidents unresolved, as on a real dashboard."""
    latest = np.argsort(incident["opened"])[-count:]
    incident["resolved"][latest] = -1


def incident_table(org: Org, incident: Frame, deployment_ids: pa.Array, first_number: int) -> pa.Table:
    """Arrow rows of the incidents table; ids are numbered from first_number in opening order."""
    n = len(incident["kind"])
    number = first_number + col.rank_within(np.zeros(n, dtype=np.int64), incident["opened"]) - 1
    lane = incident["lane"]
    known = lane >= 0
    repo = np.where(known, org.lane_repo[np.maximum(lane, 0)], -1)
    service = np.where(known, org.lane_service[np.maximum(lane, 0)], -1)
    lane_names = [
        org.service_names[s] if s >= 0 else org.repo_names[r]
        for r, s in zip(org.lane_repo, org.lane_service, strict=True)
    ]
    forms = [t.format(name) for t in DEPLOY_TITLES for name in lane_names]
    capacity = [t.format(name) for t in CAPACITY_TITLES for name in lane_names]
    kind = incident["kind"]
    title_index = np.select(
        [kind == CAUSED, kind == CAPACITY],
        [
            incident["title"] * len(lane_names) + np.maximum(lane, 0),
            len(forms) + (incident["title"] % 3) * len(lane_names) + np.maximum(lane, 0),
        ],
        len(forms) + len(capacity) + incident["title"],
    )
    ids = col.join("demo:INC-", col.text(number))
    return pa.table(
        {
            "incident_id": ids,
            "source": pa.array(["demo"] * n),
            "title": col.pick(forms + capacity + list(INFRA_TITLES), title_index),
            "repo_id": col.pick(org.repo_ids, repo),
            "service_id": col.pick(org.service_ids, service),
            "severity": col.pick(SEVERITIES, incident["severity"]),
            "opened_at": col.timestamps(incident["opened"]),
            "acknowledged_at": col.timestamps(incident["acknowledged"]),
            "resolved_at": col.timestamps(incident["resolved"]),
            "deployment_id": deployment_ids.take(pa.array(incident["deployment"], mask=incident["deployment"] < 0)),
            "url": col.join("https://acme.pagerduty.example/incidents/INC-", col.text(number)),
        }
    )
