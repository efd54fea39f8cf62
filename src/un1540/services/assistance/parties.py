"""Who speaks for whom in the clearinghouse: the State or organisation behind a request, an
offer or a funding entry, and whether a viewer speaks for it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import Forbidden, InvalidData, Problem, text
from un1540.models import AssistanceOffer, AssistanceRequest, Organisation, Role, State
from un1540.reference.languages import N_
from un1540.services.kernel.access import Viewer


def party(
    session: Session, viewer: Viewer, state_code: str | None, organisation_code: str | None
) -> tuple[State | None, Organisation | None]:
    """The State or organisation a write is made for; its own, unless the Committee side."""
    if viewer.role in (Role.state_poc, Role.provider) and not (state_code or organisation_code):
        state_code = _own_state(session, viewer)
        organisation_code = _own_organisation(session, viewer)
    if bool(state_code) == bool(organisation_code):
        raise InvalidData(
            N_("give either a State or an organisation"),
            problems=[Problem("state/organisation", N_("give exactly one of the two"))],
        )
    state = organisation = None
    if state_code:
        state = session.scalars(select(State).where(State.iso3 == state_code.upper())).first()
        if state is None:
            raise InvalidData(
                text(
                    N_("unknown State %(state_code)s"),
                    state_code=repr(state_code),
                ),
                problems=[Problem("state", N_("unknown State"))],
            )
    else:
        organisation = session.scalars(
            select(Organisation).where(Organisation.code == organisation_code)
        ).first()
        if organisation is None:
            raise InvalidData(
                text(
                    N_("unknown organisation %(organisation_code)s"),
                    organisation_code=repr(organisation_code),
                ),
                problems=[Problem("organisation", N_("unknown organisation code"))],
            )
    if not viewer.is_committee_side and not _speaks_for(viewer, state, organisation):
        raise Forbidden(N_("you may only file for the State or organisation you speak for"))
    return state, organisation


def _own_state(session: Session, viewer: Viewer) -> str | None:
    if viewer.state_id is None:
        return None
    return session.scalar(select(State.iso3).where(State.id == viewer.state_id))


def _own_organisation(session: Session, viewer: Viewer) -> str | None:
    if viewer.organisation_id is None:
        return None
    return session.scalar(
        select(Organisation.code).where(Organisation.id == viewer.organisation_id)
    )


def _speaks_for(viewer: Viewer, state: State | None, organisation: Organisation | None) -> bool:
    if state is not None:
        return viewer.state_id == state.id
    return organisation is not None and viewer.organisation_id == organisation.id


def party_key(state: State | None, organisation: Organisation | None) -> str:
    return (
        f"state:{state.iso3}"
        if state
        else f"organisation:{organisation.code if organisation else ''}"
    )


def requester_name(request: AssistanceRequest) -> tuple[str, str]:
    if request.state is not None:
        return request.state.iso3, request.state.short_name
    organisation = request.organisation
    return (organisation.code, organisation.name) if organisation else ("", "")


def requester_speaks(viewer: Viewer, request: AssistanceRequest) -> bool:
    """The requesting State's point of contact, or an account of the requesting organisation."""
    if request.state_id is not None:
        return viewer.role is Role.state_poc and viewer.state_id == request.state_id
    return request.organisation_id is not None and viewer.organisation_id == request.organisation_id


def sees_suggestions(viewer: Viewer, request: AssistanceRequest) -> bool:
    """Any account of the requesting State or organisation (the suggestions' audience)."""
    speaks = request.state_id is not None and request.state_id == viewer.state_id
    return speaks or (
        request.organisation_id is not None and request.organisation_id == viewer.organisation_id
    )


def provider_speaks(viewer: Viewer, offer: AssistanceOffer) -> bool:
    if offer.organisation_id is not None:
        return viewer.organisation_id == offer.organisation_id
    return (
        offer.state_id is not None
        and viewer.state_id == offer.state_id
        and viewer.role is Role.provider
    )
