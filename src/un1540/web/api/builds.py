"""/api/v1/builds/{id}: where a background build of files stands."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from starlette.responses import Response

from un1540.schemas.builds import BuildDetail
from un1540.services.kernel.builds import build_read, visible_build
from un1540.web.api.common import ERRORS
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.responses import json_model

router = APIRouter(tags=["Open data"])


@router.get(
    "/builds/{build_id}",
    summary="A background build of files",
    response_model=BuildDetail,
    responses=ERRORS,
)
def build_detail(
    session: SessionDep,
    viewer: ViewerDep,
    build_id: Annotated[int, Path(ge=1, le=2**31 - 1, description="The build's id.")],
) -> Response:
    """Status (queued, running, ready, failed), progress, times and, once ready, where to
    download the file. The open data's builds are public; a build of every State's matrices
    is seen by the accounts it was built for (those who see the same records)."""
    build = visible_build(session, viewer=viewer, build_id=build_id)
    return json_model(BuildDetail(synthetic=False, build=build_read(build, viewer=viewer)))
