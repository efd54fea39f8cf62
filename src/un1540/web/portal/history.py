"""A cell's history across editions, and what changed between two editions."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from un1540.services.matrix.reads.history import cell_history, compare_editions
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.params import NumberPath
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/states/{iso3}/cells/{cell}", response_class=HTMLResponse)
def history_page(
    request: Request, session: SessionDep, viewer: ViewerDep, iso3: str, cell: str
) -> HTMLResponse:
    history = cell_history(session, viewer=viewer, iso3=iso3, cell_key=cell)
    return render(request, "history/cell.html", {"history": history}, synthetic=history.synthetic)


@router.get("/states/{iso3}/editions/{before}/diff/{after}", response_class=HTMLResponse)
def diff_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    iso3: str,
    before: NumberPath,
    after: NumberPath,
) -> HTMLResponse:
    diff = compare_editions(session, viewer=viewer, iso3=iso3, before=before, after=after)
    return render(request, "history/diff.html", {"diff": diff}, synthetic=diff.synthetic)
