"""Who may designate points of contact for a party, and who may edit or confirm one.

- designate: the Committee side for any State or organisation; a State's points of contact for
  their State; an organisation's provider accounts for their organisation;
- edit and confirm: the same, and the contact itself (the account linked to the record).
A read-only token does none of these. Who may see a contact is the read rule
(reads.contact_visible); a contact the viewer may not see is not found, whatever they ask.
"""

from __future__ import annotations

from dataclasses import dataclass

from un1540.errors import Forbidden, Un1540Error, text
from un1540.models import PointOfContact, Role
from un1540.reference.languages import N_
from un1540.services.kernel.access import Viewer, refuse_unless
from un1540.services.kernel.rules import Rules


@dataclass(frozen=True)
class Party:
    """The State or organisation that designates (exactly one of the two ids is set)."""

    state_id: int | None
    organisation_id: int | None


def speaks_for_party(viewer: Viewer, party: Party) -> bool:
    """The State's point of contact, or the organisation's provider account."""
    if party.state_id is not None:
        return viewer.role is Role.state_poc and viewer.state_id == party.state_id
    return (
        viewer.role is Role.provider
        and viewer.organisation_id is not None
        and viewer.organisation_id == party.organisation_id
    )


def _write(
    viewer: Viewer, party: Party, action: str, *, itself: bool = False
) -> Un1540Error | None:
    if (speaks_for_party(viewer, party) or itself) and viewer.user_id is not None:
        return (
            None
            if viewer.can_write
            else Forbidden(
                text(
                    N_("a read-only token may not %(action)s"),
                    action=action,
                )
            )
        )
    return refuse_unless(viewer, Role.expert, Role.committee, action=action)


def _designate(viewer: Viewer, party: Party) -> Un1540Error | None:
    return _write(viewer, party, "designate points of contact for this State or organisation")


PARTY_RULES = Rules[Party]("points of contact of a party", {"designate": _designate})


@dataclass(frozen=True)
class ContactState:
    """What the rules need to know about a contact."""

    id: int
    party: Party
    user_id: int | None


def contact_state(contact: PointOfContact) -> ContactState:
    return ContactState(
        id=contact.id,
        party=Party(contact.state_id, contact.organisation_id),
        user_id=contact.user_id,
    )


def _itself(viewer: Viewer, contact: ContactState) -> bool:
    return contact.user_id is not None and viewer.user_id == contact.user_id


def _edit(viewer: Viewer, contact: ContactState) -> Un1540Error | None:
    return _write(
        viewer, contact.party, "edit this point of contact", itself=_itself(viewer, contact)
    )


def _confirm(viewer: Viewer, contact: ContactState) -> Un1540Error | None:
    return _write(
        viewer, contact.party, "confirm this point of contact", itself=_itself(viewer, contact)
    )


CONTACT_RULES = Rules[ContactState]("points of contact", {"edit": _edit, "confirm": _confirm})


def contact_actions(viewer: Viewer, contact: PointOfContact) -> list[str]:
    return CONTACT_RULES.allowed(viewer, contact_state(contact))
