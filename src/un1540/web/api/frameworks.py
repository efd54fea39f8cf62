"""/api/v1/frameworks: matrix framework versions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from un1540.io.csv_export import crosswalk_csv, frameworks_csv
from un1540.schemas.frameworks import CrosswalkList, FrameworkList, FrameworkRead
from un1540.schemas.vocabularies import enum
from un1540.services.kernel.paging import SUMMARY
from un1540.services.matrix.reads.crosswalk import crosswalk_list
from un1540.services.matrix.reads.frameworks import framework_detail, framework_list
from un1540.web.api.common import CSV_RESPONSE, ERRORS
from un1540.web.deps import PagingDep, SessionDep
from un1540.web.responses import csv_response, json_model

router = APIRouter(tags=["Frameworks"])


@router.get(
    "/frameworks", summary="List framework versions", response_model=FrameworkList, responses=ERRORS
)
def frameworks_list(session: SessionDep, paging: PagingDep) -> Response:
    """Every framework version stored; `default` marks the one used when none is named."""
    return json_model(framework_list(session, paging=paging))


@router.get(
    "/frameworks.csv",
    summary="List framework versions as CSV",
    response_class=Response,
    responses=CSV_RESPONSE,
)
def frameworks_list_csv(session: SessionDep) -> Response:
    frameworks = framework_list(session, paging=SUMMARY)
    return csv_response(frameworks_csv(frameworks), filename="frameworks.csv", synthetic=False)


@router.get(
    "/frameworks/{framework}/{version}",
    summary="One framework version",
    response_model=FrameworkRead,
    responses=ERRORS,
)
def framework_version(session: SessionDep, framework: str, version: str) -> Response:
    """Sections, fields (with their `verified` flag) and cell identifiers of one version."""
    return json_model(framework_detail(session, code=framework, version=version))


FrameworkQuery = Annotated[
    str | None,
    Query(
        description="Framework version as code/version; default: the default version.",
        json_schema_extra=enum("framework"),
    ),
]
InstrumentQuery = Annotated[
    str | None,
    Query(
        description="Only the links to this instrument.",
        json_schema_extra=enum("instrument"),
    ),
]
FieldQuery = Annotated[
    str | None,
    Query(description="Only the links of this field code.", json_schema_extra=enum("field")),
]


@router.get(
    "/crosswalk",
    summary="Matrix fields to treaty articles",
    response_model=CrosswalkList,
    responses=ERRORS,
)
def crosswalk(
    session: SessionDep,
    paging: PagingDep,
    framework: FrameworkQuery = None,
    instrument: InstrumentQuery = None,
    field: FieldQuery = None,
) -> Response:
    """The crosswalk of a framework version: each field's links to the articles of the BWC,
    CWC, CPPNM and its 2005 Amendment, ICSANT and FATF Recommendation 7 on the same subject.
    Reference data, not a finding about any State."""
    return json_model(
        crosswalk_list(
            session, framework=framework, instrument=instrument, field=field, paging=paging
        )
    )


@router.get(
    "/crosswalk.csv",
    summary="Matrix fields to treaty articles as CSV",
    response_class=Response,
    responses=CSV_RESPONSE,
)
def crosswalk_as_csv(
    session: SessionDep,
    framework: FrameworkQuery = None,
    instrument: InstrumentQuery = None,
    field: FieldQuery = None,
) -> Response:
    result = crosswalk_list(
        session, framework=framework, instrument=instrument, field=field, paging=SUMMARY
    )
    return csv_response(crosswalk_csv(result), filename="crosswalk.csv", synthetic=False)
