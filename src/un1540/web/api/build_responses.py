"""Answers about files built in the background: the file, or 202 while it is being built."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from un1540.errors import BuildFailed
from un1540.schemas.builds import BuildDetail
from un1540.schemas.common import ErrorResponse
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.builds import BuildState, build_read
from un1540.web.responses import json_model

RETRY_SECONDS = 10
VERSION_HEADER, NEWER_HEADER = "X-Data-Version", "X-Newer-Build"
BUILD_RESPONSES: dict[int | str, dict[str, Any]] = {
    202: {
        "model": BuildDetail,
        "description": "Not built yet for the current data: the build under way (poll its "
        "`Location`, or ask again after `Retry-After` seconds).",
    },
    503: {
        "model": ErrorResponse,
        "description": "The build failed and no earlier build exists (build_failed).",
    },
}


def version_headers(state: BuildState) -> dict[str, str]:
    """The data version of the file served, and the newer build under way, if any."""
    assert state.ready is not None
    headers = {VERSION_HEADER: state.ready.data_version}
    if state.pending is not None and state.pending.id != state.ready.id:
        headers[NEWER_HEADER] = f"/api/v1/builds/{state.pending.id}"
    return headers


def not_ready(state: BuildState, viewer: Viewer) -> Response:
    """202 with the build under way, or 503 if the build of the current data failed."""
    build = state.pending
    if build is None:
        if state.failed is not None:
            raise BuildFailed(
                "the files could not be built from the current data; a change to the data, or "
                "a new request in a few minutes, tries again",
                details={"build": state.failed.id},
            )
        raise BuildFailed("no build of these files is under way; ask again")
    response = json_model(
        BuildDetail(synthetic=False, build=build_read(build, viewer=viewer)), status_code=202
    )
    response.headers["Location"] = f"/api/v1/builds/{build.id}"
    response.headers["Retry-After"] = str(RETRY_SECONDS)
    return response
