"""Builds real git repositories in a test's tmp_path, with fixed names, e-mails and dates."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


class RepoBuilder:
    """A git repository under construction; every commit gets the author and dates it is given."""

    def __init__(self, path: Path, branch: str = "main") -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", branch)

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        base = {
            **os.environ,
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Test",
            "GIT_AUTHOR_EMAIL": "test@example.com",
            "GIT_COMMITTER_NAME": "Test",
            "GIT_COMMITTER_EMAIL": "test@example.com",
        }
        done = subprocess.run(
            ["git", "-C", str(self.path), *args], env={**base, **(env or {})}, capture_output=True, check=True
        )
        return done.stdout.decode().strip()

    def write(self, name: str, lines: list[str]) -> None:
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("".join(f"{line}\n" for line in lines))

    def edit(self, name: str, line_number: int, text: str) -> None:
        lines = (self.path / name).read_text().splitlines()
        lines[line_number - 1] = text
        self.write(name, lines)

    def commit(self, files: list[str], message: str, author: str, when: str, committed: str | None = None) -> str:
        """Commit the named files as 'Name <email>' at a 'YYYY-MM-DD HH:MM:SS +ZZZZ' time; returns the sha."""
        self.git("add", "-A", "--", *files)
        self.git("commit", "-q", "--allow-empty", "-m", message, env=_identity(author, when, committed))
        return self.head()

    def merge(self, branch: str, message: str, author: str, when: str) -> str:
        self.git("merge", "-q", "--no-ff", "-m", message, branch, env=_identity(author, when, None))
        return self.head()

    def tag(self, name: str, sha: str, when: str | None = None) -> None:
        """A lightweight tag, or an annotated one (tagged at `when`) when a time is given."""
        if when is None:
            self.git("tag", name, sha)
        else:
            self.git("tag", "-a", "-m", name, name, sha, env=_identity("Releaser <rel@acme.com>", when, None))

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")


def _identity(author: str, when: str, committed: str | None) -> dict[str, str]:
    name, _, email = author.partition(" <")
    return {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email.rstrip(">"),
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email.rstrip(">"),
        "GIT_COMMITTER_DATE": committed or when,
    }
