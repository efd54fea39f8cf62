"""Country visits in the portal: the list (and the State's invitation), a visit's page with its
steps, participants, findings per matrix field, follow-up in one step, the public summary and
the State's consent, and the briefing page."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, RedirectResponse, Response

from un1540.errors import InvalidData, Problem
from un1540.reference.assistance import load_assistance_vocabulary
from un1540.schemas.text import CODE
from un1540.schemas.visits import (
    FOLLOW_UP_KINDS,
    PARTICIPANT_KINDS,
    ConsentInput,
    FindingInput,
    FollowUpInput,
    ParticipantInput,
    VisitCreate,
    VisitTransition,
)
from un1540.services.action_plans.reads import list_plans
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.data_version import ACTION_PLANS, CONTACTS, REFERENCE, VISITS
from un1540.services.kernel.paging import SUMMARY, PageRequest
from un1540.services.profiles.briefing import visit_briefing
from un1540.services.visits.actions import (
    add_follow_up,
    add_participant,
    close_follow_up,
    consent_to_summary,
    invite,
    record_finding,
    transition_visit,
    write_summary,
)
from un1540.services.visits.reads import get_visit, list_visits, own_state_iso3, visit_facets
from un1540.services.visits.rules import transition_targets, visit_start_rules
from un1540.services.visits.shapes import field_names, visit_reads
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.i18n import gettext
from un1540.web.params import PageQuery, RecordIdPath
from un1540.web.portal.facets import facet_links, state_label
from un1540.web.portal.forms import CsrfChecked, act, build
from un1540.web.portal.page_cache import cached_page
from un1540.web.portal.profiles import wired_sections
from un1540.web.portal.templating import render
from un1540.web.portal.terms import term

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
ShortText = Annotated[str, Form(max_length=100)]


@router.get("/visits", response_class=HTMLResponse)
def visits_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    page: PageQuery = 1,
    state: Annotated[str, Query(max_length=3), CODE] = "",
    status: Annotated[str, Query(max_length=40), CODE] = "",
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
) -> HTMLResponse:
    """The visits a reader may see, with their facets: rendered once per reader, address,
    language and day until a write to visits, contacts, action plans or reference data
    (web/portal/page_cache.py; a matrix edit leaves it warm)."""
    return cached_page(
        request,
        session,
        viewer,
        ("visits_page",),
        depends_on=(VISITS, CONTACTS, ACTION_PLANS, REFERENCE),
        build=lambda: _render_visits_page(request, session, viewer, page, state, status, year),
    )


def _render_visits_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    page: int,
    state: str,
    status: str,
    year: int | None,
) -> HTMLResponse:
    paging = PageRequest(page=page, page_size=50)
    filters: dict[str, Any] = {"state": state.upper() or None, "status": status or None}
    filters["year"] = year
    problems: list[Problem] = []
    try:
        rows, total = list_visits(session, viewer=viewer, paging=paging, **filters)
    except InvalidData as error:  # the page unfiltered, with the problem
        problems = error.problems
        filters = {key: None for key in filters}
        rows, total = list_visits(session, viewer=viewer, paging=paging)
    items = visit_reads(session, viewer, rows)
    given = {key: value for key, value in filters.items() if value is not None}
    context = {
        # Each filter's values with their counts, as links (web/portal/facets.py).
        "facets": facet_links(
            "/visits",
            given,
            visit_facets(session, viewer=viewer, **filters),
            {"status": gettext("Status"), "state": gettext("State"), "year": gettext("Year")},
            lambda facet, code: (
                state_label(code) if facet == "state" else term(code) if facet == "status" else code
            ),
            chronological={"year"},
        ),
        "problems": problems,
        "query": urlencode(given),
        "visits": items,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // paging.page_size)),
        "may_invite": "invite" in visit_start_rules.allowed(viewer, None),
        "own_iso3": own_state_iso3(session, viewer),
    }
    return render(
        request, "visits/list.html", context, synthetic=any(item.synthetic for item in items)
    )


@router.post("/visits")
def visit_create(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    state: Annotated[str, Form(max_length=3)] = "",
    invitation: Text = "",
    invited_on: Annotated[str, Form(max_length=10)] = "",
    purpose: Text = "",
) -> Response:
    created: list[int] = []

    def action() -> str:
        data = build(
            VisitCreate,
            state=state,
            invitation=invitation,
            invited_on=invited_on or None,
            purpose=purpose,
        )
        visit = invite(session, viewer=viewer, data=data)
        created.append(visit.id)
        return gettext("Invitation recorded: visit %(id)s.") % {"id": visit.id}

    response = act(request, "/visits", action)
    if created:
        return RedirectResponse(f"/visits/{created[0]}", status_code=303)
    return response


@router.get("/visits/{visit_id}", response_class=HTMLResponse)
def visit_page(
    request: Request, session: SessionDep, viewer: ViewerDep, visit_id: RecordIdPath
) -> HTMLResponse:
    visit = get_visit(session, viewer=viewer, visit_id=visit_id)
    read = visit_reads(session, viewer, [visit])[0]
    names = field_names(session)
    context = {
        "visit": read,
        "transitions": transition_targets(read.allowed_actions),
        "participant_kinds": PARTICIPANT_KINDS,
        "follow_up_kinds": FOLLOW_UP_KINDS,
        "help_types": load_assistance_vocabulary().help_types,
        "fields": names,
        # The State's plans a follow-up measure may go into (those this reader may see).
        "plans": list_plans(session, viewer=viewer, iso3=read.state.iso3, paging=SUMMARY).plans
        if "add_follow_up" in read.allowed_actions
        else [],
    }
    return render(request, "visits/detail.html", context, synthetic=read.synthetic)


def _back(visit_id: int) -> str:
    return f"/visits/{visit_id}"


@router.post("/visits/{visit_id}/transitions")
def visit_transition(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    visit_id: RecordIdPath,
    to: Annotated[str, Form(max_length=40)],
    on: Annotated[str, Form(max_length=10)] = "",
    until: Annotated[str, Form(max_length=10)] = "",
    reason: Text = "",
) -> Response:
    def action() -> str:
        data = build(VisitTransition, to=to, on=on or None, until=until or None, reason=reason)
        transition_visit(session, viewer=viewer, visit_id=visit_id, data=data)
        return gettext("The visit is now: %(status)s.") % {"status": term(to)}

    return act(request, _back(visit_id), action)


@router.post("/visits/{visit_id}/participants")
def visit_participant(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    visit_id: RecordIdPath,
    kind: Annotated[str, Form(max_length=40)],
    name: Text = "",
    organisation: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    def action() -> str:
        data = build(ParticipantInput, kind=kind, name=name, organisation=organisation or None)
        add_participant(session, viewer=viewer, visit_id=visit_id, data=data)
        return gettext("Participant added.")

    return act(request, _back(visit_id), action)


@router.post("/visits/{visit_id}/findings")
def visit_finding(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    visit_id: RecordIdPath,
    field: ShortText,
    text: Text = "",
    weapon: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    def action() -> str:
        data = build(FindingInput, field=field, weapon=weapon or None, text=text)
        record_finding(session, viewer=viewer, visit_id=visit_id, data=data)
        return gettext("Finding recorded.")

    return act(request, _back(visit_id), action)


@router.post("/visits/{visit_id}/follow-ups")
def visit_follow_up(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    visit_id: RecordIdPath,
    kind: Annotated[str, Form(max_length=40)],
    title: Text = "",
    finding: Annotated[str, Form(max_length=12)] = "",
    help_type: Annotated[str, Form(max_length=40)] = "",
    plan: Annotated[str, Form(max_length=12)] = "",
    description: Text = "",
) -> Response:
    def action() -> str:
        data = build(
            FollowUpInput,
            kind=kind,
            title=title,
            finding=finding or None,
            help_type=help_type or None,
            plan=plan or None,
            description=description,
        )
        follow_up = add_follow_up(session, viewer=viewer, visit_id=visit_id, data=data)
        if follow_up.assistance_request_id is not None:
            return gettext("Assistance request %(id)s filed for the State.") % {
                "id": follow_up.assistance_request_id
            }
        if follow_up.action_plan_measure_id is not None:
            return gettext("Measure added to the State's action plan.")
        return gettext("Follow-up recorded.")

    return act(request, _back(visit_id), action)


@router.post("/visits/{visit_id}/follow-ups/{follow_up_id}/close")
def visit_close_follow_up(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    visit_id: RecordIdPath,
    follow_up_id: RecordIdPath,
) -> Response:
    def action() -> str:
        close_follow_up(session, viewer=viewer, visit_id=visit_id, follow_up_id=follow_up_id)
        return gettext("Follow-up closed.")

    return act(request, _back(visit_id), action)


@router.post("/visits/{visit_id}/summary")
def visit_summary(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    visit_id: RecordIdPath,
    text: Text = "",
) -> Response:
    def action() -> str:
        write_summary(session, viewer=viewer, visit_id=visit_id, text=text)
        return gettext("Public summary saved; it is published only once the State agrees.")

    return act(request, _back(visit_id), action)


@router.post("/visits/{visit_id}/consent")
def visit_consent(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    visit_id: RecordIdPath,
    consent: Annotated[str, Form(max_length=1)],
    summary: Text = "",
    reason: Text = "",
) -> Response:
    def action() -> str:
        # The summary the page showed: consent is to that text, refused if it changed since.
        agreed = consent == "1"
        data = build(
            ConsentInput, consent=agreed, summary=summary if agreed else None, reason=reason
        )
        consent_to_summary(session, viewer=viewer, visit_id=visit_id, data=data)
        if data.consent:
            return gettext("The State agrees: the summary is public.")
        return gettext("Consent withdrawn: the summary is no longer public.")

    return act(request, _back(visit_id), action)


@router.get("/visits/{visit_id}/briefing", response_class=HTMLResponse)
def briefing_page(
    request: Request, session: SessionDep, viewer: ViewerDep, visit_id: RecordIdPath
) -> HTMLResponse:
    visit, profile, briefing = visit_briefing(session, viewer=viewer, visit_id=visit_id)
    context = {
        "visit": visit,
        "profile": profile,
        "wired": wired_sections(profile),
        "generated_at": briefing.generated_at,
    }
    return render(request, "visits/briefing.html", context, synthetic=briefing.synthetic)
