"""People met in exports (names, e-mails, logins) as person_id values, with their alias rows."""

from __future__ import annotations

import re

from flowgauge.loaders.imports.parsed import Parsed


def person_key(name: str | None = None, email: str | None = None, login: str | None = None) -> str | None:
    """The person_id an export's person gets: the login, else the e-mail, else the name, in lower case."""
    if login:
        return login.strip().lower()
    if email:
        return email.strip().lower()
    if name:
        return re.sub(r"\s+", ".", name.strip().lower())
    return None


def is_bot(*names: str | None) -> bool:
    """Automation accounts name themselves with a '[bot]' suffix (dependabot[bot], renovate[bot])."""
    return any(n and n.strip().lower().endswith("[bot]") for n in names)


class People:
    """Collects people and aliases for one file; add() returns the person_id to store in event rows."""

    def __init__(self, parsed: Parsed, source: str) -> None:
        self.parsed = parsed
        self.source = source

    def add(
        self,
        name: str | None = None,
        email: str | None = None,
        login: str | None = None,
        account_id: str | None = None,
        *,
        source: str | None = None,
        bot_reason: str | None = None,
    ) -> str | None:
        """Record a person and every alias given; None when nothing identifies them."""
        person_id = person_key(name, email, login) or (account_id.strip().lower() if account_id else None)
        if person_id is None:
            return None
        bot = bool(bot_reason) or is_bot(name, login)
        self.parsed.add(
            "people",
            {
                "person_id": person_id,
                "display_name": (name or login or email or "").strip() or person_id,
                "primary_email": email.strip().lower() if email else None,
                "is_bot": bot,
                "bot_reason": bot_reason or ("[bot] suffix" if bot else None),
            },
        )
        for kind, alias in (("name", name), ("email", email), ("login", login), ("account_id", account_id)):
            if alias and alias.strip():
                self.parsed.add(
                    "person_aliases",
                    {
                        "source": source or self.source,
                        "alias_kind": kind,
                        "alias": alias.strip().lower(),
                        "person_id": person_id,
                    },
                )
        return person_id
