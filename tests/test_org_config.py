"""flowgauge.toml: every key read into the organisation config, and every mistake one line naming file and line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from flowgauge.org_config import ConfigError, load_org_config

FULL = """\
data_folder = "shared/data"
snapshot = "acme.duckdb"
team_map = "teams.csv"
benchmarks = "linearb-2024-p75"

[freshness]
default_hours = 30

[[github]]
name = "github"
org = "acme"
token_env = "ACME_GITHUB_TOKEN"
api_url = "https://github.example.com/api/v3/"
since = 2025-01-01
deploy_rules = "deploy-rules.toml"
freshness_hours = 6

[[gitlab]]
projects = ["acme/platform/api"]
since = "2025-03-01"

[[git]]
paths = ["clones/payments", "/srv/clones/web"]
deploy_tags = '^release-'
line_age = false

[[files]]
name = "incidents"
folder = "exports/pagerduty"
kind = "pagerduty_csv"
date_order = "dmy"

[rules]
production_environments = ["production", "prod-eu"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "flowgauge.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_key_is_read_with_paths_relative_to_the_file(tmp_path):
    config = load_org_config(write(tmp_path, FULL))
    assert config.snapshot == tmp_path / "shared" / "data" / "acme.duckdb"
    assert config.benchmarks == "linearb-2024-p75"
    assert config.rules == {"production_environments": ["production", "prod-eu"]}
    github, gitlab, git, files, team_map = config.sources
    assert (github.name, github.org, github.repos, github.token_env) == ("github", "acme", (), "ACME_GITHUB_TOKEN")
    assert github.api_url == "https://github.example.com/api/v3"
    assert (github.since, github.deploy_rules, github.freshness_hours) == (
        date(2025, 1, 1),
        tmp_path / "deploy-rules.toml",
        6.0,
    )
    assert (gitlab.name, gitlab.projects, gitlab.token_env, gitlab.api_url) == (
        "gitlab:acme",
        ("acme/platform/api",),
        "GITLAB_TOKEN",
        "https://gitlab.com/api/v4",
    )
    assert (gitlab.since, gitlab.freshness_hours) == (date(2025, 3, 1), 30.0)  # the [freshness] default
    assert git.paths == (tmp_path / "clones" / "payments", Path("/srv/clones/web"))
    assert (git.deploy_tags, git.line_age, git.name) == ("^release-", False, "git:payments,web")
    assert (files.name, files.folder, files.import_kind, files.date_order) == (
        "incidents",
        tmp_path / "exports" / "pagerduty",
        "pagerduty_csv",
        "dmy",
    )
    assert (team_map.name, team_map.folder, team_map.import_kind) == ("team map", tmp_path / "teams.csv", "team_map")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('snapshot = "a.db"\n[[github]]\norg = "acme"\ntoken = "ghp_abc"\n', ":4: github[1].token: tokens never go"),
        (
            '[[github]]\norg = "acme"\ntoken_env = "ghp_0123456789abcdef"\n',
            ":3: github[1].token_env: must be the NAME of the environment variable",
        ),
        ('[[github]]\norg = "acme"\n\n[[github]]\nrepos = ["payments"]\n', ":5: github[2].repos: 'payments': expected"),
        ('[[github]]\norg = "acme"\nrepos = ["acme/web"]\n', ":1: github[1]: give either org"),
        ('[[git]]\npaths = ["."]\ndeploy_tags = "(v"\n', ":3: git[1].deploy_tags: '(v' is not a regular expression"),
        ('[[git]]\npaths = ["."]\nsince = "01/02/2025"\n', ":3: git[1].since: '01/02/2025' is not a date"),
        ('[[files]]\nfolder = "x"\nkind = "jira"\n', ":3: files[1].kind: 'jira': choose auto or one of"),
        ('[[files]]\nfolder = "x"\nfreshness_hours = -1\n', ":3: files[1].freshness_hours: -1: expected a positive"),
        ('[[files]]\nfolder = "x"\nfolders = "y"\n', ":3: files[1].folders: unknown key; expected one of"),
        ('[[files]]\nfolder = "x"\n[[files]]\nfolder = "x"\n', ":3: files[2].name: 'files:x' names two sources"),
        ('benchmarks = "linearb-1999"\n[[files]]\nfolder = "x"\n', ":1: benchmarks: 'linearb-1999' is not a"),
        ('snapshot = "../up.duckdb"\n[[files]]\nfolder = "x"\n', ":1: snapshot: '../up.duckdb': a file name"),
        ('[[gitlab]]\nprojects = ["a/b"]\napi_url = "https://u:p@gitlab.example.com"\n', ":3: gitlab[1].api_url: cred"),
        ('data_folder = "data"\n', ": no sources: add a [[github]]"),
        ('[[files]]\nfolder = "x"\nkind = \n', ":3: not valid TOML: Invalid value (column 8)"),
        ('[[gitlab]]\ntoken_env = "GL"\n', ':1: gitlab[1]: give projects = ["GROUP/PROJECT", ...] or groups'),
        ('[[gitlab]]\ngroups = ["acme/"]\n', ":2: gitlab[1].groups: 'acme/': expected a path like acme/platform"),
        ("[[jira]]\nboards = [7]\n", ":1: jira[1]: give site = "),
        ('[[github]]\norg = "a"\napp_id = 1\ntoken_env = "T"\n', ":4: github[1].token_env: a source signs in with"),
        ('[[github]]\norg = "a"\ninstallation_id = 9\n', ":3: github[1].installation_id: needs app_id"),
        ('[[github]]\norg = "a"\napp_id = true\n', ":3: github[1].app_id: expected the GitHub App's id"),
        ('[[github]]\norg = "a"\napp_id = 1\ninstallation_id = "9"\n', ":4: github[1].installation_id: expected"),
        ('[[jira]]\nsite = "https://j.test"\n', ":1: jira[1]: give boards = [ID, ...], projects"),
        ('[[jira]]\nsite = "https://j.test"\nboards = ["7"]\n', ":3: jira[1].boards: expected a list of board ids"),
        ('[[jira]]\nsite = "https://j.test"\nprojects = ["pay"]\n', ":3: jira[1].projects: 'pay': a project key"),
        ('[[jira]]\nsite = "https://j.test"\njql = "x"\napi_token_env = "ATATT3xF-00"\n', ":4: jira[1].api_token_env"),
    ],
)
def test_each_mistake_is_one_line_with_file_and_line(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        load_org_config(path)
    text_of_error = str(raised.value)
    assert text_of_error.startswith(str(path)) and message in text_of_error, text_of_error
    assert "\n" not in text_of_error
    assert "ghp_" not in text_of_error  # a token pasted by mistake is never repeated


def test_gitlab_groups_and_jira_sources_are_read(tmp_path):
    config = load_org_config(
        write(
            tmp_path,
            '[[gitlab]]\ngroups = ["acme/platform"]\nprojects = ["other/app"]\n\n'
            '[[jira]]\nsite = "https://jira.acme.test/"\nboards = [7, 9]\nprojects = ["PAY"]\njql = "labels = ops"\n'
            'token_env = "ACME_JIRA_PAT"\nfreshness_hours = 4\n',
        )
    )
    gitlab, jira = config.sources
    assert (gitlab.name, gitlab.groups, gitlab.projects) == ("gitlab:acme,other", ("acme/platform",), ("other/app",))
    assert (jira.kind, jira.name, jira.site, jira.boards, jira.projects, jira.jql) == (
        "jira",
        "jira:jira.acme.test",
        "https://jira.acme.test",
        (7, 9),
        ("PAY",),
        "labels = ops",
    )
    assert (jira.email_env, jira.api_token_env, jira.pat_env, jira.freshness_hours) == (
        "JIRA_EMAIL",
        "JIRA_API_TOKEN",
        "ACME_JIRA_PAT",
        4.0,
    )


def test_a_github_source_may_sign_in_as_a_github_app(tmp_path):
    text = '[[github]]\norg = "acme"\napp_id = 123456\ninstallation_id = 78\nprivate_key_env = "ACME_APP_KEY"\n'
    (github,) = load_org_config(write(tmp_path, text)).sources
    assert (github.app_id, github.installation_id) == ("123456", 78)
    assert (github.private_key_path_env, github.private_key_env) == ("GITHUB_APP_PRIVATE_KEY_PATH", "ACME_APP_KEY")


def test_a_missing_config_names_the_file(tmp_path):
    with pytest.raises(ConfigError, match=r"flowgauge.toml: no such config file \(see docs/deploy.md"):
        load_org_config(tmp_path / "flowgauge.toml")


def test_the_example_in_docs_deploy_is_a_valid_config(tmp_path):
    docs = (Path(__file__).parent.parent / "docs" / "deploy.md").read_text(encoding="utf-8")
    example = docs.split("```toml\n", 1)[1].split("```", 1)[0]
    config = load_org_config(write(tmp_path, example))
    assert [(s.kind, s.name) for s in config.sources] == [
        ("github", "github"),
        ("gitlab", "gitlab"),
        ("jira", "jira"),
        ("git", "clones"),
        ("files", "incidents"),
        ("files", "team map"),
    ]
    assert config.snapshot == tmp_path / "data" / "acme.duckdb"
