"""A plan before a long GitHub load: the pull requests to fetch, counted cheaply, and the GraphQL points and hours of
the token's quota that fetching them will take."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from flowgauge.loaders.github.graphql_pulls import (
    NESTED_COMMITS,
    NESTED_REVIEWS,
    PAGE_SIZE,
    load_query,
)
from flowgauge.loaders.github.graphql_pulls import QUERY_FILE as PULLS_QUERY_FILE
from flowgauge.loaders.http.errors import Forbidden, GraphQLErrors, NotFound
from flowgauge.loaders.http.session import ApiSession

# Repositories counted per request: each count is one connection, so 50 of them cost 1 point.
COUNT_BATCH = 50


@dataclass(frozen=True)
class RepoPlan:
    """One repository's pull requests to fetch (None when the token cannot see it), and since when."""

    repo_id: str
    prs: int | None
    since: str | None


@dataclass(frozen=True)
class LoadPlan:
    """What a load will fetch and what it will cost, at the token's limit when the plan was made."""

    repos: list[RepoPlan]
    page_points: int  # what GitHub charges for one page of PRs, from rateLimit(dryRun: true)
    limit: int | None
    remaining: int | None
    reset_at: str | None
    points_spent: int  # what making the plan cost

    @property
    def prs(self) -> int:
        """Pull requests to fetch, over the repositories the token can see."""
        return sum(r.prs or 0 for r in self.repos)

    @property
    def pages(self) -> int:
        """Pages of pull requests: a repository always asks at least one."""
        return sum(max(1, math.ceil((r.prs or 0) / PAGE_SIZE)) for r in self.repos if r.prs is not None)

    @property
    def points_range(self) -> tuple[int, int]:
        """Fewest and most points the load should spend: every page at its dry-run cost, and one page of tags per
        repository; at most one more point a page and a repository for the comment counts of reviews, which only the
        pages themselves tell."""
        visible = sum(1 for r in self.repos if r.prs is not None)
        low = self.pages * self.page_points + visible
        return low, low + self.pages + visible

    @property
    def points(self) -> int:
        """The estimate: the middle of the range."""
        low, high = self.points_range
        return round((low + high) / 2)

    @property
    def hours(self) -> float | None:
        """Hours of the token's quota the estimate takes (None when the limit is unknown)."""
        return self.points / self.limit if self.limit else None

    def lines(self) -> list[str]:
        """The plan as it is printed: what will be fetched, the points, the hours, and what could not be counted."""
        visible = [r for r in self.repos if r.prs is not None]
        hidden = [r.repo_id for r in self.repos if r.prs is None]
        low, high = self.points_range
        since = sorted({r.since for r in visible if r.since})
        window = f" updated since {since[0]}" if len(since) == 1 else " changed since the last load" if since else ""
        lines = [
            f"{len(visible):,} repositories, {self.prs:,} pull requests{window} to fetch "
            f"in {self.pages:,} pages of up to {PAGE_SIZE}",
            f"about {self.points:,} GraphQL points ({low:,}-{high:,}; {self.page_points} a page)",
        ]
        if self.limit:
            quota = f"{self.limit:,} points an hour"
            if self.remaining is not None:
                quota += f"; {self.remaining:,} left until {_hour(self.reset_at)}"
            lines.append(f"about {self.hours:.1f} hours of this token's quota ({quota})")
        if hidden:
            lines.append(f"{len(hidden)} not visible to this token, left out: {', '.join(hidden)}")
        lines.append(f"making this plan cost {self.points_spent} points")
        return lines


def fetch_load_plan(
    session: ApiSession, repos: Sequence[str], since: Mapping[str, str | None] | str | None = None
) -> LoadPlan:
    """Count the pull requests each repository will fetch and ask GitHub what a page of them costs.

    since is a day (YYYY-MM-DD, UTC) every repository starts from, or a start per repository (a day, or the time of a
    stored high-water mark); PRs updated on or after a day, or after a time, are counted through search, the others
    through the repository's total count.
    """
    points_before = session.graphql_points
    starts = dict(since) if isinstance(since, Mapping) else dict.fromkeys(repos, since)
    counts: dict[str, int | None] = {}
    for start in range(0, len(repos), COUNT_BATCH):
        counts.update(_count_batch(session, list(repos[start : start + COUNT_BATCH]), starts))
    visible = [r for r in repos if counts.get(r) is not None]
    if not visible:  # nothing to fetch, and no repository to ask a page's cost of
        return LoadPlan(
            [RepoPlan(r, None, starts.get(r)) for r in repos],
            0,
            None,
            None,
            None,
            session.graphql_points - points_before,
        )
    dry = load_query(PULLS_QUERY_FILE).replace("rateLimit {", "rateLimit(dryRun: true) {", 1)
    owner, name = visible[0].split("/", 1)
    variables = {
        "owner": owner,
        "name": name,
        "first": PAGE_SIZE,
        "reviews": NESTED_REVIEWS,
        "commits": NESTED_COMMITS,
        "reviewIds": [],
        "moreReviewIds": [],
        "after": None,
    }
    rate = session.graphql(dry, variables).data.get("rateLimit") or {}
    return LoadPlan(
        [RepoPlan(r, counts.get(r), starts.get(r)) for r in repos],
        int(rate.get("cost") or 1),
        rate.get("limit"),
        rate.get("remaining"),
        rate.get("resetAt"),
        session.graphql_points - points_before,
    )


def _count_batch(session: ApiSession, repos: list[str], starts: Mapping[str, str | None]) -> dict[str, int | None]:
    """PR counts of up to 50 repositories in one request; when one of them fails the batch, each is counted alone."""
    query, variables = count_query(repos, starts)
    try:
        data = session.graphql(query, variables).data
    except (NotFound, Forbidden, GraphQLErrors):
        if len(repos) == 1:
            return {repos[0]: None}
        return {repo: count for one in repos for repo, count in _count_batch(session, [one], starts).items()}
    found: dict[str, int | None] = {}
    for i, repo in enumerate(repos):
        if starts.get(repo):
            found[repo] = (data.get(f"s{i}") or {}).get("issueCount")
        else:
            found[repo] = ((data.get(f"r{i}") or {}).get("pullRequests") or {}).get("totalCount")
    return found


def count_query(repos: Sequence[str], starts: Mapping[str, str | None]) -> tuple[str, dict[str, str]]:
    """A PullCounts query for repos: one aliased count each, every name and time bound as a variable."""
    params, fields, variables = [], [], {}
    for i, repo in enumerate(repos):
        owner, name = repo.split("/", 1)
        if starts.get(repo):
            params.append(f"$q{i}: String!")
            fields.append(f"  s{i}: search(query: $q{i}, type: ISSUE) {{ issueCount }}")
            # A stored high-water mark (a time) was loaded already; a --since day is itself included.
            after = ">" if "T" in str(starts[repo]) else ">="
            variables[f"q{i}"] = f"repo:{repo} is:pr updated:{after}{starts[repo]}"
        else:
            params += [f"$o{i}: String!", f"$n{i}: String!"]
            fields.append(f"  r{i}: repository(owner: $o{i}, name: $n{i}) {{ pullRequests {{ totalCount }} }}")
            variables.update({f"o{i}": owner, f"n{i}": name})
    head = f"query PullCounts({', '.join(params)}) {{" if params else "query PullCounts {"
    return "\n".join([head, "  rateLimit { cost remaining limit resetAt }", *fields, "}"]), variables


def _hour(reset_at: str | None) -> str:
    """'13:00 UTC' from GitHub's resetAt, or 'the next reset' when it is missing or unreadable."""
    try:
        moment = datetime.fromisoformat(str(reset_at).replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return "the next reset"
    return moment.strftime("%H:%M UTC")
