"""/api/v1/priorities: the prioritisation aid (not a compliance measure)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from un1540.io.csv_export import priorities_csv
from un1540.schemas.priorities import PrioritiesRead
from un1540.services.coverage.reads.priorities import priorities
from un1540.services.kernel.paging import SUMMARY
from un1540.web.api.common import CSV_RESPONSE, ERRORS
from un1540.web.deps import PagingDep, SessionDep, ViewerDep
from un1540.web.responses import csv_response, json_model

router = APIRouter(tags=["Priorities"])

WeightsQuery = Annotated[
    str | None,
    Query(
        max_length=1000,
        description=(
            "factor:weight pairs separated by commas, e.g. gap_op2:2,nuclear_material:0. "
            "Factors not named keep their default weight."
        ),
        examples=["gap_op3ab:2,incidents:1"],
    ),
]


@router.get(
    "/priorities",
    summary="Prioritisation aid: States ranked, explained, with rank stability",
    response_model=PrioritiesRead,
    responses=ERRORS,
)
def priorities_ranking(
    session: SessionDep, viewer: ViewerDep, paging: PagingDep, weights: WeightsQuery = None
) -> Response:
    """An aid for focusing dialogue and assistance, never a compliance measure: each State's
    score is the weighted average of its factor values, explained factor by factor."""
    return json_model(priorities(session, viewer=viewer, weights=weights, paging=paging))


@router.get(
    "/priorities.csv",
    summary="Prioritisation aid as CSV",
    response_class=Response,
    responses=CSV_RESPONSE,
)
def priorities_as_csv(
    session: SessionDep, viewer: ViewerDep, weights: WeightsQuery = None
) -> Response:
    """One row per State with rank, score, rank range, stability and each factor's points."""
    result = priorities(session, viewer=viewer, weights=weights, paging=SUMMARY)
    return csv_response(
        priorities_csv(result), filename="priorities.csv", synthetic=result.synthetic
    )
