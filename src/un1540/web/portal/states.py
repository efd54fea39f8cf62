"""The States list, each State's profile page (services/profiles: visits, assistance... with
its matrix and edition timeline), and the matrix on its own page."""

from __future__ import annotations

import json
from collections.abc import Hashable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse

from un1540.models import EditionStatus, Role
from un1540.services.activities.reads import ActivityFilter
from un1540.services.activities.shapes import activities_page
from un1540.services.contacts.reads import state_summary
from un1540.services.events.reads import statements_on_behalf
from un1540.services.kernel.access import Viewer, speaks_for
from un1540.services.kernel.data_version import (
    ACTION_PLANS,
    ASSISTANCE,
    CONTACTS,
    DOCUMENTS,
    ENGAGEMENT,
    INDICATORS,
    REFERENCE,
    VISITS,
    state_scope,
)
from un1540.services.kernel.lookups import m49_regions, regional_groups, state_by_iso3
from un1540.services.matrix.reads.states import get_state, list_states, state_facets
from un1540.services.profiles.reads import matrix_parts, state_profile
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.i18n import N_, gettext, language
from un1540.web.params import EditionQuery
from un1540.web.portal.commitments import commitments_made
from un1540.web.portal.facets import facet_links
from un1540.web.portal.labels import label
from un1540.web.portal.matrix_grid import matrix_grid
from un1540.web.portal.page_cache import cached_page
from un1540.web.portal.profiles import wired_sections
from un1540.web.portal.sharing import canonical_url
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)

SORTABLE = [
    ("name", N_("State")),
    ("group", N_("Regional group")),
    ("editions", N_("Editions")),
    ("latest_approved_on", N_("Latest approved")),
    ("measures", N_("Cells marked X")),
    ("coverage", N_("Coverage")),
]


@router.get("/states", response_class=HTMLResponse)
def states_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    group: Annotated[str | None, Query()] = None,
    region: Annotated[str | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    sort: Annotated[str, Query()] = "name",
    order: Annotated[Literal["asc", "desc"], Query()] = "asc",
) -> HTMLResponse:
    group, region, q = group or None, region or None, (q or "").strip() or None
    states = list_states(
        session,
        viewer=viewer,
        group=group,
        region=region,
        q=q,
        sort=sort,
        descending=order == "desc",
        language=language(),
    )
    groups, regions = regional_groups(session), m49_regions(session)
    names = {
        "group": {item.code: item.name for item in groups},
        "region": {item.code: item.name for item in regions},
    }
    context = {
        "states": states.items,
        "groups": groups,
        "regions": regions,
        "filters": {"group": group, "region": region, "q": q},
        "sort": sort,
        "order": order,
        "sortable": SORTABLE,
        "query": {k: v for k, v in {"group": group, "region": region, "q": q}.items() if v},
        # Each filter's values with their counts, as links (web/portal/facets.py).
        "facets": facet_links(
            "/states",
            {"q": q, "group": group, "region": region, "sort": sort, "order": order},
            state_facets(session, group=group, region=region, q=q),
            {"group": gettext("Regional group"), "region": gettext("Region (M49)")},
            lambda facet, code: label(facet, code, names[facet].get(code, code)),
        ),
    }
    return render(request, "states/list.html", context, synthetic=states.synthetic)


@router.get("/states/{iso3}", response_class=HTMLResponse)
def state_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    iso3: str,
    edition: EditionQuery = None,
) -> HTMLResponse:
    """The State profile: everything gathered (services/profiles), with the matrix."""
    return _cached_state_page(request, session, viewer, iso3, edition, profile=True)


@router.get("/states/{iso3}/matrix", response_class=HTMLResponse)
def state_matrix_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    iso3: str,
    edition: EditionQuery = None,
) -> HTMLResponse:
    """The State's matrix and edition timeline on their own page."""
    return _cached_state_page(request, session, viewer, iso3, edition, profile=False)


def _cached_state_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    iso3: str,
    edition: int | None,
    *,
    profile: bool,
) -> HTMLResponse:
    """The page rendered once per reader (anonymous visitors share one), address, language and
    day, until the next write to what it shows (web/portal/page_cache.py); each request's CSRF
    tokens, unread count and flashes substituted (about 280 KB each: the matrix grid). An
    anonymous visitor's warm State page is answered before routing from the same entry
    (web/warm_reads.py, with `state_page_key` and `state_page_scopes`)."""
    return cached_page(
        request,
        session,
        viewer,
        state_page_key(iso3, edition, profile=profile),
        depends_on=state_page_scopes(iso3, profile=profile),
        build=lambda: _render_state_page(request, session, viewer, iso3, edition, profile=profile),
    )


def state_page_key(iso3: str, edition: int | None, *, profile: bool) -> tuple[Hashable, ...]:
    """The State page's (or its matrix page's) name and arguments in the page cache's key."""
    return ("state_page" if profile else "state_matrix_page", iso3.upper(), edition)


def state_page_scopes(iso3: str, *, profile: bool) -> tuple[str, ...]:
    """The data the State page (or its matrix page) shows: the State's own editions, cells,
    documents and contacts raise its own scope; evidence cites documents of any State (their
    titles); the profile gathers the rest."""
    gathered = (ASSISTANCE, VISITS, CONTACTS, ACTION_PLANS, ENGAGEMENT, INDICATORS)
    return (state_scope(iso3), REFERENCE, DOCUMENTS, *(gathered if profile else ()))


def _render_state_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    iso3: str,
    edition: int | None,
    *,
    profile: bool = True,
) -> HTMLResponse:
    state = get_state(session, viewer=viewer, iso3=iso3)
    # matrix None: no approved edition yet, the page says so.
    parts = matrix_parts(session, viewer=viewer, iso3=iso3, number=edition)
    editions, matrix, documents = parts.editions, parts.matrix, parts.documents
    timeline = [
        {
            "number": e.number,
            "approved_on": e.approved_on.isoformat() if e.approved_on else None,
            "measures": e.tally.measures,
        }
        for e in editions.items
    ]
    # The public summary of its points of contact (how many, since when; docs/contacts.md).
    contacts = state_summary(session, state=state_by_iso3(session, iso3))
    open_editions = [e for e in editions.items if e.status != EditionStatus.approved.value]
    approved = [e.number for e in editions.items if e.status == EditionStatus.approved.value]
    context: dict[str, Any] = {
        "profile": state,
        "state": state.state,
        "editions": editions,
        "open_edition": open_editions[0] if open_editions else None,
        "can_open_draft": viewer.role in (Role.expert, Role.admin) and not open_editions,
        # A State's point of contact asks for help with a gap in one step from its matrix.
        "asks_for_help": speaks_for(viewer, state_by_iso3(session, iso3).id),
        "previous_approved": {n: approved[i - 1] for i, n in enumerate(approved) if i > 0},
        "documents": documents[:8],
        "documents_total": len(documents),
        "contacts": contacts,
        "matrix": matrix,
        "matrix_grid": matrix_grid(matrix) if matrix else [],
        "timeline_json": json.dumps(timeline),
        "gathered": None,
        # The page's own address for its share card and citation (web/portal/sharing.py).
        "canonical": canonical_url(request, request.url.path, edition=edition),
    }
    synthetic = state.synthetic or contacts.synthetic
    if profile:
        gathered = state_profile(
            session,
            viewer=viewer,
            iso3=iso3,
            stale_months=request.app.state.settings.contact_stale_months,
            # The profile's matrix is the latest approved: what this page read, unless it shows
            # an older edition. Read twice, the matrix cost a rebuilt page a third of its reads.
            read=parts if edition is None else None,
        )
        context |= {"gathered": gathered, "wired": wired_sections(gathered)}
        context["statements"] = statements_on_behalf(session, viewer=viewer, iso3=iso3)
        context |= {
            "made": commitments_made(session, viewer, state=iso3),
            "made_link": f"/commitments?state={iso3.upper()}",
        }
        synthetic = synthetic or gathered.synthetic
        activities = activities_page(session, viewer=viewer, filters=ActivityFilter(state=iso3))
        context["activities"], context["activities_total"] = activities
        synthetic = synthetic or any(a.synthetic for a in activities[0])
    return render(request, "states/detail.html", context, synthetic=synthetic)
