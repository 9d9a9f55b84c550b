"""Deployment states: each source state lands as the same state in `deployments` and `deployment_statuses`."""

from __future__ import annotations

from datetime import date

import pytest
from fixtures.github.fake_github import FakeGitHub, FakeRepo, deployment, deployment_status
from fixtures.gitlab.fake_gitlab import FakeGitLab, FakeProject

from flowgauge.loaders.github.sync import sync_github
from flowgauge.loaders.gitlab.sync import sync_gitlab
from flowgauge.loaders.http.session import ApiSession
from flowgauge.loaders.store import write_snapshot
from flowgauge.metrics import Filters, compute_all
from flowgauge.snapshot import open_snapshot

# GitHub status state -> (deployments.status, deployment_statuses.status); None: the deployment has no status.
GITHUB_STATES = {
    "pending": ("queued", "queued"),
    "queued": ("queued", "queued"),
    "in_progress": ("in_progress", "in_progress"),
    "success": ("success", "success"),
    "failure": ("failure", "failure"),
    "error": ("error", "error"),
    "inactive": ("unknown", "inactive"),  # replaced by a later deployment: says nothing of how it went
    None: ("unknown", None),
}
# GitLab deployment status -> (deployments.status, deployment_statuses.status); None: no status in the answer.
GITLAB_STATES = {
    "created": ("queued", "queued"),
    "blocked": ("queued", "queued"),  # waiting for a manual approval
    "running": ("in_progress", "in_progress"),
    "success": ("success", "success"),
    "failed": ("failure", "failure"),
    "canceled": ("cancelled", "cancelled"),
    "skipped": ("cancelled", "cancelled"),
    None: ("unknown", None),
}


def _states(path, deployment_id: str) -> tuple[str, str | None]:
    con = open_snapshot(path)
    try:
        [(status,)] = con.execute("SELECT status FROM deployments WHERE deployment_id = ?", [deployment_id]).fetchall()
        history = con.execute(
            "SELECT status FROM deployment_statuses WHERE deployment_id = ?", [deployment_id]
        ).fetchall()
    finally:
        con.close()
    assert len(history) <= 1
    return status, history[0][0] if history else None


@pytest.fixture(scope="module")
def github_load(tmp_path_factory):
    repo = FakeRepo()
    for number, state in enumerate(GITHUB_STATES, start=1):
        repo.deployments.append(deployment(number, "a" * 40, "production", f"2024-03-{number:02d}T10:00:00Z"))
        if state is not None:
            repo.statuses[number] = [deployment_status(number, state, f"2024-03-{number:02d}T10:05:00Z")]
    path = tmp_path_factory.mktemp("states") / "gh.duckdb"
    fake = FakeGitHub(repos={"acme/x": repo})
    with write_snapshot(path, resumable=True) as writer:
        sync_github(ApiSession(fake.client(), graphql_url="graphql", sleep=lambda s: None), writer, ["acme/x"])
    return path


@pytest.mark.parametrize("state", list(GITHUB_STATES), ids=str)
def test_github_status_states_are_stored_alike_in_both_tables(github_load, state):
    number = list(GITHUB_STATES).index(state) + 1
    assert _states(github_load, f"acme/x:deploy:{number}") == GITHUB_STATES[state]


@pytest.fixture(scope="module")
def gitlab_load(tmp_path_factory):
    deployments = []
    for number, state in enumerate(GITLAB_STATES, start=1):
        item = {
            "id": number,
            "iid": number,
            "ref": "main",
            "sha": "a" * 40,
            "created_at": f"2024-04-{number:02d}T10:00:00.000Z",
            "updated_at": f"2024-04-{number:02d}T10:06:00.000Z",
            "finished_at": f"2024-04-{number:02d}T10:05:00.000Z",
            "environment": {"id": 1, "name": "production"},
        }
        if state is not None:
            item["status"] = state
        deployments.append(item)
    info = {"id": 7, "path": "app", "default_branch": "main", "archived": False, "web_url": "https://gitlab.test/g/app"}
    info["created_at"] = "2023-01-01T00:00:00.000Z"
    fake = FakeGitLab(projects={"g/app": FakeProject(info=info, deployments=deployments)})
    path = tmp_path_factory.mktemp("states") / "gl.duckdb"
    with write_snapshot(path, resumable=True) as writer:
        report = sync_gitlab(ApiSession(fake.client(), sleep=lambda s: None), writer, ["g/app"])
    return path, report


@pytest.mark.parametrize("state", list(GITLAB_STATES), ids=str)
def test_gitlab_deployment_statuses_are_stored_alike_in_both_tables(gitlab_load, state):
    path, _ = gitlab_load
    number = list(GITLAB_STATES).index(state) + 1
    assert _states(path, f"g/app:deploy:{number}") == GITLAB_STATES[state]


def test_a_gitlab_deployment_without_status_is_counted(gitlab_load):
    _, report = gitlab_load
    assert "deployments: 1 without status" in report.notes


def test_deployments_of_unknown_state_are_left_out_of_the_dora_metrics_with_that_reason(github_load):
    # Production deployments 1-8 in March 2024: success, failure and error ones count; the queued and running
    # ones have no outcome yet; the two that never reported a status (or only 'inactive') are left out, counted.
    con = open_snapshot(github_load)
    try:
        results = compute_all(con, Filters(date(2024, 3, 1), date(2024, 3, 15)))
    finally:
        con.close()
    reason = "state unknown: the deployment never reported a status"
    assert results["deploy_frequency"].value == pytest.approx(3 / 2)  # 3 deployments over 2 weeks
    assert results["deploy_frequency"].exclusions == ((2, reason),)
    assert results["change_failure_rate"].value == pytest.approx(2 / 3 * 100)  # failure and error of 3
    assert (2, reason) in results["change_failure_rate"].exclusions
    assert (2, reason) in results["deployment_rework_rate"].exclusions
