"""Who the demo teams are: their speed, trend, deploy cadence, reliability and repositories."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ORG = "acme"
EMAIL_DOMAIN = "acme.example"
WEB = "https://github.example"


@dataclass(frozen=True)
class TeamProfile:
    """How one team works. level scales every PR phase (1 = typical); trend_end is the level factor by the end."""

    slug: str
    name: str
    project_key: str
    level: float
    trend_end: float  # multiplier on PR phase times reached at the end of the window (1 = stable)
    deploys_per_week: float  # production deployments per service per week at the start
    failure_rate: float  # share of production deployments that fail outright
    incident_rate: float  # share of successful deployments that cause an incident (at the end for trends)
    completion: float  # share of planned sprint items done by sprint end (at the start)
    completion_end: float
    weight: int  # relative head count
    no_review_share: float  # human PRs merged without any review
    survey_base: float  # mean survey score at the start (1-5)
    survey_trend: float  # change of the mean survey score over the window

    def trend(self, fraction: np.ndarray) -> np.ndarray:
        """Multiplier on phase times at each point of the window."""
        return np.exp(np.log(self.trend_end) * fraction)


@dataclass(frozen=True)
class RepoSpec:
    """A repository of a team. kind: service|library|mobile|infra|monorepo (services listed for a monorepo)."""

    name: str
    kind: str
    weight: float
    services: tuple[tuple[str, str, str], ...] = ()  # (service name, path prefix, owner team slug)


# The six named teams every demo has. Checkout improves over the window, Data regresses,
# Payments is elite-ish and Mobile is slow; the rest are steady.
BASE_TEAMS = (
    TeamProfile("payments", "Payments", "PAY", 0.25, 1.0, 20.0, 0.03, 0.03, 0.88, 0.88, 10, 0.03, 4.0, 0.0),
    TeamProfile("checkout", "Checkout", "CHK", 1.3, 0.25, 2.0, 0.07, 0.07, 0.65, 0.9, 9, 0.05, 2.7, 1.5),
    TeamProfile("platform", "Platform", "PLT", 0.8, 1.0, 4.0, 0.04, 0.04, 0.8, 0.8, 10, 0.08, 3.6, 0.0),
    TeamProfile("mobile", "Mobile", "MOB", 2.0, 1.0, 1.0, 0.08, 0.05, 0.68, 0.68, 8, 0.02, 3.0, 0.0),
    TeamProfile("data", "Data", "DATA", 0.75, 2.6, 5.0, 0.04, 0.09, 0.9, 0.65, 9, 0.06, 3.8, -1.2),
    TeamProfile("growth", "Growth", "GRW", 1.0, 1.0, 3.0, 0.05, 0.05, 0.76, 0.76, 10, 0.1, 3.4, 0.0),
)

BASE_REPOS = {
    "payments": (
        RepoSpec("payments-api", "service", 3.0),
        RepoSpec("ledger", "service", 2.0),
        RepoSpec("payment-gateway", "service", 1.5),
        RepoSpec("payments-sdk", "library", 0.6),
    ),
    "checkout": (
        RepoSpec("checkout-web", "service", 3.0),
        RepoSpec("cart-service", "service", 2.0),
        RepoSpec("pricing-engine", "service", 1.2),
    ),
    "platform": (
        RepoSpec(
            "core",
            "monorepo",
            4.0,
            (
                ("api-gateway", "services/api-gateway/", "platform"),
                ("auth", "services/auth/", "platform"),
                ("notifications", "services/notifications/", "growth"),
                ("billing-worker", "services/billing-worker/", "payments"),
                ("search", "services/search/", "checkout"),
            ),
        ),
        RepoSpec("infra-terraform", "infra", 1.5),
        RepoSpec("ci-templates", "library", 0.7),
    ),
    "mobile": (RepoSpec("ios-app", "mobile", 3.0), RepoSpec("android-app", "mobile", 3.0)),
    "data": (
        RepoSpec("data-pipelines", "service", 3.0),
        RepoSpec("analytics-dbt", "service", 2.0),
        RepoSpec("event-schemas", "library", 0.8),
    ),
    "growth": (RepoSpec("growth-experiments", "service", 3.0), RepoSpec("marketing-site", "service", 2.0)),
}

EXTRA_TEAM_NAMES = (
    "Identity", "Search", "Notifications", "Billing", "Onboarding", "Fraud", "Logistics", "Pricing",
    "Messaging", "Reporting", "Integrations", "Marketplace", "Security", "Observability", "Catalog",
    "Inventory", "Loyalty", "Support Tools", "Partners", "Ads", "Recommendations", "Compliance",
    "Developer Experience", "Storage", "Networking", "Localization", "Accounts", "Subscriptions", "Media", "Maps",
)  # fmt: skip

EXTRA_REPO_PATTERNS = (("api", "service", 3.0), ("worker", "service", 1.5), ("web", "service", 2.0))


def extra_team(rng: np.random.Generator, index: int) -> tuple[TeamProfile, tuple[RepoSpec, ...]]:
    """A steady team for scales above 1, with a believable name and two or three repositories."""
    base = EXTRA_TEAM_NAMES[index % len(EXTRA_TEAM_NAMES)]
    round_ = index // len(EXTRA_TEAM_NAMES)
    name = base if round_ == 0 else f"{base} {round_ + 1}"
    slug = name.lower().replace(" ", "-")
    key = "".join(w[0] for w in base.split()).upper() if " " in base else base[:3].upper()
    key = f"{key}{round_ + 1}" if round_ else key
    completion = float(rng.uniform(0.7, 0.9))
    profile = TeamProfile(
        slug=slug,
        name=name,
        project_key=key,
        level=float(np.exp(rng.normal(0.0, 0.35))),
        trend_end=float(np.exp(rng.normal(0.0, 0.08))),
        deploys_per_week=float(rng.uniform(1.5, 5.0)),
        failure_rate=float(rng.uniform(0.03, 0.08)),
        incident_rate=float(rng.uniform(0.03, 0.07)),
        completion=completion,
        completion_end=completion,
        weight=int(rng.integers(7, 12)),
        no_review_share=float(rng.uniform(0.02, 0.1)),
        survey_base=float(rng.uniform(3.0, 3.9)),
        survey_trend=float(rng.normal(0.0, 0.2)),
    )
    count = 3 if index % 2 == 0 else 2
    repos = tuple(RepoSpec(f"{slug}-{suffix}", kind, weight) for suffix, kind, weight in EXTRA_REPO_PATTERNS[:count])
    return profile, repos
