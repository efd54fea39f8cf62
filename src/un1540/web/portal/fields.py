"""The framework's fields, and each field across all States with a map."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse

from un1540.schemas.overview import MapPoint
from un1540.services.coverage.reads.coverage import coverage_summary
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.data_version import MATRIX, REFERENCE
from un1540.services.kernel.lookups import regional_groups
from un1540.services.kernel.paging import SUMMARY
from un1540.services.matrix.reads.fields import field_across_states
from un1540.services.matrix.reads.frameworks import default_framework, framework_detail
from un1540.services.matrix.reads.states import list_states
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.i18n import gettext as _
from un1540.web.portal.labels import state_name
from un1540.web.portal.maps import map_json
from un1540.web.portal.page_cache import cached_page
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/fields", response_class=HTMLResponse)
def fields_page(request: Request, session: SessionDep, viewer: ViewerDep) -> HTMLResponse:
    """The framework's fields with their coverage across States: rendered once per reader,
    address, language and day until an approval or a reference change (page_cache.py)."""
    return cached_page(
        request,
        session,
        viewer,
        ("fields_page",),
        depends_on=(MATRIX, REFERENCE),
        build=lambda: _render_fields_page(request, session, viewer),
    )


def _render_fields_page(request: Request, session: Session, viewer: Viewer) -> HTMLResponse:
    framework = default_framework(session)
    detail = framework_detail(session, code=framework.code, version=framework.version)
    coverage = coverage_summary(session, viewer=viewer, by="field", paging=SUMMARY)
    context = {"framework": detail, "by_field": {row.key: row for row in coverage.items}}
    return render(request, "fields/list.html", context, synthetic=coverage.synthetic)


@router.get("/fields/{code}", response_class=HTMLResponse)
def field_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    code: str,
    group: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    """One field in every State's latest approved edition, with a map: rendered once per
    reader, address, language and day until an approval or a reference change (an open
    edition's edit changes none of it: page_cache.py)."""
    return cached_page(
        request,
        session,
        viewer,
        ("field_page", code, group or None),
        depends_on=(MATRIX, REFERENCE),
        build=lambda: _render_field_page(request, session, viewer, code, group or None),
    )


def _render_field_page(
    request: Request, session: Session, viewer: Viewer, code: str, group: str | None
) -> HTMLResponse:
    result = field_across_states(session, viewer=viewer, code=code, group=group, paging=SUMMARY)
    by_iso3 = {row.state.iso3: row for row in result.items}
    points = []
    for state in list_states(session, viewer=viewer).items:
        row = by_iso3.get(state.iso3)
        coverage = row.tally.coverage if row is not None else None
        value = None if coverage is None else round(coverage * 100, 1)
        points.append(
            MapPoint(iso3=state.iso3, name=state_name(state.iso3, state.name), value=value)
        )
    context = {
        "result": result,
        "field": result.field,
        "groups": regional_groups(session),
        "group": group,
        "map_data": map_json(points, value_label=_("Cells of this field marked X (%)")),
    }
    return render(request, "fields/detail.html", context, synthetic=result.synthetic)
