"""Publishing an offer of assistance (a provider for its organisation or State, or the
Committee side for anyone)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import Conflict, InvalidData, Problem, text
from un1540.models import AssistanceOffer, Origin, Role, Visibility
from un1540.reference.languages import N_
from un1540.schemas.assistance import AssistanceOfferCreate
from un1540.services.assistance.parties import party, party_key
from un1540.services.assistance.rules import clearinghouse_rules
from un1540.services.assistance.validation import offer_problems
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.unit_of_work import action


@action
def create_offer(
    session: Session, *, viewer: Viewer, data: AssistanceOfferCreate, origin: Origin = Origin.entry
) -> AssistanceOffer:
    """Publish an offer of assistance; every problem is reported at once, nothing is saved."""
    clearinghouse_rules.check(viewer, None, "publish_offer")
    state = organisation = None
    name = data.provider_name.strip()
    if data.state or data.organisation or viewer.role in (Role.provider, Role.state_poc):
        state, organisation = party(session, viewer, data.state, data.organisation)
        name = state.short_name if state else organisation.name if organisation else name
    elif not name:
        raise InvalidData(
            N_("say who offers"),
            problems=[Problem("provider_name", N_("give a State, an organisation or a name"))],
        )
    problems = offer_problems(session, data)
    if problems:
        raise InvalidData(N_("the offer is not valid; nothing was saved"), problems=problems)
    key = party_key(state, organisation) if (state or organisation) else f"name:{name.lower()}"
    duplicate = session.scalar(
        select(AssistanceOffer.id).where(
            AssistanceOffer.provider_key == key, AssistanceOffer.title == data.title.strip()
        )
    )
    if duplicate is not None:
        raise Conflict(
            text(
                N_("duplicate submission: offer %(duplicate)s has the same provider and title"),
                duplicate=duplicate,
            )
        )
    offer = AssistanceOffer(
        state_id=state.id if state else None,
        organisation_id=organisation.id if organisation else None,
        provider_name=name,
        provider_key=key,
        title=data.title.strip(),
        description=data.description,
        fields=data.fields,
        sections=data.sections,
        weapons=data.weapons,
        help_types=data.help_types,
        regions=data.regions,
        languages=data.languages,
        capacity=data.capacity,
        budget=data.budget,
        currency=data.currency.upper(),
        start_on=data.start_on,
        end_on=data.end_on,
        created_by=viewer.actor,
        origin=origin,
        visibility=Visibility(data.visibility),
    )
    session.add(offer)
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="assistance_offer.create",
        entity_type="assistance_offer",
        entity_id=str(offer.id),
        after={"provider": key, "title": offer.title, "capacity": offer.capacity},
    )
    return offer
