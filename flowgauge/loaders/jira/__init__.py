"""Jira loader: issues with changelogs, boards and sprints from Jira Cloud or Data Center, over the REST APIs."""
