"""A local clone as Flowgauge sees it: validated path, identity from its remote, and the git subprocess."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from flowgauge.errors import LoaderError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: pipes keep their default size
    fcntl = None


class NotAGitRepository(LoaderError):
    """The path is not a folder, or not a git repository git is willing to read."""


class GitFailed(LoaderError):
    """A git command over a valid repository failed or stopped part-way."""


# Pin every setting that changes the text git prints, whatever the user's or the system's config says.
_GIT_CONFIG = (
    "core.quotePath=true",
    "color.ui=never",
    "diff.noprefix=false",
    "diff.mnemonicPrefix=false",
    "diff.relative=false",
    "log.showSignature=false",
    "i18n.logOutputEncoding=UTF-8",
)
_SCP_LIKE = re.compile(r"^(?:[^@/:]+@)?(?P<host>[^/:]+):(?P<path>[^/].*)$")


@dataclass(frozen=True)
class GitRepository:
    """One local clone: where it is, what Flowgauge calls it, and the commit HEAD points at (None when empty)."""

    path: Path
    repo_id: str
    name: str
    url: str | None
    default_branch: str | None
    head_sha: str | None


def git_command(path: Path, args: Sequence[str]) -> list[str]:
    """The argv for one git call on the repository at path, with output-shaping config pinned."""
    argv = ["git", "-C", str(path)]
    for setting in _GIT_CONFIG:
        argv += ["-c", setting]
    return argv + list(args)


def _git_env() -> dict[str, str]:
    # Untranslated messages (we match some), and never an interactive prompt or pager.
    return {**os.environ, "LC_ALL": "C", "LANGUAGE": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat"}


def run_git(path: Path, args: Sequence[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a short git command and return its decoded output; GitFailed (with git's message) on failure."""
    done = subprocess.run(
        git_command(path, args),
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=_git_env(),
        check=False,
    )
    if check and done.returncode != 0:
        raise GitFailed(f"{path}: git {args[0]} failed: {_first_line(done.stderr)}")
    return done


@contextlib.contextmanager
def stream_git(path: Path, args: Sequence[str]) -> Iterator[IO[bytes]]:
    """Yield the stdout of a long git command as a byte stream; GitFailed if git exits with an error."""
    process = subprocess.Popen(
        git_command(path, args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_git_env(),
        bufsize=1 << 20,
    )
    _widen_pipe(process.stdout)
    finished = False
    try:
        yield process.stdout
        finished = True
    finally:
        if not finished:
            process.kill()
        process.stdout.close()
        stderr = process.stderr.read().decode("utf-8", "replace")
        process.stderr.close()
        code = process.wait()
    if code != 0:
        raise GitFailed(f"{path}: git {args[0]} failed: {_first_line(stderr)}")


def _widen_pipe(stream: IO[bytes]) -> None:
    # A 1 MB pipe (Linux) lets git run ahead while Python parses, instead of stalling every 64 KB.
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl else None
    if set_size is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(stream.fileno(), set_size, 1 << 20)


def open_repository(path: str | os.PathLike) -> GitRepository:
    """Validate a clone path and describe it; NotAGitRepository with one clear line when it is not one."""
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise NotAGitRepository(f"{path}: not a folder")
    folder = folder.resolve()
    probe = run_git(folder, ["rev-parse", "--git-dir"], check=False)
    if probe.returncode != 0:
        if "dubious ownership" in probe.stderr:
            raise NotAGitRepository(
                f"{path}: git refuses to read a repository owned by another user "
                f"(see `git config --global --add safe.directory {folder}`)"
            )
        raise NotAGitRepository(f"{path}: not a git repository")
    head = run_git(folder, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], check=False)
    branch = run_git(folder, ["symbolic-ref", "--quiet", "--short", "HEAD"], check=False)
    remote = run_git(folder, ["config", "--get", "remote.origin.url"], check=False)
    repo_id, url = remote_identity(remote.stdout.strip()) if remote.returncode == 0 else (None, None)
    repo_id = repo_id or _folder_name(folder)
    return GitRepository(
        path=folder,
        repo_id=repo_id,
        name=repo_id.rsplit("/", 1)[-1],
        url=url,
        default_branch=branch.stdout.strip() if branch.returncode == 0 else None,
        head_sha=head.stdout.strip() if head.returncode == 0 and head.stdout.strip() else None,
    )


def remote_identity(remote_url: str) -> tuple[str | None, str | None]:
    """('owner/name', https web URL) for a hosted remote URL; (None, None) for local paths.

    Credentials embedded in the URL (https://user:token@host/...) and ssh ports never reach the result.
    """
    if not remote_url:
        return None, None
    if "://" in remote_url:
        parts = urlsplit(remote_url)
        if parts.scheme == "file" or not parts.hostname:
            return None, None
        host = parts.hostname
        # An https port is part of the web address; an ssh or git-protocol port is not.
        if parts.scheme in ("http", "https") and parts.port:
            host = f"{host}:{parts.port}"
        repo_path = parts.path
    else:
        scp = _SCP_LIKE.match(remote_url)
        if not scp or remote_url.startswith(("/", ".", "~")):
            return None, None
        host, repo_path = scp["host"], scp["path"]
    repo_path = repo_path.strip("/").removesuffix(".git").strip("/")
    if not repo_path:
        return None, None
    return repo_path, f"https://{host}/{repo_path}"


def _folder_name(folder: Path) -> str:
    name = folder.name
    # A bare clone is usually 'name.git'; a working tree's .git folder is named by its parent.
    if name == ".git":
        name = folder.parent.name
    return name.removesuffix(".git") or name


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else "no message"
