"""What `flowgauge serve` decides before Streamlit starts: whether an address may be served, and the app's settings."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from pathlib import Path

from flowgauge.errors import BadOption, FlowgaugeError
from flowgauge.org_config import OrgConfig

SNAPSHOT_SUFFIX = ".duckdb"  # the dashboard lists the data folder's *.duckdb files


class Unprotected(BadOption):
    """An address other than loopback would be served without sign-in: a usage error, exit status 2."""


def is_loopback(host: str) -> bool:
    """True for addresses only this machine reaches: localhost, 127.0.0.0/8, ::1."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost resolves to an address others may reach


def check_exposure(host: str, org: OrgConfig | None, allow_anonymous: bool) -> None:
    """Refuse to serve an address others reach unless sign-in is configured or anonymity was asked for."""
    if is_loopback(host) or allow_anonymous or (org is not None and org.sign_in_configured):
        return
    where = f"{org.path}" if org is not None else "flowgauge.toml (--config)"
    raise Unprotected(
        f"refusing to serve {host} without sign-in: anyone who reaches it would see the data; configure [sign_in] "
        f"in {where} (docs/deploy.md) or pass --allow-anonymous"
    )


def check_listenable(host: str, port: int) -> None:
    """Refuse in one line an address this machine cannot listen on (unknown name, not its own, port taken), which
    Streamlit would report with a traceback; the probe is closed before Streamlit binds it."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server itself binds
            probe.bind(address)
    except OSError as error:
        reason = error.strerror or str(error)
        raise FlowgaugeError(f"cannot listen on {host} port {port}: {reason}") from None


@dataclass(frozen=True)
class DashboardSettings:
    """The environment the packaged app reads: its data folder, its rules file, the snapshot it opens first and the
    organisation config (whose [sign_in] it enforces)."""

    data_dir: Path
    rules_file: Path | None
    snapshot: str | None
    config: Path | None = None

    def environment(self) -> dict[str, str]:
        """As FLOWGAUGE_* variables, the form flowgauge/dashboard/app.py reads them in."""
        env = {"FLOWGAUGE_DATA_DIR": str(self.data_dir)}
        if self.rules_file is not None:
            env["FLOWGAUGE_RULES"] = str(self.rules_file)
        if self.snapshot is not None:
            env["FLOWGAUGE_SNAPSHOT"] = self.snapshot
        if self.config is not None:
            env["FLOWGAUGE_CONFIG"] = str(self.config)
        return env


def dashboard_settings(org: OrgConfig | None, data_dir: Path) -> DashboardSettings:
    """The organisation's data folder, [rules], benchmark set and snapshot; without a config, data_dir and the rules
    found there."""
    if org is None:
        return DashboardSettings(data_dir.resolve(), None, None)
    if not org.snapshot_name.endswith(SNAPSHOT_SUFFIX):
        raise FlowgaugeError(
            f"{org.path}: snapshot: {org.snapshot_name!r}: the dashboard lists only *{SNAPSHOT_SUFFIX} files; "
            f"name it {Path(org.snapshot_name).stem}{SNAPSHOT_SUFFIX}"
        )
    return DashboardSettings(
        org.data_folder.resolve(),
        # The dashboard reads [rules] and the default benchmark set from the file named here.
        org.path.resolve() if org.rules or org.benchmarks else None,
        org.snapshot_name.removesuffix(SNAPSHOT_SUFFIX),
        org.path.resolve(),
    )
