"""/api/v1/downloads: the full public dataset as a data package, bulk JSON and CSVs.

The files are built in the background once per data version; these routes serve the newest
ready build at once (never waiting for one) and say when a newer build is under way.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from starlette.responses import FileResponse, Response, StreamingResponse

from un1540.io.downloads import current_downloads, download_list
from un1540.schemas.downloads import DownloadList
from un1540.services.kernel.access import PUBLIC
from un1540.services.kernel.builds import build_read
from un1540.web.api.build_responses import BUILD_RESPONSES, not_ready, version_headers
from un1540.web.api.common import ERRORS
from un1540.web.deps import PagingDep, SessionDep, SettingsDep
from un1540.web.responses import json_model, synthetic_headers

router = APIRouter(tags=["Open data"])
# What a download is: the data package (ZIP), the bulk JSON (gzip) or one of its tables (CSV).
DOWNLOAD_MEDIA_TYPES = ("application/zip", "application/gzip", "text/csv")


@router.get(
    "/downloads", summary="Open-data downloads", response_model=DownloadList, responses=ERRORS
)
def list_downloads(session: SessionDep, settings: SettingsDep, paging: PagingDep) -> Response:
    """The public dataset (what anyone may see, whoever asks) in every form offered, as last
    built; `newer_build` is the build of newer data under way, if any."""
    built, state = current_downloads(session, settings=settings)
    newer = state.pending if state.pending is not None and not state.up_to_date else None
    newer_read = build_read(newer, viewer=PUBLIC) if newer is not None else None
    return json_model(download_list(built, paging=paging, newer=newer_read))


@router.get(
    "/downloads/{name}",
    summary="One open-data file",
    response_class=Response,
    responses={
        200: {
            "description": "The file: the data package (ZIP), the bulk JSON (gzip) or a table.",
            "content": {media_type: {} for media_type in DOWNLOAD_MEDIA_TYPES},
        },
        **BUILD_RESPONSES,
        **ERRORS,
    },
)
def download_file(
    session: SessionDep,
    settings: SettingsDep,
    name: Annotated[str, Path(description="e.g. datapackage.zip, dataset.json.gz, cells.csv")],
) -> Response:
    built, state = current_downloads(session, settings=settings)
    if built is None:
        return not_ready(state, PUBLIC)
    item = built.get(name)
    prefix = "synthetic-demo-" if built.synthetic else ""
    headers = {**synthetic_headers(built.synthetic), **version_headers(state)}
    if item.path is not None:
        return FileResponse(
            item.path,
            media_type=item.media_type,
            filename=f"{prefix}{item.name}",
            headers=headers,
        )
    headers["Content-Disposition"] = f'attachment; filename="{prefix}{item.name}"'
    assert item.chunks is not None
    return StreamingResponse(item.chunks, media_type=item.media_type, headers=headers)
