"""Reading and validating `flowgauge.toml`: every problem is one line naming the file, the line and the key.

Tokens never appear in the file: a source names the environment variable that holds its token (`token_env`), and
the variable is read only when `flowgauge sync` runs.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from flowgauge.errors import FlowgaugeError
from flowgauge.org_config.lines import KeyLines
from flowgauge.org_config.sign_in import SignIn, read_sign_in

DEFAULT_CONFIG = Path("flowgauge.toml")
DEFAULT_FRESHNESS_HOURS = 26.0  # a daily sync plus two hours of slack
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# What a token looks like, to refuse one pasted where the variable's name belongs (GitHub, GitLab prefixes).
_TOKEN_SHAPE = re.compile(r"^(gh[pousr]_|github_pat_|glpat-|ATATT)")
_JIRA_PROJECT_KEY = re.compile(r"^[A-Z][A-Z0-9_]*$")


class ConfigError(FlowgaugeError):
    """The organisation config cannot be read or is not valid; the message names file and line."""


@dataclass(frozen=True)
class GitHubSource:
    """GitHub repositories (listed, or every repository of an organisation) read with the token in token_env."""

    name: str
    org: str | None
    repos: tuple[str, ...]
    token_env: str
    api_url: str
    since: date | None
    deploy_rules: Path | None
    freshness_hours: float
    kind: str = "github"
    app_id: str | None = None  # sign in as this GitHub App (its key from the variables below) instead of token_env
    installation_id: int | None = None  # default: found by org, else by the first repository
    private_key_path_env: str = "GITHUB_APP_PRIVATE_KEY_PATH"
    private_key_env: str = "GITHUB_APP_PRIVATE_KEY"


@dataclass(frozen=True)
class GitLabSource:
    """GitLab projects, listed or every project of a group and its subgroups, read with the token in token_env."""

    name: str
    projects: tuple[str, ...]
    groups: tuple[str, ...]
    token_env: str
    api_url: str
    since: date | None
    deploy_rules: Path | None
    freshness_hours: float
    kind: str = "gitlab"


@dataclass(frozen=True)
class GitSource:
    """Local clones; tags matching deploy_tags are production deployments."""

    name: str
    paths: tuple[Path, ...]
    deploy_tags: str
    since: date | None
    line_age: bool
    freshness_hours: float
    kind: str = "git"


@dataclass(frozen=True)
class FilesSource:
    """A folder of exported files (or one file, such as the team map) imported with their kind detected or given."""

    name: str
    folder: Path
    import_kind: str
    date_order: str | None
    freshness_hours: float
    kind: str = "files"


@dataclass(frozen=True)
class JiraSource:
    """Jira boards, projects or a JQL query; credentials from the variables named (Cloud: e-mail and API token)."""

    name: str
    site: str
    boards: tuple[int, ...]
    projects: tuple[str, ...]
    jql: str | None
    email_env: str
    api_token_env: str
    pat_env: str
    since: date | None
    freshness_hours: float
    kind: str = "jira"


Source = GitHubSource | GitLabSource | JiraSource | GitSource | FilesSource
# The order sources run in, and the order of their tables in messages.
SOURCE_KINDS = ("github", "gitlab", "jira", "git", "files")


@dataclass(frozen=True)
class OrgConfig:
    """One organisation: its snapshot, its sources in sync order, its rules and default benchmark set."""

    path: Path
    data_folder: Path
    snapshot_name: str
    sources: tuple[Source, ...]
    team_map: Path | None = None
    benchmarks: str | None = None
    rules: dict[str, Any] = field(default_factory=dict)  # the [rules] table as written, for the rules file's reader
    sign_in: SignIn | None = None  # None: no sign-in (a laptop on loopback)

    @property
    def sign_in_configured(self) -> bool:
        """Whether the dashboard asks visitors to sign in: `flowgauge serve` refuses other addresses than loopback
        without it."""
        return self.sign_in is not None

    @property
    def snapshot(self) -> Path:
        """The organisation's snapshot file."""
        return self.data_folder / self.snapshot_name


TOP_KEYS = {"data_folder", "snapshot", "team_map", "benchmarks", "freshness", "rules", "sign_in", *SOURCE_KINDS}
_SOURCE_KEYS = {
    "github": {"name", "org", "repos", "token_env", "api_url", "since", "deploy_rules", "freshness_hours", "app_id"}
    | {"installation_id", "private_key_path_env", "private_key_env"},
    "gitlab": {"name", "projects", "groups", "token_env", "api_url", "since", "deploy_rules", "freshness_hours"},
    "jira": {"name", "site", "boards", "projects", "jql", "email_env", "api_token_env", "token_env", "since"}
    | {"freshness_hours"},
    "git": {"name", "paths", "deploy_tags", "since", "line_age", "freshness_hours"},
    "files": {"name", "folder", "kind", "date_order", "freshness_hours"},
}


def load_org_config(path: Path = DEFAULT_CONFIG) -> OrgConfig:
    """Read and validate an organisation config; relative paths in it are relative to its folder."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file (see docs/deploy.md for an example)") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read ({error})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(_syntax_message(path, str(error))) from None
    return _Reader(path, KeyLines(text)).config(data)


def _syntax_message(path: Path, message: str) -> str:
    located = re.search(r"\(at line (\d+), column (\d+)\)$", message)
    if located:
        reason = message[: located.start()].strip()
        return f"{path}:{located.group(1)}: not valid TOML: {reason} (column {located.group(2)})"
    return f"{path}: not valid TOML: {message}"


class _Reader:
    """Validates one parsed config, turning each problem into 'file:line: key: what is wrong'."""

    def __init__(self, path: Path, lines: KeyLines) -> None:
        self.path = path
        self.lines = lines
        self.base = path.resolve().parent

    def fail(self, where: tuple, message: str) -> ConfigError:
        line = self.lines.line(where)
        label = ".".join(f"{part}" if isinstance(part, str) else f"[{part + 1}]" for part in where)
        label = label.replace(".[", "[")
        prefix = f"{self.path}:{line}" if line else f"{self.path}"
        return ConfigError(f"{prefix}: {label}: {message}" if label else f"{prefix}: {message}")

    def config(self, data: dict[str, Any]) -> OrgConfig:
        self.unknown((), data, TOP_KEYS)
        freshness = data.get("freshness", {})
        self.expect_table(("freshness",), freshness)
        self.unknown(("freshness",), freshness, {"default_hours"})
        default_hours = self.hours(("freshness", "default_hours"), freshness.get("default_hours"), None)
        sources: list[Source] = []
        for kind in SOURCE_KINDS:
            entries = data.get(kind, [])
            if not isinstance(entries, list):
                raise self.fail((kind,), f"write each {kind} source as a [[{kind}]] table")
            for index, entry in enumerate(entries):
                where = (kind, index)
                self.expect_table(where, entry)
                self.unknown(where, entry, _SOURCE_KEYS[kind])
                sources.append(getattr(self, f"_{kind}")(where, entry, default_hours))
        team_map = self.optional_path(("team_map",), data.get("team_map"))
        if team_map is not None:
            sources.append(FilesSource("team map", team_map, "team_map", None, default_hours))
        names = {}
        for source, where in zip(sources, self._source_places(data), strict=False):
            if source.name in names:
                raise self.fail((*where, "name"), f"{source.name!r} names two sources; give each its own name")
            names[source.name] = where
        if not sources:
            raise self.fail((), "no sources: add a [[github]], [[gitlab]], [[jira]], [[git]] or [[files]] table")
        rules = data.get("rules", {})
        self.expect_table(("rules",), rules)
        data_folder = self.resolve(self.string(("data_folder",), data.get("data_folder", "data")))
        return OrgConfig(
            path=self.path,
            data_folder=data_folder,
            snapshot_name=self.snapshot_name(data.get("snapshot", "flowgauge.duckdb")),
            sources=tuple(sources),
            team_map=team_map,
            benchmarks=self.benchmark_set(data.get("benchmarks"), data_folder),
            rules=dict(rules),
            sign_in=read_sign_in(self, data.get("sign_in")),
        )

    @staticmethod
    def _source_places(data: dict[str, Any]) -> list[tuple]:
        places = [(kind, i) for kind in SOURCE_KINDS for i in range(len(data.get(kind, [])))]
        return places + [("team_map",)] if "team_map" in data else places

    # ---- one reader per source kind -----------------------------------------------------------
    def _github(self, where: tuple, entry: dict[str, Any], default_hours: float) -> GitHubSource:
        org = self.optional_string((*where, "org"), entry.get("org"))
        repos = self.strings((*where, "repos"), entry.get("repos", []))
        if bool(org) == bool(repos):
            raise self.fail(where, 'give either org = "ORG" or repos = ["OWNER/REPO", ...]')
        for repo in repos:
            if repo.count("/") != 1 or "" in repo.split("/"):
                raise self.fail((*where, "repos"), f"{repo!r}: expected OWNER/REPO")
        return GitHubSource(
            name=self.name(where, entry, f"github:{org or ','.join(sorted({r.split('/')[0] for r in repos}))}"),
            org=org,
            repos=tuple(repos),
            token_env=self.token_env(where, entry, "GITHUB_TOKEN"),
            api_url=self.url((*where, "api_url"), entry.get("api_url", "https://api.github.com")),
            since=self.day((*where, "since"), entry.get("since")),
            deploy_rules=self.optional_path((*where, "deploy_rules"), entry.get("deploy_rules")),
            freshness_hours=self.hours((*where, "freshness_hours"), entry.get("freshness_hours"), default_hours),
            **self._github_app(where, entry),
        )

    def _github_app(self, where: tuple, entry: dict[str, Any]) -> dict[str, Any]:
        """The GitHub App keys: app_id (a number), an optional installation_id, and the key's variable names."""
        app_keys = {"installation_id", "private_key_path_env", "private_key_env"} & set(entry)
        if "app_id" not in entry:
            if app_keys:
                raise self.fail((*where, sorted(app_keys)[0]), "needs app_id, the GitHub App's id")
            return {}
        if "token_env" in entry:
            raise self.fail((*where, "token_env"), "a source signs in with token_env or as a GitHub App (app_id)")
        app_id, installation = entry["app_id"], entry.get("installation_id")
        if isinstance(app_id, bool) or not isinstance(app_id, int | str) or not str(app_id).strip().isalnum():
            raise self.fail((*where, "app_id"), "expected the GitHub App's id, a number such as 123456")
        if installation is not None and (isinstance(installation, bool) or not isinstance(installation, int)):
            raise self.fail((*where, "installation_id"), "expected the installation's id, a number")
        return {
            "app_id": str(app_id),
            "installation_id": installation,
            "private_key_path_env": self.env_name(where, entry, "private_key_path_env", "GITHUB_APP_PRIVATE_KEY_PATH"),
            "private_key_env": self.env_name(where, entry, "private_key_env", "GITHUB_APP_PRIVATE_KEY"),
        }

    def _gitlab(self, where: tuple, entry: dict[str, Any], default_hours: float) -> GitLabSource:
        projects = self.strings((*where, "projects"), entry.get("projects", []))
        groups = self.strings((*where, "groups"), entry.get("groups", []))
        if not projects and not groups:
            raise self.fail(where, 'give projects = ["GROUP/PROJECT", ...] or groups = ["GROUP", ...]')
        for key, paths in (("projects", projects), ("groups", groups)):
            for path in paths:
                if path.startswith("/") or path.endswith("/") or "//" in path:
                    raise self.fail((*where, key), f"{path!r}: expected a path like acme/platform")
        return GitLabSource(
            name=self.name(where, entry, f"gitlab:{','.join(sorted({p.split('/')[0] for p in projects + groups}))}"),
            projects=tuple(projects),
            groups=tuple(groups),
            token_env=self.token_env(where, entry, "GITLAB_TOKEN"),
            api_url=self.url((*where, "api_url"), entry.get("api_url", "https://gitlab.com/api/v4")),
            since=self.day((*where, "since"), entry.get("since")),
            deploy_rules=self.optional_path((*where, "deploy_rules"), entry.get("deploy_rules")),
            freshness_hours=self.hours((*where, "freshness_hours"), entry.get("freshness_hours"), default_hours),
        )

    def _jira(self, where: tuple, entry: dict[str, Any], default_hours: float) -> JiraSource:
        site = self.url((*where, "site"), entry.get("site")) if "site" in entry else None
        if site is None:
            raise self.fail(where, 'give site = "https://ACME.atlassian.net" (or the Data Center address)')
        boards = entry.get("boards", [])
        if not isinstance(boards, list) or not all(isinstance(b, int) and not isinstance(b, bool) for b in boards):
            raise self.fail((*where, "boards"), "expected a list of board ids (numbers)")
        projects = self.strings((*where, "projects"), entry.get("projects", []))
        for key in projects:
            if not _JIRA_PROJECT_KEY.match(key):
                raise self.fail((*where, "projects"), f"{key!r}: a project key is upper-case letters and digits")
        jql = self.optional_string((*where, "jql"), entry.get("jql"))
        if not (boards or projects or jql):
            raise self.fail(where, 'give boards = [ID, ...], projects = ["KEY", ...] or jql = "..."')
        return JiraSource(
            name=self.name(where, entry, f"jira:{site.split('/')[2]}"),
            site=site,
            boards=tuple(boards),
            projects=tuple(projects),
            jql=jql,
            email_env=self.env_name(where, entry, "email_env", "JIRA_EMAIL"),
            api_token_env=self.env_name(where, entry, "api_token_env", "JIRA_API_TOKEN"),
            pat_env=self.env_name(where, entry, "token_env", "JIRA_TOKEN"),
            since=self.day((*where, "since"), entry.get("since")),
            freshness_hours=self.hours((*where, "freshness_hours"), entry.get("freshness_hours"), default_hours),
        )

    def _git(self, where: tuple, entry: dict[str, Any], default_hours: float) -> GitSource:
        from flowgauge.loaders.git.tags import DEFAULT_DEPLOY_TAGS

        paths = self.strings((*where, "paths"), entry.get("paths", []))
        if not paths:
            raise self.fail(where, 'give paths = ["path/to/clone", ...]')
        deploy_tags = self.string((*where, "deploy_tags"), entry.get("deploy_tags", DEFAULT_DEPLOY_TAGS))
        try:
            re.compile(deploy_tags)
        except re.error as error:
            raise self.fail((*where, "deploy_tags"), f"{deploy_tags!r} is not a regular expression ({error})") from None
        line_age = entry.get("line_age", True)
        if not isinstance(line_age, bool):
            raise self.fail((*where, "line_age"), "expected true or false")
        return GitSource(
            name=self.name(where, entry, "git:" + ",".join(Path(p).name for p in paths)),
            paths=tuple(self.resolve(p) for p in paths),
            deploy_tags=deploy_tags,
            since=self.day((*where, "since"), entry.get("since")),
            line_age=line_age,
            freshness_hours=self.hours((*where, "freshness_hours"), entry.get("freshness_hours"), default_hours),
        )

    def _files(self, where: tuple, entry: dict[str, Any], default_hours: float) -> FilesSource:
        from flowgauge.loaders.imports import DATE_ORDERS, KINDS

        folder = self.optional_path((*where, "folder"), entry.get("folder"))
        if folder is None:
            raise self.fail(where, 'give folder = "path/to/exports"')
        kind = self.string((*where, "kind"), entry.get("kind", "auto"))
        if kind != "auto" and kind not in KINDS:
            raise self.fail((*where, "kind"), f"{kind!r}: choose auto or one of {', '.join(KINDS)}")
        date_order = self.optional_string((*where, "date_order"), entry.get("date_order"))
        if date_order is not None and date_order not in DATE_ORDERS:
            raise self.fail((*where, "date_order"), f"{date_order!r}: choose {' or '.join(DATE_ORDERS)}")
        return FilesSource(
            name=self.name(where, entry, f"files:{folder.name}"),
            folder=folder,
            import_kind=kind,
            date_order=date_order,
            freshness_hours=self.hours((*where, "freshness_hours"), entry.get("freshness_hours"), default_hours),
        )

    # ---- values -------------------------------------------------------------------------------
    def unknown(self, where: tuple, table: dict[str, Any], allowed: set[str]) -> None:
        if "token" in table and where:
            raise self.fail((*where, "token"), "tokens never go in the file: set token_env to the variable's NAME")
        for key in table:
            if key not in allowed:
                raise self.fail((*where, key), f"unknown key; expected one of {', '.join(sorted(allowed))}")

    def expect_table(self, where: tuple, value: Any) -> None:
        if not isinstance(value, dict):
            raise self.fail(where, "expected a table")

    def name(self, where: tuple, entry: dict[str, Any], default: str) -> str:
        return self.string((*where, "name"), entry.get("name", default))

    def token_env(self, where: tuple, entry: dict[str, Any], default: str) -> str:
        return self.env_name(where, entry, "token_env", default)

    def env_name(self, where: tuple, entry: dict[str, Any], key: str, default: str) -> str:
        value = self.string((*where, key), entry.get(key, default))
        if _TOKEN_SHAPE.match(value) or not _ENV_NAME.match(value):
            # The value is not repeated: it may be the token itself.
            raise self.fail(
                (*where, key),
                "must be the NAME of the environment variable holding the secret (letters, digits, _), not the secret",
            )
        return value

    def string(self, where: tuple, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, "expected a non-empty string")
        return value

    def optional_string(self, where: tuple, value: Any) -> str | None:
        return None if value is None else self.string(where, value)

    def strings(self, where: tuple, value: Any) -> list[str]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(where, "expected a list of strings")
        return value

    def url(self, where: tuple, value: Any) -> str:
        text = self.string(where, value)
        if not text.startswith(("https://", "http://")):
            raise self.fail(where, f"{text!r} is not an http(s) URL")
        if "@" in text.split("/")[2]:
            raise self.fail(where, "credentials never go in the URL: set token_env instead")
        return text.rstrip("/")

    def day(self, where: tuple, value: Any) -> date | None:
        if value is None or isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise self.fail(where, f"{value!r} is not a date in the form YYYY-MM-DD")

    def hours(self, where: tuple, value: Any, default: float | None) -> float:
        if value is None:
            return default if default is not None else DEFAULT_FRESHNESS_HOURS
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self.fail(where, f"{value!r}: expected a positive number of hours")
        return float(value)

    def resolve(self, text: str) -> Path:
        path = Path(text).expanduser()
        return path if path.is_absolute() else self.base / path

    def optional_path(self, where: tuple, value: Any) -> Path | None:
        return None if value is None else self.resolve(self.string(where, value))

    def benchmark_set(self, value: Any, data_folder: Path) -> str | None:
        """A shipped set's id, or one of the user's own in the data folder's benchmarks/ (read only when needed)."""
        from flowgauge.metrics.benchmark_sets import BenchmarkFileError, load_benchmark_sets, user_sets_folder

        name = self.optional_string(("benchmarks",), value)
        known = load_benchmark_sets()
        if name is None or name in known:
            return name
        folder = user_sets_folder(data_folder)
        try:
            known = load_benchmark_sets(folder)
        except BenchmarkFileError as error:
            raise self.fail(("benchmarks",), f"{name!r} could not be looked up: {error}") from None
        if name not in known:
            raise self.fail(
                ("benchmarks",),
                f"{name!r} is not a benchmark set; choose one of {', '.join(known)} (your own sets are read "
                f"from {folder})",
            )
        return name

    def snapshot_name(self, value: Any) -> str:
        name = self.string(("snapshot",), value)
        if "/" in name or "\\" in name or name.startswith("."):
            raise self.fail(("snapshot",), f"{name!r}: a file name inside data_folder, not a path")
        return name
