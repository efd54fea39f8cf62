"""The technology and emerging risk notes: a region-by-risk table of the share of States with
measures on each note's fields, thin cells highlighted, and one page per note."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import HTMLResponse

from un1540.reference.risks import load_risk_notes
from un1540.schemas.risks import RisksRead
from un1540.services.coverage.risks import risk_coverage
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.i18n import language
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)
AsOf = Annotated[date | None, Query(description="YYYY-MM-DD; omit for today.")]


def _context(result: RisksRead, as_of: date | None) -> dict[str, Any]:
    """The notes' titles and texts and the caveat in the page's language (reference/risks.yml)."""
    code = language()
    notes = load_risk_notes()
    texts = {
        note.id: {"title": note.title_in(code), "text": note.text_in(code)} for note in notes.notes
    }
    return {
        "result": result,
        "texts": texts,
        "caveat": notes.caveat_in(code),
        "regions": result.items[0].regions if result.items else [],
        "query": f"as_of={as_of.isoformat()}" if as_of else "",
    }


@router.get("/risks", response_class=HTMLResponse)
def risks_page(
    request: Request, session: SessionDep, viewer: ViewerDep, as_of: AsOf = None
) -> HTMLResponse:
    result = risk_coverage(session, viewer=viewer, as_of=as_of)
    return render(request, "risks/list.html", _context(result, as_of), synthetic=result.synthetic)


@router.get("/risks/{risk_id}", response_class=HTMLResponse)
def risk_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    risk_id: Annotated[str, Path(min_length=2, max_length=40, pattern="^[a-z][a-z0-9_]+$")],
    as_of: AsOf = None,
) -> HTMLResponse:
    result = risk_coverage(session, viewer=viewer, as_of=as_of, note_id=risk_id)
    context = _context(result, as_of) | {"note": result.items[0]}
    return render(request, "risks/detail.html", context, synthetic=result.synthetic)
