"""/api/v1/assistance: requests for assistance, their lifecycle, and offers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Path, Query, Request
from starlette.responses import Response

from un1540.models import AssistanceOffer, AssistanceRequest, Origin
from un1540.reference.assistance import load_assistance_vocabulary
from un1540.schemas.assistance import (
    AssignmentRead,
    JudgementCreate,
    JudgementRead,
    OfferCreate,
    OfferDetail,
    OfferList,
    OfferRead,
    RequestCreate,
    RequestDetail,
    RequestItemRead,
    RequestList,
    RequestRead,
    RequestUpdate,
    SuggestionsRead,
    TransitionRequest,
)
from un1540.services.assistance.core import (
    create_offer,
    get_request,
    list_offers,
    list_requests,
    requester_name,
    submit_request,
    transition_request,
    update_request,
)
from un1540.services.assistance.matching import global_assignment, record_judgement, suggestions_for
from un1540.services.kernel.envelope import envelope
from un1540.web.api.common import ERRORS, WRITE_ERRORS, page_response
from un1540.web.deps import PagingDep, SessionDep, ViewerDep, WriterDep
from un1540.web.mail import send_emails
from un1540.web.responses import json_model

router = APIRouter(prefix="/assistance", tags=["Assistance"])
RequestPath = Annotated[int, Path(ge=1, description="Request number.")]


def request_read(request: AssistanceRequest) -> RequestRead:
    code, name = requester_name(request)
    return RequestRead(
        id=request.id,
        requester=code,
        requester_name=name,
        title=request.title,
        summary=request.summary,
        received_on=request.received_on,
        status=request.status,
        next_statuses=list(load_assistance_vocabulary().next_statuses(request.status)),
        consent=request.consent,
        revision=request.revision,
        created_at=request.created_at,
        updated_at=request.updated_at,
        synthetic=request.origin is Origin.demo,
        items=[
            RequestItemRead(
                id=item.id,
                description=item.description,
                fields=item.fields,
                weapons=item.weapons,
                help_types=item.help_types,
                languages=item.languages,
                preferred_provider=item.preferred_provider,
                start_on=item.start_on,
                end_on=item.end_on,
            )
            for item in request.items
        ],
    )


def offer_read(offer: AssistanceOffer) -> OfferRead:
    if offer.state is not None:
        provider = offer.state.iso3
    elif offer.organisation is not None:
        provider = offer.organisation.code
    else:
        provider = ""
    return OfferRead(
        id=offer.id,
        provider=provider,
        provider_name=offer.provider_name,
        title=offer.title,
        description=offer.description,
        fields=offer.fields,
        sections=offer.sections,
        weapons=offer.weapons,
        help_types=offer.help_types,
        regions=offer.regions,
        languages=offer.languages,
        capacity=offer.capacity,
        budget=offer.budget,
        currency=offer.currency,
        start_on=offer.start_on,
        end_on=offer.end_on,
        visibility=offer.visibility.value,
        synthetic=offer.origin is Origin.demo,
        created_at=offer.created_at,
    )


def _detail(request: AssistanceRequest, status_code: int = 200) -> Response:
    read = request_read(request)
    return json_model(
        RequestDetail(**envelope(read.synthetic), request=read), status_code=status_code
    )


@router.post(
    "/requests",
    summary="File a request for assistance",
    status_code=201,
    response_model=RequestDetail,
    responses=WRITE_ERRORS,
)
def requests_create(session: SessionDep, viewer: WriterDep, body: RequestCreate) -> Response:
    """A State's point of contact (for its State), a regional organisation's account, or the
    Committee side on their behalf; each item tagged with matrix fields and kinds of help."""
    request = submit_request(session, viewer=viewer, data=body)
    session.commit()
    return _detail(request, status_code=201)


@router.get(
    "/requests", summary="Requests for assistance", response_model=RequestList, responses=ERRORS
)
def requests_list(
    session: SessionDep,
    viewer: ViewerDep,
    paging: PagingDep,
    status: Annotated[str | None, Query(description="Only requests in this status.")] = None,
    state: Annotated[str | None, Query(description="Only this State's requests (ISO3).")] = None,
) -> Response:
    """The requests you may see (by the requester's consent), newest first."""
    rows, total = list_requests(session, viewer=viewer, status=status, state=state, paging=paging)
    items = [request_read(row) for row in rows]
    synthetic = any(item.synthetic for item in items)
    return page_response(RequestList, items, total=total, paging=paging, synthetic=synthetic)


@router.get(
    "/requests/{request_id}",
    summary="One request",
    response_model=RequestDetail,
    responses=ERRORS,
)
def requests_detail(session: SessionDep, viewer: ViewerDep, request_id: RequestPath) -> Response:
    return _detail(get_request(session, viewer=viewer, request_id=request_id))


@router.patch(
    "/requests/{request_id}",
    summary="Correct a request",
    response_model=RequestDetail,
    responses=WRITE_ERRORS,
)
def requests_update(
    session: SessionDep, viewer: WriterDep, request_id: RequestPath, body: RequestUpdate
) -> Response:
    """Title, summary or consent, with the revision you read (409 when it is stale)."""
    request = update_request(session, viewer=viewer, request_id=request_id, data=body)
    session.commit()
    return _detail(request)


@router.post(
    "/requests/{request_id}/transitions",
    summary="Move a request along its lifecycle",
    response_model=RequestDetail,
    responses=WRITE_ERRORS,
)
def requests_transition(
    session: SessionDep,
    viewer: WriterDep,
    request_id: RequestPath,
    body: TransitionRequest,
    http: Request,
    background: BackgroundTasks,
) -> Response:
    """Experts and the Committee: `{"to": "acknowledged"}`; an invalid step is refused (409).
    Circulating a request notifies the providers whose offers are suggested for it."""
    request = transition_request(
        session, viewer=viewer, request_id=request_id, to=body.to, reason=body.reason
    )
    session.commit()
    background.add_task(send_emails, http.app.state.sessions, http.app.state.settings)
    return _detail(request)


@router.get(
    "/requests/{request_id}/suggestions",
    summary="Ranked offers for each item of a request, explained",
    response_model=SuggestionsRead,
    responses=WRITE_ERRORS,
)
def requests_suggestions(
    session: SessionDep, viewer: ViewerDep, request_id: RequestPath
) -> Response:
    """For the Committee side and the requester: each item's best offers with every part of the
    score (fields, weapons, kind of help, language, region, capacity, the provider's record)."""
    return json_model(suggestions_for(session, viewer=viewer, request_id=request_id))


@router.post(
    "/judgements",
    summary="Judge a suggested pair",
    status_code=201,
    response_model=JudgementRead,
    responses=WRITE_ERRORS,
)
def judgements_create(session: SessionDep, viewer: WriterDep, body: JudgementCreate) -> Response:
    """Experts and the Committee: accept, reject or unsure; kept, and it changes later rankings
    (a rejected pair is never suggested again; an accepted one uses the offer's capacity)."""
    judgement = record_judgement(session, viewer=viewer, data=body)
    session.commit()
    return json_model(
        JudgementRead(
            item_id=judgement.item_id,
            offer_id=judgement.offer_id,
            verdict=judgement.verdict,
            note=judgement.note,
            judged_by=judgement.judged_by,
            judged_at=judgement.judged_at,
        ),
        status_code=201,
    )


@router.post(
    "/assignment",
    summary="Global assignment of open request items to offers",
    response_model=AssignmentRead,
    responses=WRITE_ERRORS,
)
def assignment(session: SessionDep, viewer: WriterDep) -> Response:
    """Experts and the Committee: at most one offer per circulated or published item, each offer
    within its capacity, the greatest total score; explains every pair and every item left out.
    Computes a proposal; it writes nothing."""
    return json_model(global_assignment(session, viewer=viewer))


@router.post(
    "/offers",
    summary="Publish an offer of assistance",
    status_code=201,
    response_model=OfferDetail,
    responses=WRITE_ERRORS,
)
def offers_create(session: SessionDep, viewer: WriterDep, body: OfferCreate) -> Response:
    """Providers (for their organisation or State) and the Committee side."""
    offer = create_offer(session, viewer=viewer, data=body)
    session.commit()
    read = offer_read(offer)
    return json_model(OfferDetail(**envelope(read.synthetic), offer=read), status_code=201)


@router.get("/offers", summary="Offers of assistance", response_model=OfferList, responses=ERRORS)
def offers_list(session: SessionDep, viewer: ViewerDep, paging: PagingDep) -> Response:
    """The offers you may see, newest first."""
    rows, total = list_offers(session, viewer=viewer, paging=paging)
    items = [offer_read(row) for row in rows]
    synthetic = any(item.synthetic for item in items)
    return page_response(OfferList, items, total=total, paging=paging, synthetic=synthetic)
