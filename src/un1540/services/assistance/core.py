"""Assistance requests and offers: validated writes with audit events, and reads by visibility.

Who may see a request (docs/assistance.md): the Committee side always; the requesting State's
points of contact (or the requesting organisation's accounts) always; States' points of contact
and providers once it is circulated, if the requester consented to `providers` or `public`;
everyone once it is published, which needs the `public` consent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from babel.numbers import list_currencies
from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.orm import Session, selectinload

from un1540.errors import Conflict, Forbidden, InvalidData, NotFound, Problem
from un1540.models import (
    AssistanceOffer,
    AssistanceRequest,
    AssistanceRequestItem,
    Organisation,
    Origin,
    Role,
    State,
    Visibility,
)
from un1540.models.base import today, utc_now
from un1540.reference.assistance import CLOSED, load_assistance_vocabulary
from un1540.reference.languages import UN_LANGUAGES
from un1540.schemas.assistance import (
    OfferCreate,
    RequestCreate,
    RequestItemInput,
    RequestUpdate,
)
from un1540.services.kernel.access import COMMITTEE_SIDE, Viewer, require, visible
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.paging import PageRequest
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.frameworks import default_framework

FIRST_STATUS = "received"
OFFER_VISIBILITIES = (
    Visibility.public.value,
    Visibility.states_and_providers.value,
    Visibility.committee.value,
)


# --- who speaks for whom ---------------------------------------------------------------------


def party(
    session: Session, viewer: Viewer, state_code: str | None, organisation_code: str | None
) -> tuple[State | None, Organisation | None]:
    """The State or organisation a write is made for; its own, unless the Committee side."""
    if viewer.role in (Role.state_poc, Role.provider) and not (state_code or organisation_code):
        state_code = _own_state(session, viewer)
        organisation_code = _own_organisation(session, viewer)
    if bool(state_code) == bool(organisation_code):
        raise InvalidData(
            "give either a State or an organisation",
            problems=[Problem("state/organisation", "give exactly one of the two")],
        )
    state = organisation = None
    if state_code:
        state = session.scalars(select(State).where(State.iso3 == state_code.upper())).first()
        if state is None:
            raise InvalidData(
                f"unknown State {state_code!r}", problems=[Problem("state", "unknown State")]
            )
    else:
        organisation = session.scalars(
            select(Organisation).where(Organisation.code == organisation_code)
        ).first()
        if organisation is None:
            raise InvalidData(
                f"unknown organisation {organisation_code!r}",
                problems=[Problem("organisation", "unknown organisation code")],
            )
    if not viewer.is_committee_side and not _speaks_for(viewer, state, organisation):
        raise Forbidden("you may only file for the State or organisation you speak for")
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


# --- checking what was sent --------------------------------------------------------------------


def _check_tags(
    session: Session,
    where: str,
    *,
    fields: Sequence[str] = (),
    sections: Sequence[str] = (),
    weapons: Sequence[str] = (),
    help_types: Sequence[str] = (),
    languages: Sequence[str] = (),
) -> list[Problem]:
    layout = framework_layout(session, default_framework(session))
    vocabulary = load_assistance_vocabulary()
    known = {
        "fields": set(layout.fields),
        "sections": {section.code for section in layout.sections},
        "weapons": set(layout.weapon_names),
        "help_types": set(vocabulary.help_types),
        "languages": set(UN_LANGUAGES),
    }
    given = {
        "fields": fields,
        "sections": sections,
        "weapons": weapons,
        "help_types": help_types,
        "languages": languages,
    }
    problems = []
    for name, values in given.items():
        unknown = [value for value in values if value not in known[name]]
        if unknown:
            problems.append(Problem(f"{where}{name}", f"unknown: {', '.join(unknown)}"))
        if len(set(values)) != len(values):
            problems.append(Problem(f"{where}{name}", "lists a value twice"))
    return problems


def _check_period(where: str, start: date | None, end: date | None) -> list[Problem]:
    if start is not None and end is not None and end < start:
        return [Problem(f"{where}end_on", "ends before it starts")]
    return []


def _item_problems(session: Session, position: int, item: RequestItemInput) -> list[Problem]:
    where = f"items[{position}]."
    problems = _check_tags(
        session,
        where,
        fields=item.fields,
        weapons=item.weapons,
        help_types=item.help_types,
        languages=item.languages,
    )
    return problems + _check_period(where, item.start_on, item.end_on)


def _consent_problem(consent: str) -> list[Problem]:
    allowed = load_assistance_vocabulary().consent
    if consent not in allowed:
        return [Problem("consent", f"must be one of {', '.join(allowed)}")]
    return []


# --- requests ----------------------------------------------------------------------------------


def submit_request(
    session: Session, *, viewer: Viewer, data: RequestCreate, origin: Origin = Origin.entry
) -> AssistanceRequest:
    """File a request (status `received`); every problem is reported at once, nothing is saved."""
    require(viewer, Role.state_poc, Role.provider, *COMMITTEE_SIDE, action="file a request")
    state, organisation = party(session, viewer, data.state, data.organisation)
    problems = _consent_problem(data.consent)
    for position, item in enumerate(data.items):
        problems += _item_problems(session, position, item)
    received_on = data.received_on or today()
    if received_on > today():
        problems.append(Problem("received_on", "is in the future"))
    if problems:
        raise InvalidData("the request is not valid; nothing was saved", problems=problems)
    key = party_key(state, organisation)
    duplicate = session.scalar(
        select(AssistanceRequest.id).where(
            AssistanceRequest.requester_key == key,
            AssistanceRequest.title == data.title.strip(),
            AssistanceRequest.received_on == received_on,
        )
    )
    if duplicate is not None:
        raise Conflict(
            f"duplicate submission: request {duplicate} has the same requester, title and date"
        )
    request = AssistanceRequest(
        state_id=state.id if state else None,
        organisation_id=organisation.id if organisation else None,
        requester_key=key,
        title=data.title.strip(),
        summary=data.summary,
        received_on=received_on,
        status=FIRST_STATUS,
        consent=data.consent,
        created_by=viewer.actor,
        origin=origin,
        items=[
            AssistanceRequestItem(position=position, **item.model_dump())
            for position, item in enumerate(data.items)
        ],
    )
    session.add(request)
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="assistance_request.submit",
        entity_type="assistance_request",
        entity_id=str(request.id),
        after={"requester": key, "title": request.title, "items": len(data.items)},
    )
    return request


def request_visible(viewer: Viewer) -> ColumnElement[bool]:
    """SQL: the requests this viewer may see (the rule at the top of this module)."""
    if viewer.is_committee_side:
        return true()
    own: ColumnElement[bool] = false()
    if viewer.state_id is not None:
        own = AssistanceRequest.state_id == viewer.state_id
    if viewer.organisation_id is not None:
        own = or_(own, AssistanceRequest.organisation_id == viewer.organisation_id)
    published = and_(
        AssistanceRequest.consent == "public", AssistanceRequest.published_at.is_not(None)
    )
    if viewer.role in (Role.state_poc, Role.provider):
        circulated = and_(
            AssistanceRequest.consent.in_(["public", "providers"]),
            AssistanceRequest.circulated_at.is_not(None),
        )
        return or_(own, circulated, published)
    return published


def get_request(session: Session, *, viewer: Viewer, request_id: int) -> AssistanceRequest:
    request = session.scalars(
        select(AssistanceRequest)
        .options(selectinload(AssistanceRequest.items))
        .where(AssistanceRequest.id == request_id, request_visible(viewer))
    ).first()
    if request is None:
        raise NotFound(f"no assistance request {request_id} that you may see")
    return request


def list_requests(
    session: Session,
    *,
    viewer: Viewer,
    status: str | None = None,
    state: str | None = None,
    paging: PageRequest | None = None,
) -> tuple[list[AssistanceRequest], int]:
    """Requests this viewer may see, newest first."""
    vocabulary = load_assistance_vocabulary()
    problems = []
    if status is not None and status not in vocabulary.statuses:
        problems.append(Problem("status", f"must be one of {', '.join(vocabulary.statuses)}"))
    condition = request_visible(viewer)
    if state is not None:
        state_id = session.scalar(select(State.id).where(State.iso3 == state.upper()))
        if state_id is None:
            problems.append(Problem("state", f"unknown State {state!r}"))
        condition = and_(condition, AssistanceRequest.state_id == state_id)
    if problems:
        raise InvalidData("invalid filter", problems=problems)
    if status is not None:
        condition = and_(condition, AssistanceRequest.status == status)
    paging = paging or PageRequest()
    total = session.scalar(select(func.count()).select_from(AssistanceRequest).where(condition))
    rows = session.scalars(
        select(AssistanceRequest)
        .options(selectinload(AssistanceRequest.items))
        .where(condition)
        .order_by(AssistanceRequest.received_on.desc(), AssistanceRequest.id.desc())
        .offset((paging.page - 1) * paging.page_size)
        .limit(paging.page_size)
    ).all()
    return list(rows), total or 0


def _may_edit(viewer: Viewer, request: AssistanceRequest) -> bool:
    if viewer.is_committee_side:
        return True
    if request.state_id is not None:
        return viewer.role is Role.state_poc and viewer.state_id == request.state_id
    return viewer.organisation_id is not None and viewer.organisation_id == request.organisation_id


def update_request(
    session: Session, *, viewer: Viewer, request_id: int, data: RequestUpdate
) -> AssistanceRequest:
    """Correct a request's title, summary or consent (the requester or the Committee side)."""
    require(viewer, Role.state_poc, Role.provider, *COMMITTEE_SIDE, action="change a request")
    request = get_request(session, viewer=viewer, request_id=request_id)
    if not _may_edit(viewer, request):
        raise Forbidden("only the requester or the Committee side may change a request")
    if request.revision != data.revision:
        raise Conflict(
            f"request {request_id} has changed since you read it (revision {request.revision})",
            details={"current_revision": request.revision},
        )
    if request.status == CLOSED:
        raise Conflict(f"request {request_id} is closed")
    problems = _consent_problem(data.consent) if data.consent is not None else []
    if data.consent is not None and data.consent != "public" and request.published_at:
        problems.append(Problem("consent", "a published request stays public"))
    if problems:
        raise InvalidData("the change is not valid; nothing was saved", problems=problems)
    before = {"title": request.title, "summary": request.summary, "consent": request.consent}
    for name in ("title", "summary", "consent"):
        value = getattr(data, name)
        if value is not None:
            setattr(request, name, value.strip() if name == "title" else value)
    request.revision += 1
    request.updated_at = utc_now()
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="assistance_request.update",
        entity_type="assistance_request",
        entity_id=str(request.id),
        before=before,
        after={"title": request.title, "summary": request.summary, "consent": request.consent},
    )
    return request


def transition_request(
    session: Session, *, viewer: Viewer, request_id: int, to: str, reason: str = ""
) -> AssistanceRequest:
    """Move a request one step along its lifecycle (experts and the Committee)."""
    require(viewer, *COMMITTEE_SIDE, action="move a request through its lifecycle")
    request = get_request(session, viewer=viewer, request_id=request_id)
    vocabulary = load_assistance_vocabulary()
    if to not in vocabulary.statuses:
        raise InvalidData(
            f"unknown status {to!r}",
            problems=[Problem("to", f"must be one of {', '.join(vocabulary.statuses)}")],
        )
    allowed = vocabulary.next_statuses(request.status)
    if to not in allowed:
        onward = ", ".join(allowed) or "nowhere: it is closed"
        raise Conflict(f"a {request.status} request cannot become {to}; allowed next: {onward}")
    if to in vocabulary.requires_public_consent and request.consent != "public":
        raise Conflict(
            f"request {request_id} may not be published: its consent is {request.consent}"
        )
    if to == CLOSED and not reason.strip():
        raise InvalidData("say why the request is closed", problems=[Problem("reason", "required")])
    before = request.status
    request.status = to
    now = utc_now()
    if to == "circulated":
        request.circulated_at = now
    if to == "published":
        request.published_at = now
    request.revision += 1
    request.updated_at = now
    session.flush()
    if to == "circulated":
        # Imported here: matching builds on this module (suggestions need requests and offers).
        from un1540.services.assistance.matching import notify_circulated

        notify_circulated(session, request)
    record_event(
        session,
        actor=viewer.actor,
        action="assistance_request.transition",
        entity_type="assistance_request",
        entity_id=str(request.id),
        before={"status": before},
        after={"status": to},
        reason=reason,
    )
    return request


def requester_name(request: AssistanceRequest) -> tuple[str, str]:
    if request.state is not None:
        return request.state.iso3, request.state.short_name
    organisation = request.organisation
    return (organisation.code, organisation.name) if organisation else ("", "")


# --- offers ------------------------------------------------------------------------------------


def create_offer(
    session: Session, *, viewer: Viewer, data: OfferCreate, origin: Origin = Origin.entry
) -> AssistanceOffer:
    """Publish an offer of assistance; every problem is reported at once, nothing is saved."""
    require(viewer, Role.provider, Role.state_poc, *COMMITTEE_SIDE, action="publish an offer")
    state = organisation = None
    name = data.provider_name.strip()
    if data.state or data.organisation or viewer.role in (Role.provider, Role.state_poc):
        state, organisation = party(session, viewer, data.state, data.organisation)
        name = state.short_name if state else organisation.name if organisation else name
    elif not name:
        raise InvalidData(
            "say who offers",
            problems=[Problem("provider_name", "give a State, an organisation or a name")],
        )
    problems = _check_tags(
        session,
        "",
        fields=data.fields,
        sections=data.sections,
        weapons=data.weapons,
        help_types=data.help_types,
        languages=data.languages,
    )
    problems += _check_period("", data.start_on, data.end_on)
    problems += _offer_problems(session, data)
    if problems:
        raise InvalidData("the offer is not valid; nothing was saved", problems=problems)
    key = party_key(state, organisation) if (state or organisation) else f"name:{name.lower()}"
    duplicate = session.scalar(
        select(AssistanceOffer.id).where(
            AssistanceOffer.provider_key == key, AssistanceOffer.title == data.title.strip()
        )
    )
    if duplicate is not None:
        raise Conflict(f"duplicate submission: offer {duplicate} has the same provider and title")
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


def _offer_problems(session: Session, data: OfferCreate) -> list[Problem]:
    problems = []
    if data.capacity < 0:
        problems.append(Problem("capacity", "must be 0 or more"))
    if data.budget is not None and data.budget < 0:
        problems.append(Problem("budget", "must be 0 or more"))
    if data.budget is not None and data.currency.upper() not in list_currencies():
        problems.append(Problem("currency", f"{data.currency!r} is not an ISO 4217 currency"))
    if data.budget is None and data.currency:
        problems.append(Problem("currency", "give a budget with a currency"))
    if data.visibility not in OFFER_VISIBILITIES:
        problems.append(Problem("visibility", f"must be one of {', '.join(OFFER_VISIBILITIES)}"))
    groups = set(session.scalars(select(State.electoral_group_code).distinct()))
    regions = set(session.scalars(select(State.m49_region_code).distinct()))
    unknown = [code for code in data.regions if code not in groups | regions]
    if unknown:
        problems.append(Problem("regions", f"unknown: {', '.join(unknown)}"))
    return problems


def offer_visible(viewer: Viewer) -> ColumnElement[bool]:
    return visible(AssistanceOffer.visibility, viewer)


def list_offers(
    session: Session, *, viewer: Viewer, paging: PageRequest | None = None
) -> tuple[list[AssistanceOffer], int]:
    paging = paging or PageRequest()
    condition = offer_visible(viewer)
    total = session.scalar(select(func.count()).select_from(AssistanceOffer).where(condition))
    rows = session.scalars(
        select(AssistanceOffer)
        .where(condition)
        .order_by(AssistanceOffer.created_at.desc(), AssistanceOffer.id.desc())
        .offset((paging.page - 1) * paging.page_size)
        .limit(paging.page_size)
    ).all()
    return list(rows), total or 0
