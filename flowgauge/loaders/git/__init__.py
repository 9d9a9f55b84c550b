"""The local git clone loader: `flowgauge snapshot git PATH...` reads history with streamed `git log` calls."""

from flowgauge.loaders.git.loader import GitLoadResult, load_git_repos, save_git_repo

__all__ = ["GitLoadResult", "load_git_repos", "save_git_repo"]
