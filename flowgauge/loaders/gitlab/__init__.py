"""GitLab loader: merge requests with approvals and notes, commits, deployments, pipelines and releases (API v4)."""
