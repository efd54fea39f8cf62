"""/api/v1/assistance/requests: requests for assistance, their lifecycle and their suggestions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from un1540.models import AssistanceRequest
from un1540.schemas.assistance import (
    AssistanceRequestCreate,
    AssistanceRequestDetail,
    AssistanceRequestList,
    AssistanceRequestUpdate,
    ConsentChange,
    SuggestionsRead,
    TransitionRequest,
)
from un1540.schemas.common import MAX_RECORD_ID
from un1540.schemas.vocabularies import enum
from un1540.services.assistance.actions.requests import (
    change_consent,
    submit_request,
    transition_request,
    update_request,
)
from un1540.services.assistance.reads.requests import get_request
from un1540.services.assistance.reads.suggestions import suggestions_for
from un1540.services.assistance.shapes import request_page, request_read
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.envelope import envelope
from un1540.web.api.common import ERRORS, WRITE_ERRORS, page_response
from un1540.web.deps import PagingDep, SessionDep, ViewerDep, WriterDep
from un1540.web.responses import json_model

router = APIRouter(prefix="/assistance", tags=["Assistance"])
RequestPath = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="Request number.")]


def _detail(request: AssistanceRequest, viewer: Viewer, status_code: int = 200) -> Response:
    read = request_read(request, viewer)
    return json_model(
        AssistanceRequestDetail(**envelope(read.synthetic), request=read), status_code=status_code
    )


@router.post(
    "/requests",
    summary="File a request for assistance",
    status_code=201,
    response_model=AssistanceRequestDetail,
    responses=WRITE_ERRORS,
)
def requests_create(
    session: SessionDep, viewer: WriterDep, body: AssistanceRequestCreate
) -> Response:
    """A State's point of contact (for its State), a regional organisation's account, or the
    Committee side on their behalf; each item tagged with matrix fields and kinds of help."""
    request = submit_request(session, viewer=viewer, data=body)
    return _detail(request, viewer, status_code=201)


@router.get(
    "/requests",
    summary="Requests for assistance",
    response_model=AssistanceRequestList,
    responses=ERRORS,
)
def requests_list(
    session: SessionDep,
    viewer: ViewerDep,
    paging: PagingDep,
    status: Annotated[
        str | None,
        Query(
            description="Only requests in this status.", json_schema_extra=enum("request_status")
        ),
    ] = None,
    state: Annotated[
        str | None,
        Query(description="Only this State's requests (ISO3).", json_schema_extra=enum("state")),
    ] = None,
) -> Response:
    """The requests you may see (by the requester's consent), newest first."""
    items, total = request_page(session, viewer=viewer, status=status, state=state, paging=paging)
    synthetic = any(item.synthetic for item in items)
    return page_response(
        AssistanceRequestList, items, total=total, paging=paging, synthetic=synthetic
    )


@router.get(
    "/requests/{request_id}",
    summary="One request",
    response_model=AssistanceRequestDetail,
    responses=ERRORS,
)
def requests_detail(session: SessionDep, viewer: ViewerDep, request_id: RequestPath) -> Response:
    return _detail(get_request(session, viewer=viewer, request_id=request_id), viewer)


@router.patch(
    "/requests/{request_id}",
    summary="Correct a request",
    response_model=AssistanceRequestDetail,
    responses=WRITE_ERRORS,
)
def requests_update(
    session: SessionDep, viewer: WriterDep, request_id: RequestPath, body: AssistanceRequestUpdate
) -> Response:
    """Title, summary or a narrower consent, with the revision you read (409 when it is
    stale). Widening the consent is its own step: POST .../consent."""
    request = update_request(session, viewer=viewer, request_id=request_id, data=body)
    return _detail(request, viewer)


@router.post(
    "/requests/{request_id}/consent",
    summary="Change who may see a request",
    response_model=AssistanceRequestDetail,
    responses=WRITE_ERRORS,
)
def requests_consent(
    session: SessionDep, viewer: WriterDep, request_id: RequestPath, body: ConsentChange
) -> Response:
    """The requester or the Committee side, with the revision you read. Narrowing is done at
    once; widening needs `confirm: true`. The audit trail records the consent before and after,
    who and why."""
    request = change_consent(
        session,
        viewer=viewer,
        request_id=request_id,
        consent=body.consent,
        revision=body.revision,
        reason=body.reason,
        confirmed=body.confirm,
    )
    return _detail(request, viewer)


@router.post(
    "/requests/{request_id}/transitions",
    summary="Move a request along its lifecycle",
    response_model=AssistanceRequestDetail,
    responses=WRITE_ERRORS,
)
def requests_transition(
    session: SessionDep, viewer: WriterDep, request_id: RequestPath, body: TransitionRequest
) -> Response:
    """Experts and the Committee: `{"to": "acknowledged"}`; an invalid step is refused (409).
    Circulating a request notifies the providers whose offers are suggested for it."""
    request = transition_request(
        session, viewer=viewer, request_id=request_id, to=body.to, reason=body.reason
    )
    return _detail(request, viewer)


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
