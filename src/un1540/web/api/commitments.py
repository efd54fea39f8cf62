"""/api/v1/commitments: commitments announced by States and organisations, tracked to delivery;
/api/v1/events/{event_id}/outcome: an event's outcome document (JSON, DOCX, PDF) as of a date."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from un1540.io.outcome_document import MEDIA_TYPES, outcome_file
from un1540.schemas.commitments import (
    CommitmentCreate,
    CommitmentDetail,
    CommitmentList,
    CommitmentTransition,
    OutcomeRead,
)
from un1540.schemas.common import MAX_RECORD_ID
from un1540.schemas.text import Code
from un1540.schemas.vocabularies import enum
from un1540.services.commitments.actions import create_commitment, transition_commitment
from un1540.services.commitments.notices import OVERDUE_TASK  # noqa: F401 (registers the topic)
from un1540.services.commitments.reads import commitment_facets, event_outcome, list_commitments
from un1540.services.commitments.shapes import commitment_detail, commitment_reads, outcome_read
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.envelope import envelope
from un1540.web.api.common import ERRORS, WRITE_ERRORS, FacetsQuery, facet_map, page_response
from un1540.web.deps import PagingDep, SessionDep, ViewerDep, WriterDep
from un1540.web.responses import json_model, synthetic_headers

router = APIRouter(tags=["Commitments"])
CommitmentPath = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="Commitment number.")]
EventPath = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="Event number.")]
AsOfQuery = Annotated[
    date | None, Query(description="The date the statuses are given as of (default today).")
]


def _detail(session: SessionDep, viewer: Viewer, commitment_id: int, status: int = 200) -> Response:
    read = commitment_detail(session, viewer=viewer, commitment_id=commitment_id)
    return json_model(
        CommitmentDetail(**envelope(read.synthetic), commitment=read), status_code=status
    )


@router.get("/commitments", summary="Commitments", response_model=CommitmentList, responses=ERRORS)
def commitments_list(
    session: SessionDep,
    viewer: ViewerDep,
    paging: PagingDep,
    state: Annotated[
        Code | None,
        Query(description="Only this State's (ISO3).", json_schema_extra=enum("state")),
    ] = None,
    organisation: Annotated[
        Code | None,
        Query(
            description="Only this organisation's (its code, e.g. iaea).",
            json_schema_extra=enum("organisation"),
        ),
    ] = None,
    event: Annotated[
        int | None, Query(ge=1, le=MAX_RECORD_ID, description="Only those of this event.")
    ] = None,
    kind: Annotated[
        Code | None, Query(description="Only this kind.", json_schema_extra=enum("commitment_kind"))
    ] = None,
    status: Annotated[
        Code | None,
        Query(description="Only in this status.", json_schema_extra=enum("commitment_status")),
    ] = None,
    overdue: Annotated[
        bool | None, Query(description="Only overdue (true) or not overdue (false) ones.")
    ] = None,
    facets: FacetsQuery = False,
) -> Response:
    """Every commitment you may see, latest announced first, with its delivery. The `overdue`
    facet's values are yes and no."""
    filters: dict[str, Any] = {
        "state": state,
        "organisation": organisation,
        "event": event,
        "kind": kind,
        "status": status,
        "overdue": overdue,
    }
    listing = list_commitments(session, viewer=viewer, paging=paging, **filters)
    counts = commitment_facets(session, viewer=viewer, **filters) if facets else None
    return page_response(
        CommitmentList,
        commitment_reads(session, viewer, listing.commitments),
        total=listing.total,
        paging=paging,
        synthetic=listing.synthetic,
        facets=None if counts is None else facet_map(counts),
    )


@router.post(
    "/commitments",
    summary="Record a commitment",
    status_code=201,
    response_model=CommitmentDetail,
    responses=WRITE_ERRORS,
)
def commitments_create(session: SessionDep, viewer: WriterDep, body: CommitmentCreate) -> Response:
    """The Committee side for anyone; a State's points of contact for their State; an
    organisation's contacts for their organisation. Unknown States, organisations, fields or
    regions, a target date before the announcement: 422 naming the field, nothing written."""
    commitment = create_commitment(session, viewer=viewer, data=body)
    return _detail(session, viewer, commitment.id, status=201)


@router.get(
    "/commitments/{commitment_id}",
    summary="One commitment, its history and what fulfils it",
    response_model=CommitmentDetail,
    responses=ERRORS,
)
def commitments_detail(
    session: SessionDep, viewer: ViewerDep, commitment_id: CommitmentPath
) -> Response:
    return _detail(session, viewer, commitment_id)


@router.post(
    "/commitments/{commitment_id}/transitions",
    summary="Move a commitment along its lifecycle",
    response_model=CommitmentDetail,
    responses=WRITE_ERRORS,
)
def commitments_transition(
    session: SessionDep,
    viewer: WriterDep,
    commitment_id: CommitmentPath,
    body: CommitmentTransition,
) -> Response:
    """The owner's side or the Committee side: the next status (reference/lifecycles.yml,
    `commitment`; out of order: 409), effective on a date, with a note and the records that
    fulfil it (each must exist and be visible to you; an edition must be approved and the
    field named must have changed in it)."""
    transition_commitment(session, viewer=viewer, commitment_id=commitment_id, data=body)
    return _detail(session, viewer, commitment_id)


def _outcome(session: SessionDep, viewer: Viewer, event_id: int, as_of: date | None) -> OutcomeRead:
    return outcome_read(event_outcome(session, viewer=viewer, event_id=event_id, as_of=as_of))


@router.get(
    "/events/{event_id}/outcome",
    summary="An event's outcome document",
    response_model=OutcomeRead,
    responses=ERRORS,
)
def event_outcome_json(
    session: SessionDep, viewer: ViewerDep, event_id: EventPath, as_of: AsOfQuery = None
) -> Response:
    """The commitments announced at the event that you may see, each with its status as of
    `as_of` (the last change effective on or before it)."""
    return json_model(_outcome(session, viewer, event_id, as_of))


def file_responses(fmt: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {MEDIA_TYPES[fmt]: {}}, "description": "The file."}, **ERRORS}


def _file(
    session: SessionDep, viewer: Viewer, event_id: int, as_of: date | None, fmt: str
) -> Response:
    outcome = _outcome(session, viewer, event_id, as_of)
    content, name, media_type = outcome_file(outcome, fmt)
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(
        content, media_type=media_type, headers=headers | synthetic_headers(outcome.synthetic)
    )


@router.get(
    "/events/{event_id}/outcome.docx",
    summary="An event's outcome document as a Word document",
    response_class=Response,
    responses=file_responses("docx"),
)
def event_outcome_docx(
    session: SessionDep, viewer: ViewerDep, event_id: EventPath, as_of: AsOfQuery = None
) -> Response:
    return _file(session, viewer, event_id, as_of, "docx")


@router.get(
    "/events/{event_id}/outcome.pdf",
    summary="An event's outcome document as PDF",
    response_class=Response,
    responses=file_responses("pdf"),
)
def event_outcome_pdf(
    session: SessionDep, viewer: ViewerDep, event_id: EventPath, as_of: AsOfQuery = None
) -> Response:
    return _file(session, viewer, event_id, as_of, "pdf")
