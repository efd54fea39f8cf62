"""The open-data download page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from un1540 import __version__
from un1540.io.datapackage import CAVEATS, CITATION, LICENCE
from un1540.io.downloads import downloads
from un1540.services.kernel.access import PUBLIC
from un1540.web.deps import SessionDep
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/downloads", response_class=HTMLResponse)
def downloads_page(request: Request, session: SessionDep) -> HTMLResponse:
    built = downloads(session, viewer=PUBLIC)
    context = {
        "files": built.listing(),
        "as_of": built.as_of,
        "licence": LICENCE,
        "caveats": CAVEATS,
        "citation": CITATION.format(version=__version__, day=built.as_of),
    }
    return render(request, "downloads/list.html", context, synthetic=built.synthetic)
