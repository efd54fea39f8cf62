"""The clearinghouse in the portal: requests, offers and projects; a request from a gap in one
step; suggestions with their reasons; judgements; projects; funding; who does what where; the
loop on one State's field; notifications."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, RedirectResponse, Response

from un1540.errors import Forbidden, InvalidData, Problem, Unauthenticated
from un1540.models import Origin
from un1540.reference.assistance import load_assistance_vocabulary
from un1540.reference.states import load_m49_areas, load_regional_groups
from un1540.schemas.assistance import (
    AssistanceOfferCreate,
    AssistanceProjectCreate,
    AssistanceRequestCreate,
    FeedbackInput,
    FundingCreate,
    JudgementCreate,
    MilestoneDone,
    MilestoneInput,
)
from un1540.schemas.overview import MapPoint
from un1540.services.assistance.actions.funding import record_funding
from un1540.services.assistance.actions.judgements import record_judgement
from un1540.services.assistance.actions.offers import create_offer
from un1540.services.assistance.actions.projects import (
    add_milestone,
    complete_milestone,
    give_feedback,
    move_project,
    open_project,
)
from un1540.services.assistance.actions.requests import submit_request, transition_request
from un1540.services.assistance.reads.funding import (
    funding_entries,
    funding_totals,
    visible_project_ids,
)
from un1540.services.assistance.reads.offers import list_offers
from un1540.services.assistance.reads.overview import (
    duplication_warnings,
    field_loop,
    who_what_where,
)
from un1540.services.assistance.reads.projects import get_project, list_projects, visible_projects
from un1540.services.assistance.reads.requests import get_request, list_requests
from un1540.services.assistance.reads.suggestions import suggestions_for
from un1540.services.assistance.rules import (
    PROJECTS,
    REQUESTS,
    clearinghouse_rules,
    feedback_action,
    transition_targets,
)
from un1540.services.assistance.shapes import funding_read, offer_read, project_read, request_read
from un1540.services.kernel.notifications import list_notifications
from un1540.services.matrix.frameworks import default_framework, framework_layout
from un1540.services.matrix.states import list_states
from un1540.web.deps import PagingDep, SessionDep, ViewerDep
from un1540.web.i18n import gettext
from un1540.web.portal.forms import CsrfChecked, act, build
from un1540.web.portal.labels import field_label, label, state_name
from un1540.web.portal.maps import map_json
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/assistance", response_class=HTMLResponse)
def assistance_page(
    request: Request, session: SessionDep, viewer: ViewerDep, paging: PagingDep
) -> HTMLResponse:
    """Requests, offers and projects, one page of each (the same page number for the three)."""
    requests, request_total = list_requests(session, viewer=viewer, paging=paging)
    offers, offer_total = list_offers(session, viewer=viewer, paging=paging)
    projects, project_total = list_projects(session, viewer=viewer, paging=paging)
    most = max(request_total, offer_total, project_total)
    starts = clearinghouse_rules.allowed(viewer, None)
    context = {
        "requests": [request_read(r, viewer) for r in requests],
        "offers": [offer_read(o) for o in offers],
        "projects": [project_read(p, viewer) for p in projects],
        "may_file": "file_request" in starts,
        "may_offer": "publish_offer" in starts,
        "page": paging.page,
        "page_size": paging.page_size,
        "pages": -(-most // paging.page_size),
    }
    synthetic = any(r.origin is Origin.demo for r in requests) or any(
        o.origin is Origin.demo for o in offers
    )
    return render(request, "assistance/index.html", context, synthetic=synthetic)


@router.get("/assistance/requests/new", response_class=HTMLResponse)
def request_form(
    request: Request,
    viewer: ViewerDep,
    field: Annotated[str, Query(max_length=100)] = "",
    weapon: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """The form, filled in from the gap the point of contact selected on the matrix page."""
    if viewer.user_id is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    vocabulary = load_assistance_vocabulary()
    context = {
        "field": field,
        "weapon": weapon,
        "help_types": vocabulary.help_types,
        "consent": vocabulary.consent,
    }
    return render(request, "assistance/new_request.html", context, synthetic=False)


@router.post("/assistance/requests")
def request_create(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    title: Annotated[str, Form(max_length=300)] = "",
    description: Annotated[str, Form(max_length=5000)] = "",
    field: Annotated[str, Form(max_length=100)] = "",
    weapon: Annotated[str, Form(max_length=10)] = "",
    help_type: Annotated[str, Form(max_length=40)] = "",
    consent: Annotated[str, Form(max_length=40)] = "public",
    state: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    created: list[int] = []

    def action() -> str:
        data = build(
            AssistanceRequestCreate,
            state=state or None,
            title=title or description[:80] or field,
            consent=consent,
            items=[
                {
                    "description": description or title or field,
                    "fields": [field] if field else [],
                    "weapons": [weapon] if weapon else [],
                    "help_types": [help_type] if help_type else [],
                }
            ],
        )
        filed = submit_request(session, viewer=viewer, data=data)
        created.append(filed.id)
        return gettext("Request %(id)s filed.") % {"id": filed.id}

    response = act(request, f"/assistance/requests/new?field={field}&weapon={weapon}", action)
    if created:
        return RedirectResponse(f"/assistance/requests/{created[0]}", status_code=303)
    return response


@router.get("/assistance/requests/{request_id}", response_class=HTMLResponse)
def request_page(
    request: Request, session: SessionDep, viewer: ViewerDep, request_id: int
) -> HTMLResponse:
    record = get_request(session, viewer=viewer, request_id=request_id)
    try:
        suggestions = suggestions_for(session, viewer=viewer, request_id=request_id)
    except Forbidden:
        suggestions = None
    read = request_read(record, viewer)
    context = {
        "item": read,
        "transitions": transition_targets(read.allowed_actions, REQUESTS),
        "suggestions": suggestions,
        "committee": viewer.is_committee_side,
        "state_iso3": record.state.iso3 if record.state else "",
    }
    return render(
        request, "assistance/request.html", context, synthetic=record.origin is Origin.demo
    )


@router.post("/assistance/requests/{request_id}/transitions")
def request_transition(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    request_id: int,
    to: Annotated[str, Form(max_length=40)],
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    def action() -> str:
        transition_request(session, viewer=viewer, request_id=request_id, to=to, reason=reason)
        return gettext("The request is now %(status)s.") % {"status": to}

    return act(request, f"/assistance/requests/{request_id}", action)


@router.post("/assistance/judgements")
def judgement_create(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    request_id: Annotated[int, Form()],
    item_id: Annotated[int, Form()],
    offer_id: Annotated[int, Form()],
    verdict: Annotated[str, Form(max_length=10)],
) -> Response:
    def action() -> str:
        data = build(JudgementCreate, item_id=item_id, offer_id=offer_id, verdict=verdict)
        record_judgement(session, viewer=viewer, data=data)
        return gettext("Judgement recorded.")

    return act(request, f"/assistance/requests/{request_id}", action)


@router.post("/assistance/projects")
def project_create(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    request_id: Annotated[int, Form()],
    item_id: Annotated[int, Form()],
    offer_id: Annotated[int, Form()],
) -> Response:
    opened: list[int] = []

    def action() -> str:
        project = open_project(
            session, viewer=viewer, data=AssistanceProjectCreate(item_id=item_id, offer_id=offer_id)
        )
        opened.append(project.id)
        return gettext("Project %(id)s opened.") % {"id": project.id}

    response = act(request, f"/assistance/requests/{request_id}", action)
    if opened:
        return RedirectResponse(f"/assistance/projects/{opened[0]}", status_code=303)
    return response


@router.get("/assistance/projects/{project_id}", response_class=HTMLResponse)
def project_page(
    request: Request, session: SessionDep, viewer: ViewerDep, project_id: int
) -> HTMLResponse:
    project = get_project(session, viewer=viewer, project_id=project_id)
    read = project_read(project, viewer)
    context = {
        "project": read,
        "committee": viewer.is_committee_side,
        "transitions": transition_targets(read.allowed_actions, PROJECTS),
        "feedback_sides": [
            side for side in read.feedback_due if feedback_action(side) in read.allowed_actions
        ],
    }
    return render(
        request, "assistance/project.html", context, synthetic=project.origin is Origin.demo
    )


@router.post("/assistance/projects/{project_id}/transitions")
def project_transition(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    project_id: int,
    to: Annotated[str, Form(max_length=40)],
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    def action() -> str:
        move_project(session, viewer=viewer, project_id=project_id, to=to, reason=reason)
        return gettext("The project is now %(status)s.") % {"status": to}

    return act(request, f"/assistance/projects/{project_id}", action)


def _earmark_regions() -> list[tuple[str, str]]:
    """The regional groups and the M49 regions a donor may earmark to, named in the page's
    language."""
    groups, _ = load_regional_groups()
    return [(code, label("group", code, group.name)) for code, group in groups.items()] + [
        (code, label("region", code, area.name))
        for code, area in load_m49_areas().items()
        if area.level == "region"
    ]


def _earmark_areas(session: Session) -> list[tuple[str, str]]:
    """The sections and fields of the current framework, each section followed by its fields."""
    choices = []
    for section in framework_layout(session, default_framework(session)).sections:
        choices.append((section.code, label("section", section.code, section.title)))
        choices.extend(
            (field.code, f"· {field.code}: {field_label(field.code)}") for field in section.fields
        )
    return choices


@router.get("/funding", response_class=HTMLResponse)
def funding_page(request: Request, session: SessionDep, viewer: ViewerDep) -> HTMLResponse:
    entries = funding_entries(session, viewer=viewer)
    projects = visible_projects(session, viewer)  # the projects a donor may earmark to
    shown = visible_project_ids(session, viewer)
    by_donor, by_recipient = funding_totals(entries, shown)
    context = {
        "projects": [project_read(p, viewer) for p in projects],
        "region_choices": _earmark_regions(),
        "area_choices": _earmark_areas(session),
        "may_fund": "record_funding" in clearinghouse_rules.allowed(viewer, None),
        "entries": [funding_read(e, shown) for e in entries],
        "by_donor": by_donor,
        "by_recipient": by_recipient,
    }
    synthetic = any(e.origin is Origin.demo for e in entries)
    return render(request, "assistance/funding.html", context, synthetic=synthetic)


@router.get("/who-what-where", response_class=HTMLResponse)
def who_what_where_page(request: Request, session: SessionDep, viewer: ViewerDep) -> HTMLResponse:
    rows, synthetic = who_what_where(session, viewer=viewer)
    per_state: dict[str, int] = {}
    for row in rows:
        per_state[row.iso3] = per_state.get(row.iso3, 0) + 1
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
        "warnings": duplication_warnings(visible_projects(session, viewer)),
        "map_data": map_json(
            points,
            value_label=gettext("Projects"),
            maximum=max(per_state.values(), default=1),
            percent=False,
        ),
    }
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
    rows, total, unread = list_notifications(session, viewer=viewer, paging=paging)
    context = {
        "rows": rows,
        "total": total,
        "unread": unread,
        "page": paging.page,
        "page_size": paging.page_size,
        "pages": -(-total // paging.page_size),
    }
    return render(request, "assistance/notifications.html", context, synthetic=False)


@router.get("/assistance/offers/new", response_class=HTMLResponse)
def offer_form(request: Request, viewer: ViewerDep) -> Response:
    if viewer.user_id is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    context = {"help_types": load_assistance_vocabulary().help_types}
    return render(request, "assistance/new_offer.html", context, synthetic=False)


def _codes(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


@router.post("/assistance/offers")
def offer_create(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    title: Annotated[str, Form(max_length=300)] = "",
    description: Annotated[str, Form(max_length=10000)] = "",
    areas: Annotated[str, Form(max_length=2000)] = "",
    help_type: Annotated[list[str] | None, Form()] = None,
    regions: Annotated[str, Form(max_length=500)] = "",
    languages: Annotated[str, Form(max_length=100)] = "",
    capacity: Annotated[str, Form(max_length=10)] = "1",
    provider_name: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    def action() -> str:
        if viewer.user_id is None:  # say "sign in" before "the form is not complete"
            raise Unauthenticated("sign in to publish an offer")
        codes = _codes(areas)
        try:
            slots = int(capacity)
        except ValueError:
            slots = -1  # reported by the service as "must be 0 or more"
        data = build(
            AssistanceOfferCreate,
            title=title,
            description=description,
            provider_name=provider_name,
            fields=[code for code in codes if "." in code],
            sections=[code for code in codes if "." not in code],
            help_types=help_type or [],
            regions=_codes(regions),
            languages=_codes(languages),
            capacity=slots,
        )
        offer = create_offer(session, viewer=viewer, data=data)
        return gettext("Offer %(id)s published.") % {"id": offer.id}

    return act(request, "/assistance", action)


@router.post("/assistance/projects/{project_id}/milestones")
def milestone_create(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    project_id: int,
    title: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    def action() -> str:
        data = build(MilestoneInput, title=title)
        add_milestone(session, viewer=viewer, project_id=project_id, data=data)
        return gettext("Milestone added.")

    return act(request, f"/assistance/projects/{project_id}", action)


@router.post("/assistance/projects/{project_id}/milestones/{milestone_id}/done")
def milestone_done(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    project_id: int,
    milestone_id: int,
) -> Response:
    def action() -> str:
        complete_milestone(
            session,
            viewer=viewer,
            project_id=project_id,
            milestone_id=milestone_id,
            data=MilestoneDone(),
        )
        return gettext("Delivery recorded.")

    return act(request, f"/assistance/projects/{project_id}", action)


@router.post("/assistance/projects/{project_id}/feedback")
def feedback_create(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    project_id: int,
    side: Annotated[str, Form(max_length=20)],
    rating: Annotated[int, Form()],
    text: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    def action() -> str:
        data = build(FeedbackInput, side=side, rating=rating, text=text)
        give_feedback(session, viewer=viewer, project_id=project_id, data=data)
        return gettext("Thank you: your feedback is recorded.")

    return act(request, f"/assistance/projects/{project_id}", action)


@router.post("/funding")
def funding_create(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    kind: Annotated[str, Form(max_length=20)],
    amount: Annotated[str, Form(max_length=30)],
    currency: Annotated[str, Form(max_length=3)],
    donor_name: Annotated[str, Form(max_length=300)] = "",
    made_on: Annotated[str, Form(max_length=10)] = "",
    earmark_region: Annotated[str, Form(max_length=40)] = "",
    earmark_area: Annotated[str, Form(max_length=100)] = "",
    project_id: Annotated[str, Form(max_length=12)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    def action() -> str:
        problems: list[Problem] = []
        try:
            value = float(amount.replace(",", "").strip())
        except ValueError:
            value = 0.0
            problems.append(Problem("amount", f"{amount!r} is not a number"))
        try:
            day = date.fromisoformat(made_on) if made_on.strip() else None
        except ValueError:
            day = None
            problems.append(Problem("made_on", f"{made_on!r} is not a date (YYYY-MM-DD)"))
        project = int(project_id) if project_id.strip().isdigit() else None
        if project_id.strip() and project is None:
            problems.append(Problem("project_id", f"{project_id!r} is not a project number"))
        if problems:
            raise InvalidData(
                "the funding entry is not valid; nothing was saved", problems=problems
            )
        data = build(
            FundingCreate,
            kind=kind,
            amount=value,
            currency=currency,
            donor_name=donor_name,
            made_on=day,
            earmark_region=earmark_region.strip(),
            earmark_area=earmark_area.strip(),
            project_id=project,
            note=note,
        )
        record_funding(session, viewer=viewer, data=data)
        return gettext("Funding recorded.")

    return act(request, "/funding", action)
