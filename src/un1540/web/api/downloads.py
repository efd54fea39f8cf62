"""/api/v1/downloads: the full public dataset as a data package, bulk JSON and CSVs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from starlette.responses import Response

from un1540.io.downloads import download_list, downloads
from un1540.schemas.downloads import DownloadList
from un1540.services.kernel.access import PUBLIC
from un1540.web.api.common import ERRORS
from un1540.web.deps import PagingDep, SessionDep
from un1540.web.responses import json_model, synthetic_headers

router = APIRouter(tags=["Open data"])
# What a download is: the data package (ZIP), the bulk JSON (gzip) or one of its tables (CSV).
DOWNLOAD_MEDIA_TYPES = ("application/zip", "application/gzip", "text/csv")


@router.get(
    "/downloads", summary="Open-data downloads", response_model=DownloadList, responses=ERRORS
)
def list_downloads(session: SessionDep, paging: PagingDep) -> Response:
    """The public dataset (what anyone may see, whoever asks) in every form offered."""
    return json_model(download_list(downloads(session, viewer=PUBLIC), paging=paging))


@router.get(
    "/downloads/{name}",
    summary="One open-data file",
    response_class=Response,
    responses={
        200: {
            "description": "The file: the data package (ZIP), the bulk JSON (gzip) or a table.",
            "content": {media_type: {} for media_type in DOWNLOAD_MEDIA_TYPES},
        },
        **ERRORS,
    },
)
def download_file(
    session: SessionDep,
    name: Annotated[str, Path(description="e.g. datapackage.zip, dataset.json.gz, cells.csv")],
) -> Response:
    built = downloads(session, viewer=PUBLIC)
    item = built.get(name)
    prefix = "synthetic-demo-" if built.synthetic else ""
    headers = {
        "Content-Disposition": f'attachment; filename="{prefix}{item.name}"',
        **synthetic_headers(built.synthetic),
    }
    return Response(content=item.content, media_type=item.media_type, headers=headers)
