"""/api/v1/assistance/judgements and /assignment: experts' verdicts and the global assignment."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from un1540.schemas.assistance import AssignmentRead, JudgementCreate, JudgementRead
from un1540.services.assistance.actions.judgements import record_judgement
from un1540.services.assistance.reads.suggestions import global_assignment
from un1540.services.assistance.shapes import judgement_read
from un1540.services.kernel.actors import actor_names
from un1540.web.api.common import WRITE_ERRORS
from un1540.web.deps import SessionDep, WriterDep
from un1540.web.responses import json_model

router = APIRouter(prefix="/assistance", tags=["Assistance"])


@router.post(
    "/judgements",
    summary="Judge a suggested pair",
    status_code=201,
    response_model=JudgementRead,
    responses=WRITE_ERRORS,
)
def judgements_create(session: SessionDep, viewer: WriterDep, body: JudgementCreate) -> Response:
    """Experts and the Committee: accept, reject or unsure; kept, and it changes later rankings
    (a rejected pair is never suggested again, not even to the requester; an accepted one is
    fixed in the global assignment and uses the offer's capacity once)."""
    judgement = record_judgement(session, viewer=viewer, data=body)
    read = judgement_read(judgement, actor_names(session, viewer, [judgement.judged_by]))
    return json_model(read, status_code=201)


@router.post(
    "/assignment",
    summary="Global assignment of open request items to offers",
    response_model=AssignmentRead,
    responses=WRITE_ERRORS,
)
def assignment(session: SessionDep, viewer: WriterDep) -> Response:
    """Experts and the Committee: at most one offer per circulated or published item, each offer
    within its capacity, the greatest total score; pairs experts accepted are fixed in it
    (`accepted`); explains every pair (parts, reasons, the English sentence) and every item left
    out. Computes a proposal; it writes nothing."""
    return json_model(global_assignment(session, viewer=viewer))
