"""Who is told what about points of contact (the portal's notifications, and e-mail):

- a contact has gone stale (not confirmed for UN1540_CONTACT_STALE_MONTHS months): the
  designating State's points of contact (or the organisation's provider accounts) and the
  contact's own account are reminded (`stale`), once per stale spell (actions.py).

The notification names the contact (its id); it is worded for each reader when read or e-mailed
from the contact as that reader may see it then (reads.contact_visible): nobody else is told.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from un1540.models import PointOfContact, Role, UserAccount
from un1540.reference.languages import N_
from un1540.services.contacts.reads import contact_visible
from un1540.services.kernel.access import Viewer
from un1540.services.notifications.actions import notify
from un1540.services.notifications.reads import active_accounts
from un1540.services.notifications.topics import Topic, Wording, register_topic

ENTITY_TYPE = "point_of_contact"
# %(name)s is the contact's name, %(party)s its State or organisation, %(confirmed_on)s the day
# it was last confirmed (YYYY-MM-DD).
STALE = Wording(
    subject=N_("Please confirm your point of contact %(name)s (%(party)s)"),
    body=N_(
        "The point of contact %(name)s of %(party)s was last confirmed on %(confirmed_on)s. "
        "Please confirm the details, or correct them, in one step on the contacts page."
    ),
    link="/api/v1/contacts/{id}",
    page="/contacts#contact-{id}",
)


def _contact_ids(viewer: Viewer) -> Select[int]:
    return select(PointOfContact.id).where(contact_visible(viewer))


def _contact_facts(
    session: Session, viewer: Viewer, ids: Collection[int]
) -> dict[int, dict[str, str]]:
    rows = session.scalars(
        select(PointOfContact)
        .where(PointOfContact.id.in_(list(ids)), contact_visible(viewer))
        .options(selectinload(PointOfContact.state), selectinload(PointOfContact.organisation))
    )
    return {
        contact.id: {
            "name": contact.name,
            "party": contact.state.short_name
            if contact.state
            else contact.organisation.name
            if contact.organisation
            else "",
        }
        for contact in rows
    }


def _contact_wording(kind: str, params: Mapping[str, str]) -> Wording | None:
    return STALE if kind == "stale" and "confirmed_on" in params else None


register_topic(
    Topic(
        ENTITY_TYPE,
        _contact_ids,
        _contact_facts,
        _contact_wording,
        label=N_("Points of contact to confirm"),
    )
)


def party_accounts(session: Session, contact: PointOfContact) -> list[UserAccount]:
    """The designating State's points of contact, or the organisation's provider accounts, and
    the contact's own account."""
    if contact.state_id is not None:
        accounts = active_accounts(
            session, state_id=contact.state_id, organisation_id=None, roles=(Role.state_poc,)
        )
    else:
        accounts = active_accounts(
            session,
            state_id=None,
            organisation_id=contact.organisation_id,
            roles=(Role.provider,),
        )
    if contact.user is not None and contact.user.is_active:
        accounts.append(contact.user)
    return accounts


def notify_stale(session: Session, contact: PointOfContact) -> int:
    """Remind the party (and the contact itself) that `contact` needs confirming."""
    return notify(
        session,
        party_accounts(session, contact),
        kind="stale",
        entity_type=ENTITY_TYPE,
        entity_id=contact.id,
        params={"confirmed_on": contact.confirmed_on.isoformat()},
    )
