"""Actors (GraphQL or REST users and bots) to canonical people and aliases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# GitHub shows deleted accounts as a null author (GraphQL) or the placeholder user 'ghost' (REST).
# Both become a NULL person id, so "deleted account" means the same thing in every table.
DELETED_LOGINS = frozenset({"ghost"})


@dataclass(frozen=True)
class Person:
    """A person row plus the login alias that names them."""

    person_id: str
    login: str
    display_name: str | None
    is_bot: bool
    bot_reason: str | None


def person_from_actor(actor: dict[str, Any] | None) -> Person | None:
    """The person behind a GraphQL Actor or REST user object; None for deleted accounts."""
    if not actor or not actor.get("login"):
        return None
    login = str(actor["login"])
    if login.lower() in DELETED_LOGINS:
        return None
    kind = actor.get("__typename") or actor.get("type")
    if kind == "Bot":
        # GraphQL names the app 'dependabot', REST 'dependabot[bot]': one id for both.
        login = login if login.endswith("[bot]") else f"{login}[bot]"
        return Person(login.lower(), login, actor.get("name") or login, True, "github type Bot")
    if login.lower().endswith("[bot]"):
        return Person(login.lower(), login, actor.get("name") or login, True, "[bot] suffix")
    return Person(login.lower(), login, actor.get("name") or login, False, None)


class PeopleBook:
    """Collects people and aliases seen while mapping, one row per key, for one upsert each."""

    def __init__(self, source: str = "github") -> None:
        self.source = source
        self.people: dict[str, dict[str, Any]] = {}
        self.aliases: dict[tuple[str, str, str], dict[str, Any]] = {}
        # What take() last handed out per key: the same people are seen on every page, and writing a row again
        # unchanged would cost an upsert a page for nothing.
        self._taken_people: dict[str, dict[str, Any]] = {}
        self._taken_aliases: dict[tuple[str, str, str], str] = {}

    def add(self, person: Person | None, email: str | None = None) -> str | None:
        """Record a person (and an e-mail they commit with); returns their person_id or None."""
        if person is None:
            return None
        # Since the last take, what it gave stands for the person: their first e-mail stays the primary one.
        known = self.people.get(person.person_id) or self._taken_people.get(person.person_id)
        if known is None or (person.display_name and person.display_name != person.login):
            self.people[person.person_id] = {
                "person_id": person.person_id,
                "display_name": person.display_name,
                "primary_email": (email or "").lower() or (known or {}).get("primary_email"),
                "is_bot": person.is_bot,
                "bot_reason": person.bot_reason,
            }
        self._alias(self.source, "login", person.login.lower(), person.person_id)
        if email:
            self._alias("git", "email", email.lower(), person.person_id)
        return person.person_id

    def email(self, person_id: str, email: str) -> None:
        """Record an e-mail a known person commits with (first one seen becomes primary)."""
        row = self.people.get(person_id)
        if row is None and person_id in self._taken_people:
            row = self.people[person_id] = dict(self._taken_people[person_id])
        if row is not None and not row["primary_email"]:
            row["primary_email"] = email.lower()
        self._alias("git", "email", email.lower(), person_id)

    def actor(self, actor: dict[str, Any] | None) -> str | None:
        """Record the person behind an actor object; returns their person_id or None."""
        return self.add(person_from_actor(actor))

    def _alias(self, source: str, kind: str, alias: str, person_id: str) -> None:
        self.aliases[(source, kind, alias)] = {
            "source": source,
            "alias_kind": kind,
            "alias": alias,
            "person_id": person_id,
        }

    def take(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The people and alias rows collected since the last take, emptying the book; a row equal to the one the
        last take gave for its key is left out, as writing it again would change nothing."""
        people = [row for key, row in self.people.items() if self._taken_people.get(key) != row]
        aliases = [row for key, row in self.aliases.items() if self._taken_aliases.get(key) != row["person_id"]]
        self._taken_people.update((row["person_id"], dict(row)) for row in people)  # a copy: the writer fills rows in
        self._taken_aliases.update(((r["source"], r["alias_kind"], r["alias"]), r["person_id"]) for r in aliases)
        self.people, self.aliases = {}, {}
        return people, aliases
