"""The organisation's own data kept beside its snapshot, surviving every rebuild: initiatives, team goals, and who
changed them when."""

from flowgauge.organisation_data.import_file import import_organisation_file, read_organisation_file
from flowgauge.organisation_data.model import BadOrganisationData, Goal, Initiative, goal_from, initiative_from
from flowgauge.organisation_data.store import (
    Change,
    Organisation,
    delete_goal,
    delete_initiative,
    load_organisation,
    organisation_path,
    save_changes,
    save_goal,
    save_initiative,
)

__all__ = [
    "BadOrganisationData",
    "Change",
    "Goal",
    "Initiative",
    "Organisation",
    "delete_goal",
    "delete_initiative",
    "goal_from",
    "import_organisation_file",
    "initiative_from",
    "load_organisation",
    "organisation_path",
    "read_organisation_file",
    "save_changes",
    "save_goal",
    "save_initiative",
]
