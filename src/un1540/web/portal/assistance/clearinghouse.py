"""The clearinghouse in the portal: requests, offers and projects at a glance; who does what
where; the loop on one State's field; notifications."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, RedirectResponse, Response

from un1540.errors import InvalidParameter, Problem
from un1540.models import Origin
from un1540.models.base import today
from un1540.schemas.overview import MapPoint
from un1540.services.activities.overlaps import overview_warnings
from un1540.services.activities.reads import activities_in
from un1540.services.activities.shapes import activity_read
from un1540.services.assistance.reads.clearinghouse import (
    ClearinghouseFilter,
    clearinghouse_facets,
    filtered_offers,
    filtered_requests,
)
from un1540.services.assistance.reads.overview import field_loop, who_what_where
from un1540.services.assistance.reads.projects import list_projects
from un1540.services.assistance.rules import (
    clearinghouse_rules,
)
from un1540.services.assistance.shapes import offer_read, project_reads, request_read
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.data_version import ASSISTANCE, REFERENCE
from un1540.services.kernel.lookups import m49_regions, regional_groups
from un1540.services.kernel.paging import PageRequest
from un1540.services.kernel.parameters import optional_date
from un1540.services.matrix.reads.states import list_states
from un1540.services.notifications.reads import list_notifications
from un1540.web.deps import PagingDep, SessionDep, ViewerDep
from un1540.web.i18n import gettext
from un1540.web.portal.assistance.choices import layout_of
from un1540.web.portal.facets import facet_links
from un1540.web.portal.labels import label, state_name
from un1540.web.portal.maps import map_json
from un1540.web.portal.page_cache import cached_page
from un1540.web.portal.templating import render
from un1540.web.portal.terms import term

router = APIRouter(include_in_schema=False)
CodeQuery = Annotated[str | None, Query(max_length=40)]
MAP_FIRST_DAY = date(2004, 4, 28)  # resolution 1540 adopted: the map's slider starts there


@router.get("/assistance", response_class=HTMLResponse)
def assistance_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    paging: PagingDep,
    status: CodeQuery = None,
    help: CodeQuery = None,
    section: CodeQuery = None,
    region: CodeQuery = None,
) -> HTMLResponse:
    """Requests, offers and projects, one page of each (the same page number for the three);
    the requests and the offers narrowed by what help, on what and where, with their facets.
    Rendered once per reader, address, language and day until a write to the clearinghouse or
    to reference data (web/portal/page_cache.py; a matrix edit leaves it warm)."""
    return cached_page(
        request,
        session,
        viewer,
        ("assistance_page",),
        depends_on=(ASSISTANCE, REFERENCE),
        build=lambda: _render_assistance_page(
            request, session, viewer, paging, status, help, section, region
        ),
    )


def _render_assistance_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    paging: PageRequest,
    status: str | None,
    help: str | None,
    section: str | None,
    region: str | None,
) -> HTMLResponse:
    filters = ClearinghouseFilter(
        status=status or None, help=help or None, section=section or None, region=region or None
    )
    requests, request_total = filtered_requests(
        session, viewer=viewer, filters=filters, paging=paging
    )
    offers, offer_total = filtered_offers(session, viewer=viewer, filters=filters, paging=paging)
    projects, project_total = list_projects(session, viewer=viewer, paging=paging)
    most = max(request_total, offer_total, project_total)
    starts = clearinghouse_rules.allowed(viewer, None)
    request_counts, offer_counts = clearinghouse_facets(session, viewer=viewer, filters=filters)
    given = filters.given()
    titles = {
        "status": gettext("Status"),
        "help": gettext("Kind of help"),
        "section": gettext("Matrix section"),
        "region": gettext("Region"),
    }
    names = _area_names(session)
    context = {
        "requests": [request_read(r, viewer) for r in requests],
        "offers": [offer_read(o) for o in offers],
        "projects": project_reads(session, viewer, list(projects)),
        "may_file": "file_request" in starts,
        "may_offer": "publish_offer" in starts,
        "page": paging.page,
        "page_size": paging.page_size,
        "pages": -(-most // paging.page_size),
        "query": urlencode(given),
        "request_total": request_total,
        "offer_total": offer_total,
        # Each filter's values with their counts, as links (web/portal/facets.py).
        "request_facets": facet_links(
            "/assistance", given, request_counts, titles, lambda f, c: names[f](c)
        ),
        "offer_facets": facet_links(
            "/assistance", given, offer_counts, titles, lambda f, c: names[f](c)
        ),
    }
    synthetic = any(r.origin is Origin.demo for r in requests) or any(
        o.origin is Origin.demo for o in offers
    )
    return render(request, "assistance/index.html", context, synthetic=synthetic)


def _area_names(session: Session) -> dict[str, Callable[[str], str]]:
    """Each facet's value named in the page's language."""
    groups = {group.code: group.name for group in regional_groups(session)}
    regions = {area.code: area.name for area in m49_regions(session)}
    layout = layout_of(session)
    sections = {section.code: section.title for section in layout.sections}
    return {
        "status": term,
        "help": term,
        "section": lambda code: label("section", code, sections.get(code) or code),
        "region": lambda code: (
            label("group", code, groups[code])
            if code in groups
            else label("region", code, regions.get(code) or code)
        ),
    }


@router.get("/who-what-where", response_class=HTMLResponse)
def who_what_where_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    as_of_text: Annotated[str | None, Query(alias="as_of", max_length=10)] = None,
) -> HTMLResponse:
    """Who does what where, on every date or (`as_of`, the map's date slider) on one date."""
    as_of = optional_date(as_of_text, "as_of")
    if as_of is not None and not MAP_FIRST_DAY <= as_of <= today():
        raise InvalidParameter.naming(
            [Problem("as_of", f"must be between {MAP_FIRST_DAY.isoformat()} and today")]
        )
    rows, synthetic = who_what_where(session, viewer=viewer, as_of=as_of)
    activities = [activity_read(a) for a in activities_in(session, viewer=viewer, as_of=as_of)]
    # The map counts projects and organisations' activities alike: all of who does what where.
    per_state: dict[str, int] = {}
    for iso3 in [row.iso3 for row in rows] + [activity.state for activity in activities]:
        per_state[iso3] = per_state.get(iso3, 0) + 1
    points = [
        MapPoint(
            iso3=s.iso3,
            name=state_name(s.iso3, s.name),
            value=float(per_state[s.iso3]) if s.iso3 in per_state else None,
        )
        for s in list_states(session, viewer=viewer).items
    ]
    context = {
        "rows": rows,
        # Projects and organisations' activities alike (services/activities/overlaps.py).
        "warnings": overview_warnings(session, viewer=viewer),
        "activities": activities,
        "map_data": map_json(
            points,
            value_label=gettext("Projects and activities"),
            maximum=max(per_state.values(), default=1),
            percent=False,
        ),
        # The map's date (web/static/js/map-date.js): a slider over these days, and a form.
        "as_of": as_of,
        "map_first_day": MAP_FIRST_DAY,
        "map_last_day": today(),
        "map_days": (today() - MAP_FIRST_DAY).days,
        "map_day": ((as_of or today()) - MAP_FIRST_DAY).days,
    }
    synthetic = synthetic or any(a.synthetic for a in activities)
    return render(request, "assistance/who_what_where.html", context, synthetic=synthetic)


@router.get("/states/{iso3}/fields/{code}/loop", response_class=HTMLResponse)
def loop_page(
    request: Request, session: SessionDep, viewer: ViewerDep, iso3: str, code: str
) -> HTMLResponse:
    loop = field_loop(session, viewer=viewer, iso3=iso3, code=code)
    return render(request, "assistance/loop.html", {"loop": loop}, synthetic=loop.synthetic)


@router.get("/notifications", response_class=HTMLResponse)
def notifications_page(
    request: Request, session: SessionDep, viewer: ViewerDep, paging: PagingDep
) -> Response:
    if viewer.user_id is None:
        return RedirectResponse("/login?next=/notifications", status_code=303)
    rows, total, unread = list_notifications(
        session, viewer=viewer, paging=paging, translate=gettext
    )
    context = {
        "rows": rows,
        "total": total,
        "unread": unread,
        "page": paging.page,
        "page_size": paging.page_size,
        "pages": -(-total // paging.page_size),
    }
    return render(request, "assistance/notifications.html", context, synthetic=False)
