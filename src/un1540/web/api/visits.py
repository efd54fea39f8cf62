"""/api/v1/visits: country visits at a State's invitation, their steps, participants, findings,
follow-up, public summary and consent, and the briefing (JSON, DOCX, PDF)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from un1540.io.briefing import MEDIA_TYPES, briefing_file
from un1540.models import Visit
from un1540.schemas.common import MAX_RECORD_ID
from un1540.schemas.visits import (
    BriefingRead,
    ConsentInput,
    FindingInput,
    FollowUpInput,
    ParticipantInput,
    SummaryInput,
    VisitCreate,
    VisitDetail,
    VisitList,
    VisitTransition,
)
from un1540.schemas.vocabularies import enum
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.envelope import envelope
from un1540.services.profiles.briefing import visit_briefing
from un1540.services.visits.actions import (
    add_follow_up,
    add_participant,
    close_follow_up,
    consent_to_summary,
    invite,
    record_finding,
    transition_visit,
    write_summary,
)
from un1540.services.visits.reads import get_visit, list_visits, visit_facets
from un1540.services.visits.shapes import visit_reads
from un1540.web.api.common import ERRORS, WRITE_ERRORS, FacetsQuery, facet_map, page_response
from un1540.web.deps import PagingDep, SessionDep, ViewerDep, WriterDep
from un1540.web.responses import json_model, synthetic_headers

router = APIRouter(prefix="/visits", tags=["Visits"])
VisitPath = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="Visit number.")]
FollowUpPath = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="Follow-up number.")]


def file_responses(fmt: str) -> dict[int | str, dict[str, Any]]:
    """The briefing file (its real media type), or an error."""
    return {200: {"content": {MEDIA_TYPES[fmt]: {}}, "description": "The file."}, **WRITE_ERRORS}


def _detail(session: SessionDep, visit: Visit, viewer: Viewer, status_code: int = 200) -> Response:
    read = visit_reads(session, viewer, [visit])[0]
    return json_model(VisitDetail(**envelope(read.synthetic), visit=read), status_code=status_code)


def _reloaded(session: SessionDep, viewer: Viewer, visit_id: int) -> Response:
    return _detail(session, get_visit(session, viewer=viewer, visit_id=visit_id), viewer)


@router.get("", summary="Country visits", response_model=VisitList, responses=ERRORS)
def visits_list(
    session: SessionDep,
    viewer: ViewerDep,
    paging: PagingDep,
    state: Annotated[
        str | None,
        Query(description="Only this State's visits (ISO3).", json_schema_extra=enum("state")),
    ] = None,
    status: Annotated[
        str | None,
        Query(description="Only visits in this status.", json_schema_extra=enum("visit_status")),
    ] = None,
    year: Annotated[
        int | None, Query(ge=1900, le=2100, description="Invited in this year.")
    ] = None,
    facets: FacetsQuery = False,
) -> Response:
    """The Committee side sees every visit, a State's points of contact their State's; anyone
    else only the public summaries the visited States consented to."""
    filters: dict[str, Any] = {"state": state, "status": status, "year": year}
    rows, total = list_visits(session, viewer=viewer, paging=paging, **filters)
    items = visit_reads(session, viewer, rows)
    synthetic = any(item.synthetic for item in items)
    counts = visit_facets(session, viewer=viewer, **filters) if facets else None
    return page_response(
        VisitList,
        items,
        total=total,
        paging=paging,
        synthetic=synthetic,
        facets=None if counts is None else facet_map(counts),
    )


@router.post(
    "",
    summary="Record a State's invitation to visit",
    status_code=201,
    response_model=VisitDetail,
    responses=WRITE_ERRORS,
)
def visits_create(session: SessionDep, viewer: WriterDep, body: VisitCreate) -> Response:
    """The State's point of contact invites (for their State); the Committee side records an
    invitation received, with its reference (`invitation`, required: no visit without one)."""
    visit = invite(session, viewer=viewer, data=body)
    return _detail(session, visit, viewer, status_code=201)


@router.get("/{visit_id}", summary="One visit", response_model=VisitDetail, responses=ERRORS)
def visits_detail(session: SessionDep, viewer: ViewerDep, visit_id: VisitPath) -> Response:
    return _reloaded(session, viewer, visit_id)


@router.post(
    "/{visit_id}/transitions",
    summary="Move a visit along its lifecycle",
    response_model=VisitDetail,
    responses=WRITE_ERRORS,
)
def visits_transition(
    session: SessionDep, viewer: WriterDep, visit_id: VisitPath, body: VisitTransition
) -> Response:
    """invited -> accepted (the Committee) -> preparation -> conducted -> findings -> follow_up
    (experts) -> closed (the Committee). Out of order: 409. `on` dates the step (`until` the
    last day of a conducted visit); dates out of order are refused naming the field."""
    transition_visit(session, viewer=viewer, visit_id=visit_id, data=body)
    return _reloaded(session, viewer, visit_id)


@router.post(
    "/{visit_id}/participants",
    summary="Name who takes part in a visit",
    response_model=VisitDetail,
    responses=WRITE_ERRORS,
)
def visits_participant(
    session: SessionDep, viewer: WriterDep, visit_id: VisitPath, body: ParticipantInput
) -> Response:
    add_participant(session, viewer=viewer, visit_id=visit_id, data=body)
    return _reloaded(session, viewer, visit_id)


@router.post(
    "/{visit_id}/findings",
    summary="Record a finding on one matrix field",
    response_model=VisitDetail,
    responses=WRITE_ERRORS,
)
def visits_finding(
    session: SessionDep, viewer: WriterDep, visit_id: VisitPath, body: FindingInput
) -> Response:
    record_finding(session, viewer=viewer, visit_id=visit_id, data=body)
    return _reloaded(session, viewer, visit_id)


@router.post(
    "/{visit_id}/follow-ups",
    summary="Turn a finding into an assistance request or an action-plan measure",
    response_model=VisitDetail,
    responses=WRITE_ERRORS,
)
def visits_follow_up(
    session: SessionDep, viewer: WriterDep, visit_id: VisitPath, body: FollowUpInput
) -> Response:
    """One step: an assistance request is filed for the State through the clearinghouse (tagged
    with the finding's field and weapon) and tracked by its own status."""
    add_follow_up(session, viewer=viewer, visit_id=visit_id, data=body)
    return _reloaded(session, viewer, visit_id)


@router.post(
    "/{visit_id}/follow-ups/{follow_up_id}/close",
    summary="Close an action-plan measure a visit led to",
    response_model=VisitDetail,
    responses=WRITE_ERRORS,
)
def visits_close_follow_up(
    session: SessionDep, viewer: WriterDep, visit_id: VisitPath, follow_up_id: FollowUpPath
) -> Response:
    close_follow_up(session, viewer=viewer, visit_id=visit_id, follow_up_id=follow_up_id)
    return _reloaded(session, viewer, visit_id)


@router.post(
    "/{visit_id}/summary",
    summary="Write a visit's public summary",
    response_model=VisitDetail,
    responses=WRITE_ERRORS,
)
def visits_summary(
    session: SessionDep, viewer: WriterDep, visit_id: VisitPath, body: SummaryInput
) -> Response:
    """The Committee side. A changed text withdraws the State's consent until it agrees again."""
    write_summary(session, viewer=viewer, visit_id=visit_id, text=body.text)
    return _reloaded(session, viewer, visit_id)


@router.post(
    "/{visit_id}/consent",
    summary="The State consents to (or withdraws) the public summary",
    response_model=VisitDetail,
    responses=WRITE_ERRORS,
)
def visits_consent(
    session: SessionDep, viewer: WriterDep, visit_id: VisitPath, body: ConsentInput
) -> Response:
    """Only the visited State's points of contact; recorded in the audit trail."""
    consent_to_summary(session, viewer=viewer, visit_id=visit_id, data=body)
    return _reloaded(session, viewer, visit_id)


@router.get(
    "/{visit_id}/briefing",
    summary="The visit's briefing, generated from the data",
    response_model=BriefingRead,
    responses=WRITE_ERRORS,
)
def visits_briefing(session: SessionDep, viewer: ViewerDep, visit_id: VisitPath) -> Response:
    """The Committee side and the visited State, once the visit is accepted."""
    _visit, _profile, briefing = visit_briefing(session, viewer=viewer, visit_id=visit_id)
    return json_model(briefing)


def _briefing_file(session: SessionDep, viewer: Viewer, visit_id: int, fmt: str) -> Response:
    visit, profile, briefing = visit_briefing(session, viewer=viewer, visit_id=visit_id)
    content, name, media_type = briefing_file(visit, profile, fmt, synthetic=briefing.synthetic)
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(
        content, media_type=media_type, headers=headers | synthetic_headers(briefing.synthetic)
    )


@router.get(
    "/{visit_id}/briefing.docx",
    summary="The visit's briefing as a Word document",
    response_class=Response,
    responses=file_responses("docx"),
)
def visits_briefing_docx(session: SessionDep, viewer: ViewerDep, visit_id: VisitPath) -> Response:
    return _briefing_file(session, viewer, visit_id, "docx")


@router.get(
    "/{visit_id}/briefing.pdf",
    summary="The visit's briefing as PDF",
    response_class=Response,
    responses=file_responses("pdf"),
)
def visits_briefing_pdf(session: SessionDep, viewer: ViewerDep, visit_id: VisitPath) -> Response:
    return _briefing_file(session, viewer, visit_id, "pdf")
