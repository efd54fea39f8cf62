"""National implementation action plans in the portal: the list (with filters and progress), a
plan's page (measures, milestones, the matrix-derived progress beside the reported status) and
the forms to create and edit them (for the State's points of contact and experts)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from un1540.reference.languages import N_
from un1540.schemas.action_plans import (
    ActionPlanCreate,
    ActionPlanUpdate,
    MeasureCreate,
    MeasureTransition,
    MilestoneCreate,
    MilestoneTransition,
)
from un1540.services.action_plans.actions import (
    add_measure,
    add_milestone,
    create_plan,
    transition_measure,
    transition_milestone,
    update_plan,
)
from un1540.services.action_plans.reads import plan_facets
from un1540.services.action_plans.rules import (
    MEASURES,
    MILESTONES,
    state_rules,
    transition_targets,
)
from un1540.services.action_plans.shapes import plan_detail, plan_summaries
from un1540.services.kernel.paging import PageRequest
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.i18n import gettext
from un1540.web.params import PageQuery, RecordIdForm, RecordIdPath
from un1540.web.portal.facets import facet_links, state_label
from un1540.web.portal.forms import CsrfChecked, act, build, login_redirect
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)

# The statuses of measures and milestones as the portal shows them (reference/lifecycles.yml).
STATUS_NAMES = {
    "planned": N_("Planned"),
    "in_progress": N_("In progress"),
    "done": N_("Done"),
    "dropped": N_("Dropped"),
    "pending": N_("Pending"),
    "cancelled": N_("Cancelled"),
}
PAGE_SIZE = 50


def status_name(code: str) -> str:
    return gettext(STATUS_NAMES.get(code, code))


def _yes_no(code: str) -> str:
    return gettext("Yes") if code == "yes" else gettext("No") if code == "no" else code


def _split(text: str) -> list[str]:
    return [part for part in text.replace(",", " ").replace(";", " ").split() if part]


def _partners(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", "\n").splitlines() if part.strip()]


@router.get("/action-plans", response_class=HTMLResponse)
def plans_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    state: Annotated[str, Query(max_length=3)] = "",
    published: Annotated[str, Query(max_length=3)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
    page: PageQuery = 1,
) -> HTMLResponse:
    paging = PageRequest(page=page, page_size=PAGE_SIZE)
    listing = plan_summaries(
        session,
        viewer=viewer,
        state=state or None,
        published={"yes": True, "no": False}.get(published),
        status=status or None,
        paging=paging,
    )
    filters = {"state": state, "published": published, "status": status}
    labels = {"status": status_name, "published": _yes_no, "state": state_label}
    context = {
        # Each filter's values with their counts, as links (web/portal/facets.py).
        "facets": facet_links(
            "/action-plans",
            filters,
            plan_facets(
                session,
                viewer=viewer,
                state=state or None,
                published={"yes": True, "no": False}.get(published),
                status=status or None,
            ),
            {
                "status": gettext("With a measure"),
                "published": gettext("Published"),
                "state": gettext("State"),
            },
            lambda facet, code: labels[facet](code),
        ),
        "plans": listing.items,
        "total": listing.total,
        "page": page,
        "pages": max(1, -(-listing.total // PAGE_SIZE)),
        "filters": filters,
        "measure_statuses": list(MEASURES.statuses),
        "status_name": status_name,
        "may_create": "create" in state_rules.allowed(viewer, viewer.state_id or 0),
    }
    return render(request, "action_plans/list.html", context, synthetic=listing.synthetic)


@router.get("/action-plans/new", response_class=HTMLResponse)
def plan_new(request: Request, viewer: ViewerDep) -> Response:
    if viewer.user_id is None:
        return login_redirect(request)
    context = {"plan": None}
    return render(request, "action_plans/form.html", context, synthetic=False)


@router.post("/action-plans")
def plan_create(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    state: Annotated[str, Form(max_length=3)] = "",
    title: Annotated[str, Form()] = "",
    submitted_on: Annotated[str, Form(max_length=10)] = "",
    period_from: Annotated[str, Form(max_length=10)] = "",
    period_to: Annotated[str, Form(max_length=10)] = "",
    partners: Annotated[str, Form()] = "",
    published: Annotated[str, Form(max_length=1)] = "",
    published_url: Annotated[str, Form()] = "",
    summary: Annotated[str, Form()] = "",
) -> Response:
    created: list[int] = []

    def action() -> str:
        data = build(
            ActionPlanCreate,
            title=title,
            submitted_on=submitted_on or None,
            period_from=period_from or None,
            period_to=period_to or None,
            partners=_partners(partners),
            published=published == "1",
            published_url=published_url,
            summary=summary,
        )
        plan = create_plan(session, viewer=viewer, iso3=state, data=data)
        created.append(plan.id)
        return gettext("Action plan %(id)s recorded.") % {"id": plan.id}

    response = act(request, "/action-plans/new", action)
    if created:
        return RedirectResponse(f"/action-plans/{created[0]}", status_code=303)
    return response


@router.get("/action-plans/{plan_id}", response_class=HTMLResponse)
def plan_page(
    request: Request, session: SessionDep, viewer: ViewerDep, plan_id: RecordIdPath
) -> HTMLResponse:
    plan = plan_detail(session, viewer=viewer, plan_id=plan_id)
    context = {
        "plan": plan,
        "status_name": status_name,
        "measure_steps": {
            m.id: transition_targets(m.allowed_actions, MEASURES) for m in plan.measures
        },
        "milestone_steps": {
            ms.id: transition_targets(ms.allowed_actions, MILESTONES)
            for m in plan.measures
            for ms in m.milestones
        },
    }
    return render(request, "action_plans/detail.html", context, synthetic=plan.synthetic)


@router.get("/action-plans/{plan_id}/edit", response_class=HTMLResponse)
def plan_edit(
    request: Request, session: SessionDep, viewer: ViewerDep, plan_id: RecordIdPath
) -> Response:
    if viewer.user_id is None:
        return login_redirect(request)
    plan = plan_detail(session, viewer=viewer, plan_id=plan_id)
    context = {"plan": plan}
    return render(request, "action_plans/form.html", context, synthetic=plan.synthetic)


@router.post("/action-plans/{plan_id}")
def plan_update(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    plan_id: RecordIdPath,
    revision: RecordIdForm,
    title: Annotated[str, Form()] = "",
    submitted_on: Annotated[str, Form(max_length=10)] = "",
    period_from: Annotated[str, Form(max_length=10)] = "",
    period_to: Annotated[str, Form(max_length=10)] = "",
    partners: Annotated[str, Form()] = "",
    published: Annotated[str, Form(max_length=1)] = "",
    published_url: Annotated[str, Form()] = "",
    summary: Annotated[str, Form()] = "",
) -> Response:
    def action() -> str:
        data = build(
            ActionPlanUpdate,
            title=title or None,
            submitted_on=submitted_on or None,
            period_from=period_from or None,
            period_to=period_to or None,
            partners=_partners(partners),
            published=published == "1",
            published_url=published_url,
            summary=summary,
            revision=revision,
        )
        update_plan(session, viewer=viewer, iso3=None, plan_id=plan_id, data=data)
        return gettext("Action plan %(id)s saved.") % {"id": plan_id}

    return act(request, f"/action-plans/{plan_id}", action)


@router.post("/action-plans/{plan_id}/measures")
def measure_create(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    plan_id: RecordIdPath,
    title: Annotated[str, Form()] = "",
    fields: Annotated[str, Form(max_length=2000)] = "",
    weapons: Annotated[list[str] | None, Form(max_length=3)] = None,
    owner_agency: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    assistance_requests: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    def action() -> str:
        data = build(
            MeasureCreate,
            title=title,
            fields=_split(fields),
            weapons=weapons or [],
            owner_agency=owner_agency,
            description=description,
            assistance_requests=_split(assistance_requests),
        )
        add_measure(session, viewer=viewer, iso3=None, plan_id=plan_id, data=data)
        return gettext("Measure added.")

    return act(request, f"/action-plans/{plan_id}", action)


@router.post("/action-plans/{plan_id}/measures/{measure_id}/transitions")
def measure_transition(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    plan_id: RecordIdPath,
    measure_id: RecordIdPath,
    to: Annotated[str, Form(max_length=40)],
    progress: Annotated[str, Form(max_length=3)] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    def action() -> str:
        data = build(MeasureTransition, to=to, progress=progress or None, reason=reason)
        transition_measure(
            session, viewer=viewer, iso3=None, plan_id=plan_id, measure_id=measure_id, data=data
        )
        return gettext("The measure is now %(status)s.") % {"status": status_name(to)}

    return act(request, f"/action-plans/{plan_id}", action)


@router.post("/action-plans/{plan_id}/measures/{measure_id}/milestones")
def milestone_create(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    plan_id: RecordIdPath,
    measure_id: RecordIdPath,
    title: Annotated[str, Form()] = "",
    due_on: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    def action() -> str:
        data = build(MilestoneCreate, title=title, due_on=due_on or None)
        add_milestone(
            session, viewer=viewer, iso3=None, plan_id=plan_id, measure_id=measure_id, data=data
        )
        return gettext("Milestone added.")

    return act(request, f"/action-plans/{plan_id}", action)


@router.post("/action-plans/{plan_id}/milestones/{milestone_id}/transitions")
def milestone_transition(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    plan_id: RecordIdPath,
    milestone_id: RecordIdPath,
    to: Annotated[str, Form(max_length=40)],
    reason: Annotated[str, Form()] = "",
) -> Response:
    def action() -> str:
        data = build(MilestoneTransition, to=to, reason=reason)
        transition_milestone(
            session,
            viewer=viewer,
            iso3=None,
            plan_id=plan_id,
            milestone_id=milestone_id,
            data=data,
        )
        return gettext("The milestone is now %(status)s.") % {"status": status_name(to)}

    return act(request, f"/action-plans/{plan_id}", action)
