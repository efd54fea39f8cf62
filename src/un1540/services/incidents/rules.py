"""Who may record incidents: experts, the Committee (and administrators), and providers for
their own organisation's source; importing a file is for the Committee side. The services'
guards `check` this table and the portal's form reads `allowed` from it."""

from __future__ import annotations

from un1540.models import Role
from un1540.reference.languages import N_
from un1540.services.kernel.access import COMMITTEE_SIDE, refuse_unless
from un1540.services.kernel.rules import Rule, Rules

RECORDERS = (Role.provider, *COMMITTEE_SIDE)


def _anyone_of(*roles: Role, action: str) -> Rule[None]:
    return lambda viewer, _nothing: refuse_unless(viewer, *roles, action=action)


incident_rules: Rules[None] = Rules(
    "incidents",
    {
        "record_incident": _anyone_of(*RECORDERS, action=N_("record an incident")),
        "import_incidents": _anyone_of(*COMMITTEE_SIDE, action=N_("import incidents")),
    },
)
