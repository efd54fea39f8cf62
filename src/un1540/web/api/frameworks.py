"""/api/v1/frameworks: matrix framework versions."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from un1540.io.csv_export import frameworks_csv
from un1540.schemas.frameworks import FrameworkList, FrameworkRead
from un1540.services.kernel.paging import SUMMARY
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
