"""Projects in the portal: opened from an accepted pair; moved, planned, delivered, rated."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from un1540.models import Origin
from un1540.schemas.assistance import (
    AssistanceProjectCreate,
    FeedbackInput,
    MilestoneDone,
    MilestoneInput,
)
from un1540.services.activities.overlaps import project_warnings
from un1540.services.assistance.actions.projects import (
    add_milestone,
    complete_milestone,
    give_feedback,
    move_project,
    open_project,
)
from un1540.services.assistance.reads.projects import get_project
from un1540.services.assistance.rules import (
    PROJECTS,
    feedback_action,
    transition_targets,
)
from un1540.services.assistance.shapes import project_reads
from un1540.web.auth import flash
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.i18n import gettext
from un1540.web.params import RecordIdForm, RecordIdPath
from un1540.web.portal.activities import warning_text
from un1540.web.portal.forms import CsrfChecked, act, build
from un1540.web.portal.labels import code_label
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)


@router.post("/assistance/projects")
def project_create(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    request_id: RecordIdForm,
    item_id: RecordIdForm,
    offer_id: RecordIdForm,
) -> Response:
    opened: list[int] = []

    def action() -> str:
        project = open_project(
            session, viewer=viewer, data=AssistanceProjectCreate(item_id=item_id, offer_id=offer_id)
        )
        opened.append(project.id)
        for warning in project_warnings(session, viewer=viewer, project=project):
            flash(request, warning_text(warning), kind="warning")
        return gettext("Project %(id)s opened.") % {"id": project.id}

    response = act(request, f"/assistance/requests/{request_id}", action)
    if opened:
        return RedirectResponse(f"/assistance/projects/{opened[0]}", status_code=303)
    return response


@router.get("/assistance/projects/{project_id}", response_class=HTMLResponse)
def project_page(
    request: Request, session: SessionDep, viewer: ViewerDep, project_id: RecordIdPath
) -> HTMLResponse:
    project = get_project(session, viewer=viewer, project_id=project_id)
    read = project_reads(session, viewer, [project])[0]
    context = {
        "project": read,
        "transitions": transition_targets(read.allowed_actions, PROJECTS),
        "feedback_sides": [
            side for side in read.feedback_due if feedback_action(side) in read.allowed_actions
        ],
    }
    return render(
        request, "assistance_projects/detail.html", context, synthetic=project.origin is Origin.demo
    )


@router.post("/assistance/projects/{project_id}/transitions")
def project_transition(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    project_id: RecordIdPath,
    to: Annotated[str, Form(max_length=40)],
    reason: Annotated[str, Form()] = "",
) -> Response:
    def action() -> str:
        move_project(session, viewer=viewer, project_id=project_id, to=to, reason=reason)
        return gettext("The project is now %(status)s.") % {
            "status": code_label("assistance_project", to)
        }

    return act(request, f"/assistance/projects/{project_id}", action)


@router.post("/assistance/projects/{project_id}/milestones")
def milestone_create(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    project_id: RecordIdPath,
    title: Annotated[str, Form()] = "",
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
    project_id: RecordIdPath,
    milestone_id: RecordIdPath,
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
    project_id: RecordIdPath,
    side: Annotated[str, Form(max_length=20)],
    rating: Annotated[int, Form(ge=1, le=5)],
    text: Annotated[str, Form()] = "",
) -> Response:
    def action() -> str:
        data = build(FeedbackInput, side=side, rating=rating, text=text)
        give_feedback(session, viewer=viewer, project_id=project_id, data=data)
        return gettext("Thank you: your feedback is recorded.")

    return act(request, f"/assistance/projects/{project_id}", action)
