"""Sign-in and roles: who may open the dashboard, and what a viewer, an editor and an admin may each do.

Pages and write paths call `require(Role.EDITOR, "Editing goals")` where they write, `can(Role.ADMIN)` to decide what
to draw, `current_role()` (admin when the dashboard has no sign-in), and `signed_in_email()` for "edited by".
"""

from flowgauge.access.gate import can, current_role, require, signed_in_email
from flowgauge.access.roles import NotAllowed, Role, RoleRequired

__all__ = ["NotAllowed", "Role", "RoleRequired", "can", "current_role", "require", "signed_in_email"]
