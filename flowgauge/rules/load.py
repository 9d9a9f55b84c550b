"""Read a rules file (flowgauge.rules.toml, the [rules] table of flowgauge.toml, or an older --config file) into
Rules, refusing anything it cannot apply with the file, line and reason."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from flowgauge.errors import FlowgaugeError
from flowgauge.rules import defaults
from flowgauge.rules.allocation import (
    CATEGORIES,
    CONDITION_KINDS,
    DEFAULT_ALLOCATION,
    PATTERN_CONDITIONS,
    AllocationRule,
    AllocationRules,
)
from flowgauge.rules.code_origin import DEFAULT_CODE_ORIGIN, CodeOriginRules
from flowgauge.rules.detection import DetectionConfig, DetectionRules
from flowgauge.rules.lines import line_in_array, line_of
from flowgauge.rules.linking import DEFAULT_RULES, LinkingRules
from flowgauge.rules.patterns import pattern_error


class BadRules(FlowgaugeError):
    """A rules file that is missing, not TOML, or holds a key, value or pattern that cannot be applied."""


@dataclass(frozen=True)
class Rules:
    """Every rule from load to metric: deployment detection per repository (loaders) and the linking rules (metrics),
    with the file they were read from (None: the built-in defaults)."""

    linking: LinkingRules = DEFAULT_RULES
    detection: DetectionConfig = field(default_factory=DetectionConfig)
    source: str | None = None
    allocation: AllocationRules = DEFAULT_ALLOCATION  # effort allocation: which category each PR and work item is
    code_origin: CodeOriginRules = DEFAULT_CODE_ORIGIN  # how loaders tell agentic and AI-assisted PRs


DEFAULTS = Rules()

# Settings a repository can have of its own; [deployments] holds their defaults plus the rules for every repository.
_REPO_KEYS = ("detect", "tag", "workflow", "production_branch", "include_prereleases", "incident_labels")
_DEPLOYMENT_KEYS = ("production", "environment", *_REPO_KEYS, "hotfix_pattern", "rollback_pattern")
_CODE_ORIGIN_PATTERNS = ("agent_login_patterns", "agent_authors", "agent_lines", "assisted_lines", "assisted_authors")
_CODE_ORIGIN_KEYS = ("agent_logins", "agent_labels", "assisted_labels", "built_in", *_CODE_ORIGIN_PATTERNS)
# Each table of the file and its keys. A new rule is a new key (or table) here and in _read: refused until then.
_TABLES: dict[str, tuple[str, ...]] = {
    "deployments": _DEPLOYMENT_KEYS,
    "default": _DEPLOYMENT_KEYS,  # the --config files' name for [deployments]
    "repos": (),  # [repos."owner/name"] tables of _REPO_KEYS
    "bots": ("logins", "login_patterns", "title_patterns"),
    "incidents": ("window_hours",),
    "change_failure": ("mode",),
    "hygiene": ("epics_need_parent",),  # work-item hygiene rules
    "allocation": ("rules", "defaults"),  # [[allocation.rules]] and whether the built-in rules follow them
    "code_origin": _CODE_ORIGIN_KEYS,
}
_ALLOCATION_RULE_KEYS = ("category", *CONDITION_KINDS)
_PATTERN_KEYS = {"production", "environment", "tag", "workflow", "hotfix_pattern", "rollback_pattern"}


def find_rules_file(explicit: str | os.PathLike | None, env_value: str | None, folders: Iterable[Path]) -> Path | None:
    """The rules file in force: the one named (--rules), else $FLOWGAUGE_RULES, else flowgauge.rules.toml and then
    flowgauge.toml (when it has a [rules] table) in each folder in turn; None when there is none."""
    if explicit:
        return Path(explicit)
    if env_value:
        return Path(env_value)
    for folder in folders:
        candidate = folder / defaults.RULES_FILE_NAME
        if candidate.is_file():
            return candidate
    for folder in folders:
        candidate = folder / defaults.ORGANISATION_FILE_NAME
        if candidate.is_file() and "rules" in _parse(candidate, candidate.read_text(encoding="utf-8")):
            return candidate
    return None


def load_rules(path: str | os.PathLike | None) -> Rules:
    """The rules of the file at path (None: the built-in defaults)."""
    if path is None:
        return DEFAULTS
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadRules(f"{path}: no such rules file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise BadRules(f"{path}: cannot read the rules file ({error})") from None
    return rules_from_text(text, path)


def rules_from_text(text: str, path: str | os.PathLike) -> Rules:
    """Rules from a rules file's text, or from an organisation config's [rules] table (its built-in rules when it
    has none); path names the file in messages and in the rules' source."""
    from flowgauge.org_config.config import TOP_KEYS  # the organisation config's own keys, none a rules table

    data = _parse(path, text)
    prefix: tuple[str, ...] = ()
    organisation = Path(path).name == defaults.ORGANISATION_FILE_NAME or bool(set(data) & TOP_KEYS)
    if organisation and not set(data) & set(_TABLES):
        if "rules" not in data:
            return DEFAULTS
        if not isinstance(data["rules"], dict):
            raise BadRules(f"{path}: rules: expected a [rules] table")
        data, prefix = data["rules"], ("rules",)
    return _Reader(str(path), text, prefix).read(data)


def _parse(path: str | os.PathLike, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise BadRules(f"{path}: not valid TOML ({error})") from None


class _Reader:
    """Turns one file's tables into Rules; every refusal names the file, the line and the key."""

    def __init__(self, path: str, text: str, prefix: tuple[str, ...]) -> None:
        self.path, self.text, self.prefix = path, text, prefix

    def fail(self, table: tuple[str, ...], key: str | None, reason: str) -> BadRules:
        where = ".".join(_quoted(part) for part in (*self.prefix, *table))
        line = line_of(self.text, (*self.prefix, *table), key)
        place = f"{self.path}:{line}" if line else self.path
        subject = " ".join(filter(None, [f"[{where}]" if where else None, key]))
        return BadRules(f"{place}: {subject}: {reason}")

    def read(self, data: Mapping[str, Any]) -> Rules:
        known = ", ".join(f"[{t}]" for t in _TABLES if t != "default")
        for name, table in data.items():
            if not isinstance(table, dict):
                raise self.fail((), name, f"a key outside every table; the tables are {known}")
            if name not in _TABLES:
                raise self.fail((name,), None, f"unknown table; the tables are {known}")
            unknown = sorted(set(table) - set(_TABLES[name])) if name != "repos" else []
            if unknown:
                raise self.fail((name,), unknown[0], f"unknown setting; [{name}] takes {', '.join(_TABLES[name])}")
        if "default" in data and "deployments" in data:
            raise self.fail(("default",), None, "[default] is the older name of [deployments]: use one of them")
        deployments_name = "default" if "default" in data else "deployments"
        deployments = dict(data.get(deployments_name, {}))
        if "production" in deployments and "environment" in deployments:
            raise self.fail((deployments_name,), "environment", "the older name of production: set only one")
        key = "production" if "production" in deployments else "environment"
        production = self._pattern((deployments_name,), key, deployments.pop(key, defaults.PRODUCTION))
        base = DetectionRules(environment=production)
        base = self._detection(base, deployments, (deployments_name,))
        repos = {}
        for name, table in data.get("repos", {}).items():
            if not isinstance(table, dict):
                raise self.fail(("repos",), name, "must be a table of deployment settings")
            where = ("repos", name)
            if "environment" in table or "production" in table:
                key = "environment" if "environment" in table else "production"
                raise self.fail(
                    where,
                    key,
                    "production environments are one rule for every repository: set [deployments] production",
                )
            unknown = sorted(set(table) - set(_REPO_KEYS))
            if unknown:
                raise self.fail(where, unknown[0], f"unknown setting; a repository takes {', '.join(_REPO_KEYS)}")
            repos[name.lower()] = self._detection(base, table, where)
        linking = self._linking(data, production, (deployments_name,))
        allocation = self._allocation(data.get("allocation", {}))
        code_origin = self._code_origin(data.get("code_origin", {}))
        return Rules(linking, DetectionConfig(base, repos), self.path, allocation, code_origin)

    def _allocation(self, table: Mapping[str, Any]) -> AllocationRules:
        use_built_in = table.get("defaults", True)
        if not isinstance(use_built_in, bool):
            raise self.fail(("allocation",), "defaults", f"must be true or false, not {use_built_in!r}")
        rules = table.get("rules", [])
        if not isinstance(rules, list) or not all(isinstance(rule, dict) for rule in rules):
            raise self.fail(("allocation",), "rules", "must be [[allocation.rules]] tables, one per rule")
        return AllocationRules(tuple(self._allocation_rule(i, rule) for i, rule in enumerate(rules)), use_built_in)

    def _allocation_rule(self, index: int, rule: Mapping[str, Any]) -> AllocationRule:
        def fail(key: str | None, reason: str) -> BadRules:
            line = line_in_array(self.text, (*self.prefix, "allocation", "rules"), index, key)
            place = f"{self.path}:{line}" if line else self.path
            return BadRules(f"{place}: [[allocation.rules]] rule {index + 1}{' ' + key if key else ''}: {reason}")

        unknown = sorted(set(rule) - set(_ALLOCATION_RULE_KEYS))
        if unknown:
            raise fail(unknown[0], f"unknown setting; a rule takes {', '.join(_ALLOCATION_RULE_KEYS)}")
        values: dict[str, Any] = {}
        for key in PATTERN_CONDITIONS:
            if key in rule:
                pattern = rule[key]
                if not isinstance(pattern, str) or not pattern:
                    raise fail(key, f"must be a non-empty pattern, not {pattern!r}")
                error = pattern_error(pattern)
                if error:
                    raise fail(key, f"{pattern!r} is not a pattern DuckDB's RE2 can run ({error})")
                values[key] = pattern
        if "item_types" in rule:
            types = rule["item_types"]
            if not isinstance(types, list) or not types or not all(isinstance(t, str) and t for t in types):
                raise fail("item_types", f"must be a list of work item types, not {types!r}")
            values["item_types"] = tuple(t.lower() for t in types)
        for key in ("linked_incident", "linked_item"):
            if key in rule:
                if not isinstance(rule[key], bool):
                    raise fail(key, f"must be true or false, not {rule[key]!r}")
                values[key] = rule[key]
        if not any(values.values()):
            raise fail(None, f"sets no condition; a rule needs one of {', '.join(CONDITION_KINDS)}")
        category = rule.get("category")
        if values.get("linked_item"):
            if category is not None or len([v for v in values.values() if v]) > 1:
                raise fail("linked_item", "a linked_item rule takes the work item's category: set nothing else")
        elif category not in CATEGORIES:
            raise fail("category", f"must be one of {', '.join(CATEGORIES)}, not {category!r}")
        built = AllocationRule(category, **values)
        if not built.applies_to("pull_request") and not built.applies_to("work_item"):
            raise fail(None, f"mixes conditions no item has together ({', '.join(built.conditions())})")
        return built

    def _code_origin(self, table: Mapping[str, Any]) -> CodeOriginRules:
        where = ("code_origin",)
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key == "built_in":
                if not isinstance(value, bool):
                    raise self.fail(where, key, f"must be true or false, not {value!r}")
                values[key] = value
            elif key in _CODE_ORIGIN_PATTERNS:
                values[key] = tuple(self._pattern(where, key, p) for p in self._strings(where, key, value))
            else:
                values[key] = tuple(item.lower() for item in self._strings(where, key, value))
        return CodeOriginRules(**values)

    def _detection(self, base: DetectionRules, table: Mapping[str, Any], where: tuple[str, ...]) -> DetectionRules:
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key in _PATTERN_KEYS:
                values[key] = self._pattern(where, key, value)
            elif key in ("detect", "incident_labels"):
                values[key] = self._strings(where, key, value)
                bad = [rule for rule in values[key] if key == "detect" and rule not in defaults.DETECTION_RULES]
                if bad:
                    rules = ", ".join(defaults.DETECTION_RULES)
                    raise self.fail(where, key, f"unknown rule(s) {', '.join(bad)}; rules are {rules}")
            elif key == "production_branch":
                values[key] = self._string(where, key, value)
            elif key == "include_prereleases":
                if not isinstance(value, bool):
                    raise self.fail(where, key, f"must be true or false, not {value!r}")
                values[key] = value
        return replace(base, **values)

    def _linking(self, data: Mapping[str, Any], production: str, deployments: tuple[str, ...]) -> LinkingRules:
        bots = data.get("bots", {})
        logins = tuple(login.lower() for login in self._strings(("bots",), "logins", bots.get("logins", [])))
        login_patterns = tuple(
            self._pattern(("bots",), "login_patterns", p)
            for p in self._strings(("bots",), "login_patterns", bots.get("login_patterns", []))
        )
        title_patterns = tuple(
            self._pattern(("bots",), "title_patterns", p)
            for p in self._strings(("bots",), "title_patterns", bots.get("title_patterns", []))
        )
        window = data.get("incidents", {}).get("window_hours", defaults.INCIDENT_WINDOW_HOURS)
        if isinstance(window, bool) or not isinstance(window, int) or window <= 0:
            raise self.fail(("incidents",), "window_hours", f"must be a whole number of hours above 0, not {window!r}")
        mode = data.get("change_failure", {}).get("mode", defaults.CHANGE_FAILURE_MODE)
        if mode not in defaults.CHANGE_FAILURE_MODES:
            modes = " or ".join(repr(m) for m in defaults.CHANGE_FAILURE_MODES)
            raise self.fail(("change_failure",), "mode", f"must be {modes}, not {mode!r}")
        epics = data.get("hygiene", {}).get("epics_need_parent", defaults.EPICS_NEED_PARENT)
        if not isinstance(epics, bool):
            raise self.fail(("hygiene",), "epics_need_parent", f"must be true or false, not {epics!r}")
        return LinkingRules(
            production_env_regex=production,
            incident_window_hours=window,
            bot_logins=logins,
            bot_login_patterns=login_patterns,
            bot_title_patterns=title_patterns,
            cfr_mode=mode,
            epics_need_parent=epics,
        )

    def _string(self, where: tuple[str, ...], key: str, value: Any) -> str:
        if not isinstance(value, str):
            raise self.fail(where, key, f"must be a string, not {value!r}")
        return value

    def _strings(self, where: tuple[str, ...], key: str, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.fail(where, key, f"must be a list of strings, not {value!r}")
        return tuple(value)

    def _pattern(self, where: tuple[str, ...], key: str, value: Any) -> str:
        pattern = self._string(where, key, value)
        error = pattern_error(pattern)
        if error:
            raise self.fail(where, key, f"{pattern!r} is not a pattern DuckDB's RE2 can run ({error})")
        return pattern


def _quoted(part: str) -> str:
    bare = part.replace("_", "").replace("-", "").isalnum()
    return part if bare else '"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"'
