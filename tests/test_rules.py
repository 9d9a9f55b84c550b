"""The rules file: every key read into the rules object, older --config files read, refusals with file and line."""

from pathlib import Path

import pytest

from flowgauge.rules import BadRules, describe_rules, find_rules_file, load_rules
from flowgauge.rules.defaults import BUILT_IN_BOT_LOGINS, PRODUCTION

EVERY_KEY = """\
[deployments]
production = "(?i)^(prod|production|live|github-pages)$"
detect = ["deployments_api", "release", "tag"]
tag = "^v\\\\d+"
workflow = "^Deploy$"
production_branch = "main"
include_prereleases = true
incident_labels = ["incident", "outage"]
hotfix_pattern = "(?i)^hotfix/"
rollback_pattern = "(?i)rollback"

[repos."Acme/Mobile"]
detect = ["tag"]
tag = "^mobile-v"

[bots]
logins = ["Release-Bot"]
login_patterns = ["-ci$"]
title_patterns = ["^Bump .+ from .+ to "]

[incidents]
window_hours = 24

[change_failure]
mode = "incidents"

[hygiene]
epics_need_parent = true
"""


def write(tmp_path: Path, text: str, name: str = "flowgauge.rules.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_key_reaches_the_rules_object(tmp_path):
    rules = load_rules(write(tmp_path, EVERY_KEY))
    linking, default = rules.linking, rules.detection.default
    assert linking.production_env_regex == "(?i)^(prod|production|live|github-pages)$"
    assert default.environment == linking.production_env_regex  # the load-time filter is the metrics' rule
    assert (linking.incident_window_hours, linking.cfr_mode, linking.epics_need_parent) == (24, "incidents", True)
    assert linking.bot_logins == ("release-bot",)
    assert linking.bot_login_patterns == ("-ci$",) and linking.bot_title_patterns == ("^Bump .+ from .+ to ",)
    assert default.detect == ("deployments_api", "release", "tag") and default.tag == r"^v\d+"
    assert (default.workflow, default.production_branch, default.include_prereleases) == ("^Deploy$", "main", True)
    assert default.incident_labels == ("incident", "outage")
    mobile = rules.detection.for_repo("acme/mobile")
    assert (mobile.detect, mobile.tag, mobile.production_branch) == (("tag",), "^mobile-v", "main")  # inherited
    assert default.kind_of("hotfix/login") == "hotfix" and default.kind_of("fix hotfix") == "regular"
    assert default.kind_of("Rollback v2") == "rollback"
    assert default.is_production("github-pages") and not default.is_production("staging")
    assert rules.source == str(tmp_path / "flowgauge.rules.toml")
    params = linking.params()
    assert "release-bot" in params["bot_logins"] and set(BUILT_IN_BOT_LOGINS) <= set(params["bot_logins"])
    assert params["bot_title_regex"] == "(?:^Bump .+ from .+ to )"


def test_no_file_gives_the_built_in_rules():
    rules = load_rules(None)
    assert rules.linking.production_env_regex == PRODUCTION and rules.source is None
    assert not rules.linking.epics_need_parent
    assert rules.detection.default.is_production("Production-EU") and rules.detection.default.is_production("live")
    assert not rules.detection.default.is_production("preprod")
    assert describe_rules(rules)[0] == ("rules file", "none found: the built-in rules")


def test_an_older_config_file_is_read_as_rules(tmp_path):
    path = write(
        tmp_path,
        '[default]\nenvironment = "^prod$"\nincident_labels = ["incident", "outage"]\n\n'
        '[repos."Acme/Mobile"]\ndetect = ["tag"]\ntag = "^mobile-v"\n',
        "deploy.toml",
    )
    rules = load_rules(path)
    assert rules.linking.production_env_regex == "^prod$" == rules.detection.for_repo("acme/web").environment
    assert rules.detection.for_repo("acme/mobile").incident_labels == ("incident", "outage")


def test_the_rules_table_of_an_organisation_file(tmp_path):
    path = write(tmp_path, '[organisation]\nname = "Acme"\n\n[rules.incidents]\nwindow_hours = 12\n', "flowgauge.toml")
    assert load_rules(path).linking.incident_window_hours == 12
    bad = write(tmp_path, '[rules.bots]\ntitle_patterns = ["(?<!x)y"]\n', "flowgauge.toml")
    with pytest.raises(BadRules) as refused:
        load_rules(bad)
    assert str(refused.value) == (
        f"{bad}:2: [rules.bots] title_patterns: '(?<!x)y' is not a pattern DuckDB's RE2 can run "
        "(invalid perl operator: (?<)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # Python's re accepts a look-ahead; RE2, which runs the rule in the metrics, does not.
        (
            '[deployments]\n\nproduction = "^(?=prod)"\n',
            ":3: [deployments] production: '^(?=prod)' is not a pattern DuckDB's RE2 can run "
            "(invalid perl operator: (?=)",
        ),
        ('[bots]\nlogins = "release-bot"\n', ":2: [bots] logins: must be a list of strings, not 'release-bot'"),
        ("[incidents]\nwindow_hours = 0\n", ":2: [incidents] window_hours: must be a whole number of hours above 0"),
        (
            '[change_failure]\nmode = "incident"\n',
            ":2: [change_failure] mode: must be 'failed_deployments' or 'incidents', not 'incident'",
        ),
        ('[deployments]\nprod = "x"\n', ":2: [deployments] prod: unknown setting; [deployments] takes production,"),
        (
            '[repos."acme/web"]\nenvironment = "^live$"\n',
            ':2: [repos."acme/web"] environment: production environments are one rule for every repository',
        ),
        ('[deployments]\nproduction = "a"\n[default]\ndetect = ["tag"]\n', ":3: [default]: [default] is the older"),
        ("[bot]\nlogins = []\n", ":1: [bot]: unknown table; the tables are [deployments], [repos], [bots],"),
        ("window_hours = 4\n", ":1: window_hours: a key outside every table; the tables are [deployments],"),
        ('[hygiene]\nepics_need_parent = "yes"\n', ":2: [hygiene] epics_need_parent: must be true or false, not 'yes'"),
        ("[bots\n", ": not valid TOML"),
    ],
)
def test_a_bad_rule_is_refused_with_file_line_and_reason(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(BadRules) as refused:
        load_rules(path)
    assert str(refused.value).startswith(f"{path}{message}")


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(BadRules, match="no such rules file"):
        load_rules(tmp_path / "nope.toml")


def test_the_rules_file_is_found_where_the_docs_say(tmp_path):
    here, data = tmp_path / "here", tmp_path / "data"
    here.mkdir()
    data.mkdir()
    assert find_rules_file(None, None, [here, data]) is None
    organisation = write(data, "[rules.incidents]\nwindow_hours = 12\n", "flowgauge.toml")
    assert find_rules_file(None, None, [here, data]) == organisation
    write(here, "[organisation]\n", "flowgauge.toml")  # no [rules] table: not a rules file
    assert find_rules_file(None, None, [here, data]) == organisation
    in_data = write(data, "")
    assert find_rules_file(None, None, [here, data]) == in_data
    in_here = write(here, "")
    assert find_rules_file(None, None, [here, data]) == in_here
    assert find_rules_file(None, str(tmp_path / "env.toml"), [here, data]) == tmp_path / "env.toml"
    assert find_rules_file(tmp_path / "given.toml", str(tmp_path / "env.toml"), [here]) == tmp_path / "given.toml"
