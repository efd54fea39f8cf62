"""/api/v1/fields: one matrix field across all States."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from un1540.io.csv_export import field_csv
from un1540.schemas.matrix import FieldAcrossStates
from un1540.schemas.vocabularies import enum
from un1540.services.kernel.paging import SUMMARY
from un1540.services.matrix.reads.fields import field_across_states
from un1540.web.api.common import CSV_RESPONSE, ERRORS
from un1540.web.deps import PagingDep, SessionDep, ViewerDep
from un1540.web.responses import csv_response, json_model

router = APIRouter(tags=["Fields"])

FieldPath = Annotated[
    str, Path(description="Field code, e.g. op2.manufacture.", examples=["op2.manufacture"])
]
FrameworkQuery = Annotated[
    str | None,
    Query(
        description="Framework version as code/version; default: the default version.",
        json_schema_extra=enum("framework"),
    ),
]
GroupQuery = Annotated[
    str | None,
    Query(
        description="Only States counted in this regional group.", json_schema_extra=enum("group")
    ),
]


# Registered before /fields/{code} so that "op2.use.csv" is not read as a field code.
@router.get(
    "/fields/{code}.csv",
    summary="A field across States as CSV",
    response_class=Response,
    responses=CSV_RESPONSE,
)
def field_states_csv(
    session: SessionDep,
    viewer: ViewerDep,
    code: FieldPath,
    framework: FrameworkQuery = None,
    group: GroupQuery = None,
) -> Response:
    result = field_across_states(
        session, viewer=viewer, code=code, framework=framework, group=group, paging=SUMMARY
    )
    return csv_response(field_csv(result), filename=f"field-{code}.csv", synthetic=result.synthetic)


@router.get(
    "/fields/{code}",
    summary="A field across States",
    response_model=FieldAcrossStates,
    responses=ERRORS,
)
def field_states(
    session: SessionDep,
    viewer: ViewerDep,
    paging: PagingDep,
    code: FieldPath,
    framework: FrameworkQuery = None,
    group: GroupQuery = None,
) -> Response:
    """The field's cells in each State's latest approved edition on that framework version."""
    return json_model(
        field_across_states(
            session, viewer=viewer, code=code, framework=framework, group=group, paging=paging
        )
    )
