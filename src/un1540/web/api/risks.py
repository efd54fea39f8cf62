"""/api/v1/risks: technology and emerging risk notes with the coverage, by M49 region, of the
matrix fields that answer them (docs/risks.md)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from un1540.reference.risks import load_risk_notes
from un1540.schemas.risks import RisksRead
from un1540.services.coverage.risks import risk_coverage
from un1540.web.api.common import ERRORS
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.responses import json_model

router = APIRouter(prefix="/risks", tags=["Coverage"])

AsOfQuery = Annotated[
    date | None,
    Query(
        description="YYYY-MM-DD: count the edition of each State in force on this date "
        "(before any approved edition, none is counted). Omit for today."
    ),
]
RiskPath = Annotated[
    str,
    Path(
        min_length=2,
        max_length=40,
        pattern="^[a-z][a-z0-9_]+$",
        description="The note's stable code.",
        examples=[note.id for note in load_risk_notes().notes][:1],
    ),
]


@router.get(
    "",
    summary="Technology and emerging risk notes, with the coverage of their fields by region",
    response_model=RisksRead,
    responses=ERRORS,
)
def risks_list(session: SessionDep, viewer: ViewerDep, as_of: AsOfQuery = None) -> Response:
    """Each note with the matrix fields whose measures answer it and, per M49 region, the share
    of States with at least one of those fields marked X in their edition in force on the date.
    Describes the information recorded, not a State's risk or its compliance."""
    return json_model(risk_coverage(session, viewer=viewer, as_of=as_of))


@router.get(
    "/{risk_id}",
    summary="One risk note, with the coverage of its fields by region",
    response_model=RisksRead,
    responses=ERRORS,
)
def risks_one(
    session: SessionDep, viewer: ViewerDep, risk_id: RiskPath, as_of: AsOfQuery = None
) -> Response:
    """The same as the list, for one note (404 for an unknown code)."""
    return json_model(risk_coverage(session, viewer=viewer, as_of=as_of, note_id=risk_id))
