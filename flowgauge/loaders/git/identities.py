"""People from git authors: .mailmap (via %aN/%aE), aliases merged by e-mail and name, bots flagged."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from flowgauge.rules.defaults import BUILT_IN_BOT_LOGINS

# Automation accounts that commit under plain names, without GitHub's '[bot]' suffix: the rules' built-in list.
KNOWN_BOTS = frozenset(BUILT_IN_BOT_LOGINS)
_GITHUB_NOREPLY = re.compile(r"^(?:\d+\+)?(?P<login>[^@]+)@users\.noreply\.github\.com$")
_BOT_SUFFIX = re.compile(r"\[bot\]$")


@dataclass(slots=True)
class Person:
    """One person (or bot) as a people row."""

    person_id: str
    display_name: str | None
    primary_email: str | None
    is_bot: bool
    bot_reason: str | None


def normalized_name(name: str) -> str:
    """A name folded for comparison: case, accents and runs of spaces do not make two people."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


def bot_reason(name: str, email: str) -> str | None:
    """Why an author is automation ('[bot] suffix', 'configured list'), or None for a human."""
    login = _github_login(email)
    if _BOT_SUFFIX.search(name.strip().lower()) or (login and _BOT_SUFFIX.search(login)):
        return "[bot] suffix"
    candidates = {name.strip().lower(), email.split("@", 1)[0].lower(), (login or "").lower()}
    if candidates & KNOWN_BOTS:
        return "configured list"
    return None


class IdentityResolver:
    """Maps (name, e-mail) pairs to stable person ids, merging aliases that share an e-mail or a name.

    Seed it with the snapshot's existing git aliases so ids stay the same across incremental runs.
    """

    def __init__(self, known_aliases: Iterable[tuple[str, str, str]] = ()) -> None:
        self._by_email: dict[str, str] = {}
        self._by_name: dict[str, str] = {}
        for kind, alias, person_id in known_aliases:
            (self._by_email if kind == "email" else self._by_name)[alias] = person_id
        self._cache: dict[tuple[str, str, str, str], str] = {}
        self.people: dict[str, Person] = {}
        self.aliases: dict[tuple[str, str], str] = {}

    def resolve(self, name: str, email: str, raw_name: str = "", raw_email: str = "") -> str:
        """The person id for an author after .mailmap (name, email), also recording the pre-mailmap aliases."""
        key = (name, email, raw_name, raw_email)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        email_key = email.strip().lower()
        name_key = normalized_name(name)
        reason = bot_reason(name, email)
        person_id = self._by_email.get(email_key)
        # Bots share names like 'GitHub Action' across unrelated accounts, so only humans merge by name.
        if person_id is None and name_key and reason is None:
            person_id = self._by_name.get(name_key)
        if person_id is None:
            person_id = _new_person_id(email_key, name_key)
        if person_id not in self.people:
            display = name.strip() or None
            self.people[person_id] = Person(person_id, display, email_key or None, reason is not None, reason)
        for kind, alias in (
            ("email", email_key),
            ("email", raw_email.strip().lower()),
            ("name", name_key),
            ("name", normalized_name(raw_name)),
        ):
            if not alias:
                continue
            index = self._by_email if kind == "email" else self._by_name
            index.setdefault(alias, person_id)
            self.aliases.setdefault((kind, alias), index[alias])
        self._cache[key] = person_id
        return person_id


def _github_login(email: str) -> str | None:
    found = _GITHUB_NOREPLY.match(email.strip().lower())
    return found["login"] if found else None


def _new_person_id(email_key: str, name_key: str) -> str:
    """GitHub's no-reply address gives the login (the id other loaders use); otherwise the e-mail."""
    return _github_login(email_key) or email_key or f"name:{name_key}"
