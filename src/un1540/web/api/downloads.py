"""/api/v1/downloads: the full public dataset as a data package, bulk JSON and CSVs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from starlette.responses import Response

from un1540.io.datapackage import LICENCE
from un1540.io.downloads import downloads
from un1540.schemas.downloads import DownloadList, DownloadRead
from un1540.services.kernel.access import PUBLIC
from un1540.services.kernel.envelope import envelope
from un1540.web.api.common import ERRORS
from un1540.web.deps import PagingDep, SessionDep
from un1540.web.responses import json_model, synthetic_headers

router = APIRouter(tags=["Open data"])


@router.get(
    "/downloads", summary="Open-data downloads", response_model=DownloadList, responses=ERRORS
)
def list_downloads(session: SessionDep, paging: PagingDep) -> Response:
    """The public dataset (what anyone may see, whoever asks) in every form offered."""
    built = downloads(session, viewer=PUBLIC)
    items = [
        DownloadRead(
            name=name,
            url=f"/api/v1/downloads/{name}",
            media_type=media_type,
            bytes=size,
            description=description,
        )
        for name, media_type, description, size in built.listing()
    ]
    return json_model(
        DownloadList(
            **envelope(built.synthetic),
            as_of=built.as_of,
            licence=LICENCE["name"],
            items=paging.cut(items),
            total=len(items),
            page=paging.page,
            page_size=paging.page_size,
        )
    )


@router.get(
    "/downloads/{name}",
    summary="One open-data file",
    response_class=Response,
    responses={200: {"description": "The file."}, **ERRORS},
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
