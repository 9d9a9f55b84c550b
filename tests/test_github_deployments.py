"""Deployment detection rules (TOML config, each rule, the fallback chain) and PR/commit linking."""

from __future__ import annotations

from datetime import datetime

import pytest

from flowgauge.loaders.github.deployments import (
    BadDetectionConfig,
    DetectionRules,
    RepoHistory,
    detect_deployments,
    link_deployments,
    load_detection_config,
)

T = datetime.fromisoformat


def pr(number: int, merged: str, sha: str, base: str = "main", title: str = "Change") -> dict:
    return {
        "pr_id": f"acme/x#{number}",
        "title": title,
        "base_branch": base,
        "head_branch": f"f/{number}",
        "merged_at": T(merged),
        "merge_commit_sha": sha,
    }


def history(**kwargs) -> RepoHistory:
    base = dict(
        repo_id="acme/x",
        default_branch="main",
        api_deployments=[],
        releases=[],
        workflow_runs=[],
        merged_pulls=[],
        pr_commits={},
    )
    base.update(kwargs)
    return RepoHistory(**base)


def run_row(run_id: int, name: str, conclusion: str | None, started: str, status: str = "completed") -> dict:
    return {
        "run_id": f"acme/x:run:{run_id}",
        "name": name,
        "status": status,
        "conclusion": conclusion,
        "head_sha": f"sha{run_id}",
        "head_branch": "main",
        "started_at": T(started),
        "finished_at": T(started).replace(minute=30),
    }


def test_config_file_sets_defaults_and_per_repo_rules(tmp_path):
    path = tmp_path / "deploy.toml"
    path.write_text(
        '[default]\nenvironment = "^prod$"\nincident_labels = ["incident", "outage"]\n\n'
        '[repos."Acme/Mobile"]\ndetect = ["tag"]\ntag = "^mobile-v"\n'
    )
    config = load_detection_config(path)
    assert config.for_repo("acme/web").environment == "^prod$"
    mobile = config.for_repo("acme/mobile")
    assert mobile.detect == ("tag",) and mobile.tag == "^mobile-v"
    assert mobile.environment == "^prod$" and mobile.incident_labels == ("incident", "outage")  # inherited


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[default]\ndetect = ["magic"]\n', ":2: [default] detect: unknown rule(s) magic"),
        ('[default]\nworkflow = "("\n', ":2: [default] workflow: '(' is not a pattern DuckDB's RE2 can run (missing )"),
        ('[default]\nenviroment = "prod"\n', ":2: [default] enviroment: unknown setting"),
        ("[default\n", ": not valid TOML"),
    ],
)
def test_bad_config_is_refused_with_the_reason(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(BadDetectionConfig) as refused:
        load_detection_config(path)
    assert str(refused.value).startswith(f"{path}{message}")


def test_workflow_rule_keeps_successes_and_failures_of_matching_runs():
    rules = DetectionRules(detect=("workflow_run",), workflow="^Deploy prod")
    runs = [
        run_row(1, "Deploy production", "success", "2024-03-01T10:00:00"),
        run_row(2, "Deploy production", "failure", "2024-03-02T10:00:00"),
        run_row(3, "Deploy production", "cancelled", "2024-03-03T10:00:00"),
        run_row(4, "CI", "success", "2024-03-04T10:00:00"),
        run_row(5, "Deploy production", None, "2024-03-05T10:00:00", status="in_progress"),
    ]
    rule, rows = detect_deployments(rules, history(workflow_runs=runs))
    assert rule == "workflow_run"
    assert [(r["deployment_id"], r["status"], r["is_approximate"]) for r in rows] == [
        ("acme/x:workflow_run:acme/x:run:1", "success", False),
        ("acme/x:workflow_run:acme/x:run:2", "failure", False),
    ]


def test_fallback_chain_uses_first_rule_that_finds_anything():
    releases = [
        {
            "tag_name": "v1.0",
            "sha": "s1",
            "published_at": T("2024-03-01T10:00:00"),
            "is_prerelease": False,
            "is_bare_tag": False,
        },
        {
            "tag_name": "v1.1-rc",
            "sha": "s2",
            "published_at": T("2024-03-02T10:00:00"),
            "is_prerelease": True,
            "is_bare_tag": False,
        },
    ]
    rule, rows = detect_deployments(DetectionRules(), history(releases=releases))
    assert rule == "release" and [r["ref"] for r in rows] == ["v1.0"]  # pre-releases are not production
    rule, rows = detect_deployments(DetectionRules(), history(merged_pulls=[pr(1, "2024-03-01T10:00:00", "m1")]))
    assert rule == "merged_to_branch" and rows[0]["is_approximate"] is True
    rule, rows = detect_deployments(DetectionRules(detect=("deployments_api",)), history())
    assert (rule, rows) == (None, [])


def test_tag_rule_matches_regex_on_bare_tags():
    tags = [
        {"tag_name": n, "sha": n, "published_at": T("2024-03-01T10:00:00"), "is_prerelease": False, "is_bare_tag": True}
        for n in ("release-2024.1", "nightly-7")
    ]
    rule, rows = detect_deployments(DetectionRules(detect=("tag",), tag=r"^release-"), history(releases=tags))
    assert rule == "tag" and [r["deployment_id"] for r in rows] == ["acme/x:tag:release-2024.1"]


def test_links_by_exact_sha_and_by_merge_window():
    pulls = [
        pr(1, "2024-03-01T09:00:00", "m1"),
        pr(2, "2024-03-02T09:00:00", "m2"),
        pr(3, "2024-03-02T12:00:00", "m3"),
        pr(4, "2024-03-02T13:00:00", "m4", base="develop"),  # not the production branch
        pr(5, "2024-03-04T09:00:00", "m5"),  # merged after the last deployment
    ]
    deployments = [
        {
            "deployment_id": "d1",
            "environment": "production",
            "status": "success",
            "sha": "m1",
            "started_at": T("2024-03-01T10:00:00"),
            "detection_rule": "deployments_api",
        },
        {
            "deployment_id": "d2",
            "environment": "production",
            "status": "failure",
            "sha": "m3",
            "started_at": T("2024-03-02T14:00:00"),
            "detection_rule": "deployments_api",
        },
        {
            "deployment_id": "d3",
            "environment": "production",
            "status": "success",
            "sha": "m3",
            "started_at": T("2024-03-03T10:00:00"),
            "detection_rule": "deployments_api",
        },
    ]
    h = history(merged_pulls=pulls, pr_commits={"acme/x#3": ["c3a", "c3b"]})
    links, commits = link_deployments(deployments, h, "main")
    assert sorted((link["deployment_id"], link["pr_id"], link["link_rule"]) for link in links) == [
        ("d1", "acme/x#1", "commit_ancestry"),
        ("d3", "acme/x#2", "merged_since_previous"),  # the failed d2 shipped nothing
        ("d3", "acme/x#3", "commit_ancestry"),
    ]
    assert sorted(c["sha"] for c in commits if c["deployment_id"] == "d3") == ["c3a", "c3b", "m2", "m3"]


def test_a_pr_merged_as_a_deployment_starts_ships_with_it_and_not_with_the_next():
    def deploy(name: str, started: str) -> dict:
        return {"deployment_id": name, "environment": "production", "status": "success", "sha": None,
                "started_at": T(started), "detection_rule": "deployments_api"}  # fmt: skip

    pulls = [
        pr(3, "2024-03-03T10:00:00", "m3"),  # merged as d3 starts (out of order: the window is by merge time)
        pr(1, "2024-03-02T10:00:00", "m1"),  # merged as d2 starts
        pr(2, "2024-03-02T10:00:01", "m2"),
        pr(4, "2024-03-01T09:00:00", "m4"),  # before d1, the earliest known deployment: what it shipped is unknown
    ]
    deployments = [
        deploy("d3", "2024-03-03T10:00:00"),
        deploy("d1", "2024-03-01T10:00:00"),
        deploy("d2", "2024-03-02T10:00:00"),
    ]
    links, _ = link_deployments(deployments, history(merged_pulls=pulls), "main")
    assert sorted((link["deployment_id"], link["pr_id"]) for link in links) == [
        ("d2", "acme/x#1"),
        ("d3", "acme/x#2"),
        ("d3", "acme/x#3"),
    ]
