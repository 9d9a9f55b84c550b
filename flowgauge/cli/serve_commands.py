"""`flowgauge serve`: the dashboard shipped in the package, served by Streamlit over the organisation's data folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from flowgauge.access.streamlit_secrets import streamlit_sign_in_options
from flowgauge.cli.options import data_dir
from flowgauge.dashboard import APP_SCRIPT
from flowgauge.dashboard.preparing import start_preparing
from flowgauge.dashboard.serving import check_exposure, check_listenable, dashboard_settings
from flowgauge.org_config import OrgConfig, load_org_config
from flowgauge.org_config.config import DEFAULT_CONFIG
from flowgauge.rules import BadRules, Rules, load_rules
from flowgauge.rules.load import find_rules_file

console = Console(stderr=True)


def serve(
    config: Annotated[
        Path | None,
        typer.Option(help="The organisation config (docs/deploy.md); default ./flowgauge.toml when there is one."),
    ] = None,
    host: Annotated[
        str,
        typer.Option(help="Address to listen on; one other machines reach needs sign-in or --allow-anonymous."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8501,
    allow_anonymous: Annotated[
        bool,
        typer.Option(
            "--allow-anonymous",
            help="Serve an address other than loopback without sign-in (anyone who reaches it sees the data).",
        ),
    ] = False,
) -> None:
    """Start the dashboard on HOST:PORT over the config's data folder, snapshot and rules (else $FLOWGAUGE_DATA_DIR)."""
    org = _org_config(config)
    check_exposure(host, org, allow_anonymous)
    if org is not None and org.rules:
        load_rules(org.path)  # a bad [rules] table is one line now, not a stopped page later
    settings = dashboard_settings(org, data_dir())
    check_listenable(host, port)
    # The app runs in this process and reads its settings where `streamlit run app.py` users set them.
    os.environ.update(settings.environment())
    source = f"{org.path}" if org is not None else "no config"
    sign_in = org.sign_in if org is not None else None
    # Streamlit's sign-in settings live in a private temporary file for as long as the server runs.
    with streamlit_sign_in_options(sign_in, port, os.environ) as sign_in_options:
        signing_in = f", sign-in with {sign_in.provider}" if sign_in is not None else ""
        console.print(
            Text(f"Serving {settings.data_dir} ({source}{signing_in}) on http://{host}:{port}"), soft_wrap=True
        )
        # Snapshots whose facts were never cached (copied in, or an upgrade changed the cache key) are prepared now,
        # at a low priority, so the first visitor does not wait for them.
        rules = _rules_for_pages(settings.data_dir)
        if rules is not None:
            start_preparing(settings.data_dir, settings.snapshot, rules.linking)
        _run_streamlit(host, port, sign_in_options)


def _rules_for_pages(folder: Path) -> Rules | None:
    """The rules file the pages will find (flowgauge/ui/frame.py), as the facts must be prepared for them; None when
    it cannot be used (each page then says why)."""
    try:
        return load_rules(find_rules_file(None, os.environ.get("FLOWGAUGE_RULES"), [Path.cwd(), folder]))
    except BadRules:
        return None


def _org_config(config: Path | None) -> OrgConfig | None:
    if config is not None:
        return load_org_config(config)
    return load_org_config(DEFAULT_CONFIG) if DEFAULT_CONFIG.is_file() else None


def _run_streamlit(host: str, port: int, options: list[str]) -> None:
    """Streamlit's own `streamlit run` on the packaged frame: its settings come from the .streamlit/config.toml beside
    the frame, the address and the sign-in options from here."""
    from streamlit.web import cli as streamlit_cli

    streamlit_cli.main(
        ["run", str(APP_SCRIPT), "--server.address", host, "--server.port", str(port), *options],
        prog_name="flowgauge serve",
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the CLI."""
    app.command()(serve)
