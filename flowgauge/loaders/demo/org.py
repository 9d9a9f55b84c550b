"""The demo organisation: teams, people (bots included) with aliases, team history, repositories and services.

Services: only the monorepo `acme/core` has services (one per path prefix, each owned by a team, possibly
not the repository's owner). Every other repository has no services row, so its PRs, deployments and
incidents carry service_id NULL and metrics scope them by repository.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from flowgauge.loaders.demo import columns as col
from flowgauge.loaders.demo.origins import AGENTS
from flowgauge.loaders.demo.profiles import BASE_REPOS, BASE_TEAMS, EMAIL_DOMAIN, ORG, WEB, RepoSpec, TeamProfile
from flowgauge.loaders.demo.profiles import extra_team as make_extra_team
from flowgauge.loaders.demo.timeline import DAY, HOUR, Window

FIRST_NAMES = """
    Ada Alan Alice Amara Ana Andrei Anna Arjun Ben Bianca Carlos Chen Chloe Daniel David Diego Elena Emil Emma
    Farah Felix Fatima Gabriel Grace Hana Hugo Ian Ines Ivan Jack Jana Javier Jin Johan Julia Kai Karin Kenji
    Lara Leo Lena Liam Lucia Luis Maja Marco Maria Mateo Maya Mei Mia Milan Nadia Nina Noah Nora Olga Omar Oscar
    Paula Pedro Priya Rafael Rania Ravi Rosa Ruth Sam Sara Sofia Stefan Tariq Theo Tomas Una Vera Victor Wei
    Xavier Yara Yusuf Zoe Aisha Bruno Clara Dmitri Elif Freya Goran Helga Imani Jonas Kofi Lotte Mina
""".split()  # noqa: SIM905 - a word list reads better than a column of strings
LAST_NAMES = """
    Adams Ahmed Alvarez Andersen Bauer Becker Berg Brown Castro Chen Costa Cruz Dahl Diaz Dubois Eriksson
    Fischer Fontaine Garcia Gomez Green Gupta Hansen Hoffmann Hughes Ibrahim Ito Jansen Jensen Kaur Keller Kim
    Klein Kowalski Kumar Larsen Lee Lopez Martin Meyer Moreau Muller Murphy Nakamura Nguyen Novak Okafor Olsen
    Park Patel Perez Petrov Quinn Reyes Richter Rossi Ruiz Sato Schmidt Schulz Silva Singh Smith Sousa Suzuki
    Tanaka Torres Vargas Vogel Wagner Walsh Wang Weber Weiss Wilson Wolf Wong Yamamoto Young Zhang Ziegler
    Barros Bianchi Carter Evans Fernandes Haddad Ivanova Jovanovic Lindqvist Moretti Nowak Popescu Santos Varga
    Horvat
""".split()  # noqa: SIM905 - a word list reads better than a column of strings

# (login, display name, bot_reason); dependabot and renovate open PRs, sonarcloud reviews, acme-ci deploys.
BOTS = (
    ("dependabot[bot]", "Dependabot", "github type Bot"),
    ("renovate[bot]", "Renovate", "github type Bot"),
    ("github-actions[bot]", "GitHub Actions", "github type Bot"),
    ("sonarcloud[bot]", "SonarCloud", "[bot] suffix"),
    ("acme-ci", "Acme CI", "configured list"),
)
DEPENDABOT, RENOVATE, ACTIONS_BOT, REVIEW_BOT, CI_BOT = range(len(BOTS))
TEAMS_PER_BATCH = 24


@dataclass
class Org:
    """Everything the history generators need to know about the organisation, as parallel arrays."""

    teams: list[TeamProfile]
    logins: list[str]
    names: list[str]
    emails: list[str]
    second_emails: list[str | None]
    is_bot: np.ndarray
    # Memberships: person, team, valid_from, valid_to (unix seconds; valid_to = -1 while still a member).
    member_person: np.ndarray
    member_team: np.ndarray
    member_from: np.ndarray
    member_to: np.ndarray
    repo_names: list[str]
    repo_team: np.ndarray
    repo_kind: list[str]
    repo_branch: list[str]
    repo_merge_method: np.ndarray  # index into MERGE_METHODS: the repository's usual setting
    repo_dependency_bot: np.ndarray  # DEPENDABOT or RENOVATE
    repo_created: np.ndarray
    service_names: list[str]
    service_repo: np.ndarray
    service_prefix: list[str]
    service_team: np.ndarray
    # Lanes: where PRs land and what deploys, one per service of the monorepo or per other repository.
    lane_repo: np.ndarray
    lane_service: np.ndarray  # -1 when the repository has no services row
    lane_team: np.ndarray
    lane_weight: np.ndarray
    lane_deployable: np.ndarray
    lane_staging: np.ndarray
    lane_tagged: np.ndarray
    # Coding agents' accounts (the last len(AGENTS) people): each is in its team's map from its adoption on (unix
    # seconds), so its PRs count for that team; never a member the history draws authors or reviewers from.
    agent_from: np.ndarray

    @property
    def repo_ids(self) -> list[str]:
        """'acme/name' per repository."""
        return [f"{ORG}/{name}" for name in self.repo_names]

    @property
    def service_ids(self) -> list[str]:
        """'acme/repo:service' per service."""
        return [f"{ORG}/{self.repo_names[r]}:{n}" for r, n in zip(self.service_repo, self.service_names, strict=True)]

    def batches(self) -> list[np.ndarray]:
        """Team indices to generate together: the six base teams first (they share the monorepo)."""
        extra = np.arange(len(BASE_TEAMS), len(self.teams))
        return [np.arange(len(BASE_TEAMS))] + [
            extra[i : i + TEAMS_PER_BATCH] for i in range(0, len(extra), TEAMS_PER_BATCH)
        ]


def build_org(rng: np.random.Generator, window: Window, scale: float) -> Org:
    """An organisation of at least 6 teams, 60 people and 15 repositories, growing with scale above 1."""
    n_teams = max(len(BASE_TEAMS), round(len(BASE_TEAMS) * scale))
    teams = list(BASE_TEAMS)
    repo_specs: list[tuple[int, RepoSpec]] = [
        (i, spec) for i, team in enumerate(BASE_TEAMS) for spec in BASE_REPOS[team.slug]
    ]
    for index in range(n_teams - len(BASE_TEAMS)):
        profile, repos = make_extra_team(rng, index)
        teams.append(profile)
        repo_specs.extend((len(teams) - 1, spec) for spec in repos)
    n_people = max(60, round(60 * scale))
    logins, names, emails, second = _people(rng, n_people - len(BOTS))
    is_bot = np.r_[np.ones(len(BOTS), bool), np.zeros(len(logins), bool), np.ones(len(AGENTS), bool)]
    membership = _memberships(rng, window, teams, len(BOTS), len(logins))
    org = Org(
        teams=teams,
        logins=[b[0] for b in BOTS] + logins + [a.login for a in AGENTS],
        names=[b[1] for b in BOTS] + names + [a.name for a in AGENTS],
        emails=[f"{b[0].removesuffix('[bot]')}[bot]@users.noreply.github.example" for b in BOTS]
        + emails
        + [a.email for a in AGENTS],
        second_emails=[None] * len(BOTS) + second + [None] * len(AGENTS),
        is_bot=is_bot,
        **membership,
        **_repositories(rng, window, teams, repo_specs),
        agent_from=np.array([window.start + int(a.adopted * (window.end - window.start)) for a in AGENTS]),
    )
    return org


def _people(rng: np.random.Generator, n: int) -> tuple[list[str], list[str], list[str], list[str | None]]:
    combos = rng.permutation(len(FIRST_NAMES) * len(LAST_NAMES))
    styles = rng.integers(0, 3, n)
    with_second = rng.random(n) < 0.15
    taken: set[str] = set()
    logins, names, emails, second = [], [], [], []
    for i in range(n):
        combo = combos[i % len(combos)]
        first, last = FIRST_NAMES[combo // len(LAST_NAMES)], LAST_NAMES[combo % len(LAST_NAMES)]
        login = (f"{first[0]}{last}", f"{first}-{last}", f"{first}{last[:3]}")[styles[i]].lower()
        while login in taken:  # name combinations repeat only above ~10,000 people
            login = f"{login}{len(taken) % 97}"
        taken.add(login)
        logins.append(login)
        names.append(f"{first} {last}")
        emails.append(f"{login.replace('-', '.')}@{EMAIL_DOMAIN}")
        second.append(f"{login}@users.noreply.github.example" if with_second[i] else None)
    return logins, names, emails, second


def _memberships(
    rng: np.random.Generator, window: Window, teams: list[TeamProfile], first_human: int, n_humans: int
) -> dict[str, np.ndarray]:
    """Team history: most people stay put; a few join, leave, or move team part-way through."""
    weights = np.array([t.weight for t in teams], dtype=float)
    sizes = np.floor(weights / weights.sum() * n_humans).astype(int)
    sizes[np.argsort(-(weights / weights.sum() * n_humans - sizes))[: n_humans - sizes.sum()]] += 1
    team_of = rng.permutation(np.repeat(np.arange(len(teams)), sizes))
    span = window.end - window.start
    start_day = window.start + (rng.uniform(-1500, -60, n_humans) * DAY).astype(np.int64) // DAY * DAY + 9 * HOUR

    def in_window(low: float, high: float) -> int:
        return int(window.start + rng.uniform(low, high) * span) // DAY * DAY + 9 * HOUR

    rows: list[tuple[int, int, int, int]] = []
    # Movers are chosen first so every demo has some; then joiners and leavers. Small teams keep their people.
    changes_per_team = np.zeros(len(teams), int)
    wanted = [(1, max(3, round(0.05 * n_humans))), (2, round(0.07 * n_humans)), (3, round(0.04 * n_humans))]
    role_of = np.zeros(n_humans, int)
    order = rng.permutation(n_humans)
    for role, count in wanted:
        for person in order:
            team = team_of[person]
            if count == 0:
                break
            if role_of[person] == 0 and sizes[team] >= 6 and changes_per_team[team] < max(2, sizes[team] // 4):
                role_of[person] = role
                changes_per_team[team] += 1
                count -= 1
    for person in range(n_humans):
        pid, team, role = first_human + person, int(team_of[person]), role_of[person]
        if role == 1:  # mover: one closed membership, then a new one in another team
            moved = in_window(0.25, 0.75)
            new_team = int((team + rng.integers(1, len(teams))) % len(teams))
            rows += [(pid, team, int(start_day[person]), moved), (pid, new_team, moved, -1)]
        elif role == 2:  # joined during the window
            rows.append((pid, team, in_window(0.1, 0.8), -1))
        elif role == 3:  # left during the window
            rows.append((pid, team, int(start_day[person]), in_window(0.35, 0.95)))
        else:
            rows.append((pid, team, int(start_day[person]), -1))
    person, team, valid_from, valid_to = (np.array(c, dtype=np.int64) for c in zip(*rows, strict=True))
    return {"member_person": person, "member_team": team, "member_from": valid_from, "member_to": valid_to}


def _repositories(
    rng: np.random.Generator, window: Window, teams: list[TeamProfile], specs: list[tuple[int, RepoSpec]]
) -> dict[str, object]:
    slug_index = {t.slug: i for i, t in enumerate(teams)}
    n = len(specs)
    services: list[tuple[int, str, str, int]] = []
    lanes: list[tuple[int, int, int, float, bool, bool, bool]] = []
    staging = rng.random(n) < 0.6
    for r, (team, spec) in enumerate(specs):
        if spec.kind == "monorepo":
            for name, prefix, owner in spec.services:
                services.append((r, name, prefix, slug_index[owner]))
                lanes.append((r, len(services) - 1, slug_index[owner], spec.weight / 2, True, True, False))
        else:
            deployable = spec.kind != "library"
            tagged = spec.kind in ("mobile", "library")
            lanes.append(
                (r, -1, team, spec.weight, deployable, deployable and (staging[r] or spec.kind == "mobile"), tagged)
            )
    lane = list(zip(*lanes, strict=True))
    return {
        "repo_names": [spec.name for _, spec in specs],
        "repo_team": np.array([team for team, _ in specs]),
        "repo_kind": [spec.kind for _, spec in specs],
        "repo_branch": ["master" if x < 0.15 else "main" for x in rng.random(n)],
        "repo_merge_method": rng.choice(3, n, p=[0.6, 0.25, 0.15]),
        "repo_dependency_bot": np.where(rng.random(n) < 0.6, DEPENDABOT, RENOVATE),
        "repo_created": window.start - (rng.uniform(120, 2500, n) * DAY).astype(np.int64),
        "service_names": [s[1] for s in services],
        "service_repo": np.array([s[0] for s in services], dtype=np.int64),
        "service_prefix": [s[2] for s in services],
        "service_team": np.array([s[3] for s in services], dtype=np.int64),
        "lane_repo": np.array(lane[0]),
        "lane_service": np.array(lane[1]),
        "lane_team": np.array(lane[2]),
        "lane_weight": np.array(lane[3], dtype=float),
        "lane_deployable": np.array(lane[4]),
        "lane_staging": np.array(lane[5]),
        "lane_tagged": np.array(lane[6]),
    }


def org_tables(org: Org) -> dict[str, pa.Table]:
    """The organisation's own tables: teams, people, aliases, memberships, repositories, services."""
    repo_ids = org.repo_ids
    alias_rows = []
    names_seen: set[str] = set()
    for pid, (login, email, second) in enumerate(zip(org.logins, org.emails, org.second_emails, strict=True)):
        alias_rows.append(("github", "login", login, login))
        alias_rows.append(("git", "email", email, login))
        if second:
            alias_rows.append(("git", "email", second, login))
        name = org.names[pid].lower()
        if not org.is_bot[pid] and name not in names_seen:  # above ~10,000 people, names repeat
            names_seen.add(name)
            alias_rows.append(("git", "name", name, login))
    alias = list(zip(*alias_rows, strict=True))
    return {
        "teams": pa.table(
            {
                "team_id": [t.slug for t in org.teams],
                "name": [t.name for t in org.teams],
                "parent_team_id": pa.nulls(len(org.teams), pa.string()),
            }
        ),
        "people": pa.table(
            {
                "person_id": org.logins,
                "display_name": org.names,
                "primary_email": org.emails,
                "is_bot": org.is_bot,
                "bot_reason": [b[2] for b in BOTS]
                + [None] * (len(org.logins) - len(BOTS) - len(AGENTS))
                + ["github type Bot"] * len(AGENTS),
            }
        ),
        "person_aliases": pa.table(
            {"source": alias[0], "alias_kind": alias[1], "alias": alias[2], "person_id": alias[3]}
        ),
        "team_memberships": pa.table(
            {
                "person_id": col.pick(org.logins, org.member_person).to_pylist() + [a.login for a in AGENTS],
                "team_id": col.pick([t.slug for t in org.teams], org.member_team).to_pylist()
                + [a.team for a in AGENTS],
                "valid_from": pa.concat_arrays([col.timestamps(org.member_from), col.timestamps(org.agent_from)]),
                "valid_to": pa.concat_arrays([col.timestamps(org.member_to), col.timestamps(np.full(len(AGENTS), -1))]),
            }
        ),
        "repositories": pa.table(
            {
                "repo_id": repo_ids,
                "name": org.repo_names,
                "source": ["demo"] * len(repo_ids),
                "url": [f"{WEB}/{r}" for r in repo_ids],
                "default_branch": org.repo_branch,
                "owner_team_id": col.pick([t.slug for t in org.teams], org.repo_team),
                "is_archived": np.zeros(len(repo_ids), bool),
                "created_at": col.timestamps(org.repo_created),
            }
        ),
        "services": pa.table(
            {
                "service_id": org.service_ids,
                "repo_id": col.pick(repo_ids, org.service_repo),
                "name": org.service_names,
                "path_prefix": org.service_prefix,
                "owner_team_id": col.pick([t.slug for t in org.teams], org.service_team),
            }
        ),
    }


class MemberPicker:
    """Draws random members of a team among those who belonged to it at a given time."""

    def __init__(self, org: Org, rng: np.random.Generator) -> None:
        order = np.argsort(org.member_team, kind="stable")
        self._rng = rng
        self._person = org.member_person[order]
        self._from = org.member_from[order]
        self._to = np.where(org.member_to[order] < 0, np.iinfo(np.int64).max, org.member_to[order])
        self._offset = np.searchsorted(org.member_team[order], np.arange(len(org.teams)))
        self._count = np.bincount(org.member_team, minlength=len(org.teams))
        self._humans = np.flatnonzero(~org.is_bot)

    def pick(self, team: np.ndarray, at: np.ndarray, exclude: np.ndarray | None = None) -> np.ndarray:
        """One person per (team, time), not equal to exclude; falls back to any human if none qualifies."""
        chosen = np.full(len(team), -1, dtype=np.int64)
        excluded = np.full(len(team), -2, dtype=np.int64) if exclude is None else exclude
        todo = np.arange(len(team))
        for _ in range(40):
            if len(todo) == 0:
                return chosen
            row = self._offset[team[todo]] + (self._rng.random(len(todo)) * self._count[team[todo]]).astype(np.int64)
            person = self._person[row]
            ok = (self._from[row] <= at[todo]) & (at[todo] < self._to[row]) & (person != excluded[todo])
            chosen[todo[ok]] = person[ok]
            todo = todo[~ok]
        while len(todo):
            person = self._humans[self._rng.integers(0, len(self._humans), len(todo))]
            ok = person != excluded[todo]
            chosen[todo[ok]] = person[ok]
            todo = todo[~ok]
        return chosen

    def headcount(self, teams: np.ndarray, day_starts: np.ndarray) -> np.ndarray:
        """Members per team (rows) on each day (columns), counted at noon."""
        noon = day_starts + 12 * HOUR
        counts = np.zeros((len(teams), len(day_starts)))
        for i, team in enumerate(teams):
            rows = slice(self._offset[team], self._offset[team] + self._count[team])
            inside = (self._from[rows, None] <= noon[None, :]) & (noon[None, :] < self._to[rows, None])
            counts[i] = inside.sum(axis=0)
        return counts
