"""Who may do what: the role of a signed-in person, from the [sign_in] table's allow-list and role lists.

Pure rules with no Streamlit in them, so they are tested as a table of cases; `flowgauge.access.gate` applies them to
the person Streamlit signed in.
"""

from __future__ import annotations

from enum import IntEnum

from flowgauge.errors import FlowgaugeError
from flowgauge.org_config.sign_in import SignIn


class Role(IntEnum):
    """What a person may do; each role may do everything the ones below it may."""

    VIEWER = 1  # reads every page and copies links
    EDITOR = 2  # also uploads files and edits the organisation's own data
    ADMIN = 3  # also sees per-person views

    @property
    def label(self) -> str:
        return self.name.lower()

    @property
    def with_article(self) -> str:
        return f"{'an' if self.label[0] in 'aeiou' else 'a'} {self.label}"


class NotAllowed(FlowgaugeError):
    """The signed-in person is not on the allow-list, or the provider did not vouch for their address."""


class RoleRequired(FlowgaugeError):
    """The person's role does not allow what they tried; the message says which role does."""


def matches(email: str, people: tuple[str, ...]) -> bool:
    """Whether the address is listed, or its whole domain is ("@acme.com" matches ana@acme.com, not ana@x.acme.com)."""
    address = email.strip().lower()
    domain = "@" + address.rpartition("@")[2]
    return address in people or domain in people


def role_for(sign_in: SignIn, email: str | None, email_verified: object = None) -> Role:
    """The highest role whose list names the person; allowed but in no role list: viewer. Raises NotAllowed."""
    if not email or "@" not in email:
        raise NotAllowed("The provider gave no e-mail address for your account, so Flowgauge cannot check it")
    if email_verified is False or email_verified == "false":
        raise NotAllowed(f"The provider has not verified {email}; verify it there, then sign in again")
    for role, people in ((Role.ADMIN, sign_in.admins), (Role.EDITOR, sign_in.editors), (Role.VIEWER, sign_in.viewers)):
        if matches(email, people):
            return role
    if matches(email, sign_in.allow):
        return Role.VIEWER
    raise NotAllowed(f"{email} may not use this dashboard; ask its admins to add you to [sign_in] in flowgauge.toml")


def check_role(role: Role, needed: Role, action: str) -> None:
    """Raise RoleRequired unless role may do what needs `needed`; action names it ("Uploading files")."""
    if role < needed:
        raise RoleRequired(f"{action} needs the {needed.label} role; you are signed in as {role.with_article}")
