"""The home page: the regime in three sentences, the coverage map and key totals."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from un1540.schemas.overview import MapPoint
from un1540.services.coverage.reads.coverage import coverage_summary
from un1540.services.coverage.reads.overview import overview
from un1540.services.kernel.paging import SUMMARY
from un1540.services.matrix.reads.states import list_states
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.i18n import gettext as _
from un1540.web.portal.labels import state_name
from un1540.web.portal.maps import map_json
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, viewer: ViewerDep) -> HTMLResponse:
    totals = overview(session, viewer=viewer)
    states = list_states(session, viewer=viewer).items
    points = [
        MapPoint(
            iso3=s.iso3,
            name=state_name(s.iso3, s.name),
            value=None if s.coverage is None else round(s.coverage * 100, 1),
        )
        for s in states
    ]
    context = {
        "totals": totals,
        "by_group": coverage_summary(session, viewer=viewer, by="group", paging=SUMMARY),
        "by_weapon": coverage_summary(session, viewer=viewer, by="weapon", paging=SUMMARY),
        "by_section": coverage_summary(session, viewer=viewer, by="section", paging=SUMMARY),
        "map_data": map_json(points, value_label=_("Coverage (%)")),
    }
    return render(request, "home.html", context, synthetic=totals.synthetic)
