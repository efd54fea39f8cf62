"""Who may register documents about a State (the Committee side, or its points of contact), and
who may change who sees a document."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from un1540.errors import Forbidden, Un1540Error
from un1540.models import Document, Origin, Role
from un1540.reference.languages import N_
from un1540.services.kernel.access import Viewer, refuse_unless, speaks_for
from un1540.services.kernel.lookups import state_by_iso3
from un1540.services.kernel.rules import Rules


def _register(viewer: Viewer, state_id: int) -> Un1540Error | None:
    if not speaks_for(viewer, state_id):
        return refuse_unless(viewer, Role.expert, Role.committee, action=N_("register documents"))
    if not viewer.can_write:
        return Forbidden(N_("a read-only token may not register documents"))
    return None


# The record is the id of the State the documents are about.
STATE_DOCUMENT_RULES = Rules[int]("state documents", {"register": _register})


def check_may_register(session: Session, *, viewer: Viewer, iso3: str) -> None:
    """Refuse registering a document about this State before its file is read."""
    STATE_DOCUMENT_RULES.check(viewer, state_by_iso3(session, iso3).id, "register")


@dataclass(frozen=True)
class DocumentState:
    """What the rules need to know about a document."""

    id: int
    state_id: int | None
    origin: Origin


def document_state(document: Document) -> DocumentState:
    return DocumentState(id=document.id, state_id=document.state_id, origin=document.origin)


def _change_visibility(viewer: Viewer, document: DocumentState) -> Un1540Error | None:
    # A State's points of contact, for the documents about their State registered here (not
    # the demo's, nor those loaded from the Committee's files); the Committee side, for any.
    own = document.state_id is not None and speaks_for(viewer, document.state_id)
    if own and document.origin is Origin.entry:
        return None if viewer.can_write else Forbidden(N_("a read-only token may not do this"))
    return refuse_unless(
        viewer, Role.expert, Role.committee, action=N_("change who may see a document")
    )


def _read_again(viewer: Viewer, document: DocumentState) -> Un1540Error | None:
    # Upkeep of the library (after the reading of a language improved): the Committee side.
    return refuse_unless(viewer, Role.expert, Role.committee, action=N_("read a document again"))


DOCUMENT_RULES = Rules[DocumentState](
    "documents", {"change_visibility": _change_visibility, "read_again": _read_again}
)


def document_actions(viewer: Viewer, documents: list[Document]) -> dict[int, list[str]]:
    """What the viewer may do to each document now (change_visibility, read_again), by id."""
    return {d.id: DOCUMENT_RULES.allowed(viewer, document_state(d)) for d in documents}
