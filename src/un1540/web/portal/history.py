"""A cell's history across editions, and what changed between two editions."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from un1540.services.kernel.data_version import DOCUMENTS, REFERENCE, state_scope
from un1540.services.matrix.reads.history import cell_history, compare_editions
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.params import NumberPath
from un1540.web.portal.page_cache import cached_page
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/states/{iso3}/cells/{cell}", response_class=HTMLResponse)
def history_page(
    request: Request, session: SessionDep, viewer: ViewerDep, iso3: str, cell: str
) -> HTMLResponse:
    """Rendered once per reader, address, language and day until the next write to the State,
    its documents or the reference data (web/portal/page_cache.py)."""

    def build() -> HTMLResponse:
        history = cell_history(session, viewer=viewer, iso3=iso3, cell_key=cell)
        context = {"history": history}
        return render(request, "history/cell.html", context, synthetic=history.synthetic)

    return cached_page(
        request,
        session,
        viewer,
        ("cell_history", iso3.upper(), cell),
        depends_on=(state_scope(iso3), REFERENCE, DOCUMENTS),
        build=build,
    )


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
