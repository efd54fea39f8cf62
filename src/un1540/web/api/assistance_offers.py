"""/api/v1/assistance/offers: offers of assistance."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from un1540.schemas.assistance import (
    AssistanceOfferCreate,
    AssistanceOfferDetail,
    AssistanceOfferList,
)
from un1540.services.assistance.actions.offers import create_offer
from un1540.services.assistance.reads.offers import list_offers
from un1540.services.assistance.shapes import offer_read
from un1540.services.kernel.envelope import envelope
from un1540.web.api.common import ERRORS, WRITE_ERRORS, page_response
from un1540.web.deps import PagingDep, SessionDep, ViewerDep, WriterDep
from un1540.web.responses import json_model

router = APIRouter(prefix="/assistance", tags=["Assistance"])


@router.post(
    "/offers",
    summary="Publish an offer of assistance",
    status_code=201,
    response_model=AssistanceOfferDetail,
    responses=WRITE_ERRORS,
)
def offers_create(session: SessionDep, viewer: WriterDep, body: AssistanceOfferCreate) -> Response:
    """Providers (for their organisation or State) and the Committee side."""
    offer = create_offer(session, viewer=viewer, data=body)
    read = offer_read(offer)
    return json_model(
        AssistanceOfferDetail(**envelope(read.synthetic), offer=read), status_code=201
    )


@router.get(
    "/offers", summary="Offers of assistance", response_model=AssistanceOfferList, responses=ERRORS
)
def offers_list(session: SessionDep, viewer: ViewerDep, paging: PagingDep) -> Response:
    """The offers you may see, newest first."""
    rows, total = list_offers(session, viewer=viewer, paging=paging)
    items = [offer_read(row) for row in rows]
    synthetic = any(item.synthetic for item in items)
    return page_response(
        AssistanceOfferList, items, total=total, paging=paging, synthetic=synthetic
    )
