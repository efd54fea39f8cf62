"""/api/v1/funding: pledges and contributions, with totals per donor and per recipient."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from un1540.schemas.assistance import FundingCreate, FundingList, FundingRead
from un1540.schemas.text import CODE
from un1540.schemas.vocabularies import enum
from un1540.services.assistance.actions.funding import record_funding
from un1540.services.assistance.reads.funding import (
    FundingFilter,
    funding_entries,
    funding_facets,
    funding_totals,
    visible_project_ids,
)
from un1540.services.assistance.shapes import funding_read
from un1540.web.api.common import ERRORS, WRITE_ERRORS, FacetsQuery, facet_map, page_response
from un1540.web.deps import PagingDep, SessionDep, ViewerDep, WriterDep
from un1540.web.responses import json_model

router = APIRouter(prefix="/funding", tags=["Assistance"])


@router.post(
    "/pledges",
    summary="Record a pledge or a contribution",
    status_code=201,
    response_model=FundingRead,
    responses=WRITE_ERRORS,
)
def funding_create(session: SessionDep, viewer: WriterDep, body: FundingCreate) -> Response:
    """Amount, currency (ISO 4217), date, optionally earmarked to a region, an area or a project."""
    entry = record_funding(session, viewer=viewer, data=body)
    shown = visible_project_ids(session, viewer)
    return json_model(funding_read(entry, shown), status_code=201)


@router.get(
    "/pledges",
    summary="Pledges and contributions, with totals",
    response_model=FundingList,
    responses=ERRORS,
)
def funding_list(
    session: SessionDep,
    viewer: ViewerDep,
    paging: PagingDep,
    kind: Annotated[
        str | None,
        Query(description="pledge or contribution.", json_schema_extra=enum("funding_kind")),
        CODE,
    ] = None,
    currency: Annotated[
        str | None,
        Query(description="The currency (ISO 4217).", json_schema_extra=enum("currency")),
        CODE,
    ] = None,
    year: Annotated[int | None, Query(ge=1900, le=2100, description="Made in this year.")] = None,
    facets: FacetsQuery = False,
) -> Response:
    """Every entry (filtered), and pledged versus paid per donor and per recipient State, per
    currency."""
    filters = FundingFilter(kind=kind, currency=currency, year=year)
    entries = funding_entries(session, viewer=viewer, filters=filters)
    shown = visible_project_ids(session, viewer)
    by_donor, by_recipient = funding_totals(entries, shown)
    items = [funding_read(entry, shown) for entry in entries]
    return page_response(
        FundingList,
        paging.cut(items),
        total=len(items),
        paging=paging,
        synthetic=any(item.synthetic for item in items),
        by_donor=by_donor,
        by_recipient=by_recipient,
        facets=facet_map(funding_facets(session, viewer=viewer, filters=filters))
        if facets
        else None,
    )
