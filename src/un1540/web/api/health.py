"""/healthz: the service and its database."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from un1540 import __version__
from un1540.schemas.health import HealthRead
from un1540.services.kernel.health import database_health
from un1540.services.kernel.instance import has_synthetic_data
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.responses import synthetic_headers

router = APIRouter(tags=["Health"])


@router.get(
    "/healthz",
    summary="Health check",
    response_model=HealthRead,
    responses={503: {"model": HealthRead}},
)
def healthz(request: Request, session: SessionDep, viewer: ViewerDep) -> Response:
    """200 when the database answers and its schema is current; 503 otherwise, saying why.
    Administrators also see where the database is."""
    database = database_health(request.app.state.engine, viewer)
    synthetic = False
    if database["status"] == "ok":
        synthetic = has_synthetic_data(session)
    body = HealthRead(
        status="ok" if database["status"] == "ok" else "unavailable",
        version=__version__,
        database=database,
        synthetic=synthetic,
    )
    status = 200 if body.status == "ok" else 503
    return Response(
        body.model_dump_json(),
        status_code=status,
        media_type="application/json",
        headers=synthetic_headers(synthetic),
    )
