"""Who may register documents about a State: the Committee side, or its points of contact."""

from __future__ import annotations

from sqlalchemy.orm import Session

from un1540.errors import Forbidden, Un1540Error
from un1540.models import Role
from un1540.services.kernel.access import Viewer, refuse_unless, speaks_for
from un1540.services.kernel.lookups import state_by_iso3
from un1540.services.kernel.rules import Rules


def _register(viewer: Viewer, state_id: int) -> Un1540Error | None:
    if not speaks_for(viewer, state_id):
        return refuse_unless(viewer, Role.expert, Role.committee, action="register documents")
    if not viewer.can_write:
        return Forbidden("a read-only token may not register documents")
    return None


# The record is the id of the State the documents are about.
STATE_DOCUMENT_RULES = Rules[int]("state documents", {"register": _register})


def check_may_register(session: Session, *, viewer: Viewer, iso3: str) -> None:
    """Refuse registering a document about this State before its file is read."""
    STATE_DOCUMENT_RULES.check(viewer, state_by_iso3(session, iso3).id, "register")
