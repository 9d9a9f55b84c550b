"""The `[auth]` secrets Streamlit's own sign-in (`st.login`) reads, written from `[sign_in]` and the environment.

Streamlit reads its provider settings from a secrets file. `flowgauge serve` writes one into a private temporary
folder (readable by its own user only), points Streamlit at it with `--secrets.files`, and removes it on exit; the
secrets come from the environment variables `[sign_in]` names and are never printed. A serve process killed outright
(SIGKILL, a power cut) cannot remove its folder, so the folder is named after its process and the next serve removes
the folders of processes that no longer run.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from flowgauge.errors import FlowgaugeError
from flowgauge.org_config.sign_in import SignIn, is_loopback_host

MIN_COOKIE_SECRET_CHARS = 32  # Streamlit signs cookies with it; shorter keys are guessable
FOLDER_PREFIX = "flowgauge-sign-in-"


class SignInNotReady(FlowgaugeError):
    """A secret that [sign_in] names is missing from the environment, or too short, or public_url is not served."""


def check_public_url(sign_in: SignIn, port: int) -> None:
    """Refuse a loopback public_url on another port than the one served: the provider would send people back to it.
    (Behind a proxy, public_url's host is not loopback and its port is the proxy's.)"""
    parts = urlsplit(sign_in.public_url)
    served = parts.port or (443 if parts.scheme == "https" else 80)
    if is_loopback_host(parts.hostname or "") and served != port:
        raise SignInNotReady(
            f"[sign_in] public_url {sign_in.public_url} is port {served}, but the dashboard is served on port {port}: "
            "the provider would send people back where nothing answers"
        )


def auth_section(sign_in: SignIn, environ: Mapping[str, str]) -> dict[str, object]:
    """Streamlit's [auth] settings for this provider, with the secrets read from the variables sign_in names."""
    client_secret = environ.get(sign_in.client_secret_env, "")
    if not client_secret.strip():
        raise SignInNotReady(
            f"${sign_in.client_secret_env} is not set: sign-in needs the client secret the provider gave for "
            f"client {sign_in.client_id!r} ([sign_in] client_secret_env)"
        )
    cookie_secret = environ.get(sign_in.cookie_secret_env, "")
    if len(cookie_secret.strip()) < MIN_COOKIE_SECRET_CHARS:
        state = "is not set" if not cookie_secret.strip() else "is too short"
        raise SignInNotReady(
            f"${sign_in.cookie_secret_env} {state}: it signs sign-in cookies and needs {MIN_COOKIE_SECRET_CHARS}+ "
            "random characters, the same for every serve process "
            "(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    return {
        "redirect_uri": sign_in.redirect_uri,
        "cookie_secret": cookie_secret.strip(),
        "client_id": sign_in.client_id,
        "client_secret": client_secret.strip(),
        "server_metadata_url": sign_in.provider,
        "client_kwargs": {"scope": "openid email profile", "prompt": sign_in.prompt},
    }


def secrets_toml(section: Mapping[str, object]) -> str:
    """The [auth] section as TOML text (strings and one level of inline tables: all Streamlit's [auth] holds)."""
    lines = ["[auth]"]
    for key, value in section.items():
        if isinstance(value, Mapping):
            inner = ", ".join(f"{name} = {_string(item)}" for name, item in value.items())
            lines.append(f"{key} = {{ {inner} }}")
        else:
            lines.append(f"{key} = {_string(value)}")
    return "\n".join(lines) + "\n"


def _string(value: object) -> str:
    # A JSON string without \u escapes of non-ASCII text is a TOML basic string (same quote, backslash and control
    # escapes); ensure_ascii=False keeps characters outside the BMP whole, as TOML has no surrogate escapes.
    return json.dumps(str(value), ensure_ascii=False)


@contextmanager
def streamlit_secrets_file(sign_in: SignIn, environ: Mapping[str, str]) -> Iterator[Path]:
    """A secrets.toml with Streamlit's [auth] settings, readable by this user only, removed when the block ends."""
    text = secrets_toml(auth_section(sign_in, environ))  # refuses before anything is written
    remove_orphaned_secrets()
    folder = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-"))  # mode 0700
    try:
        path = folder / "secrets.toml"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def remove_orphaned_secrets() -> list[Path]:
    """Remove this user's secrets folders whose serve process no longer runs; returns those removed.

    A folder whose process still runs (another serve of the same user) is kept, as is one whose name carries no
    process id or belongs to another user: only what this module wrote, and nobody still reads, goes.
    """
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*"):
        pid = folder.name.removeprefix(FOLDER_PREFIX).partition("-")[0]
        try:
            mine = folder.is_dir() and not folder.is_symlink() and folder.stat().st_uid == os.getuid()
        except OSError:
            continue
        if mine and pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0 checks the process exists without touching it
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, as another user's process
        return True
    return True


@contextmanager
def streamlit_sign_in_options(sign_in: SignIn | None, port: int, environ: Mapping[str, str]) -> Iterator[list[str]]:
    """The `streamlit run` options that turn on Streamlit's sign-in for [sign_in] (none without it), valid while the
    block runs: the secrets file's path, never the secrets."""
    if sign_in is None:
        yield []
        return
    check_public_url(sign_in, port)
    with streamlit_secrets_file(sign_in, environ) as path:
        yield ["--secrets.files", str(path)]
