"""The organisation config, `flowgauge.toml`: where the snapshot lives and which sources `flowgauge sync` loads."""

from flowgauge.org_config.config import (
    ConfigError,
    FilesSource,
    GitHubSource,
    GitLabSource,
    GitSource,
    JiraSource,
    OrgConfig,
    load_org_config,
)
from flowgauge.org_config.sign_in import SignIn

__all__ = [
    "ConfigError",
    "FilesSource",
    "GitHubSource",
    "GitLabSource",
    "JiraSource",
    "GitSource",
    "OrgConfig",
    "SignIn",
    "load_org_config",
]
