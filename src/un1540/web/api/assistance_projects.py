"""/api/v1/assistance/projects: projects, their milestones, delivery and feedback."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy.orm import Session
from starlette.responses import Response

from un1540.models import AssistanceProject
from un1540.schemas.assistance import (
    AssistanceProjectCreate,
    AssistanceProjectDetail,
    AssistanceProjectList,
    DuplicationWarning,
    FeedbackInput,
    MilestoneDone,
    MilestoneInput,
    ProjectTransitionRequest,
)
from un1540.schemas.common import MAX_RECORD_ID
from un1540.services.activities.overlaps import project_warnings
from un1540.services.assistance.actions.projects import (
    add_milestone,
    complete_milestone,
    give_feedback,
    move_project,
    open_project,
)
from un1540.services.assistance.reads.projects import get_project, list_projects
from un1540.services.assistance.shapes import project_reads
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.envelope import envelope
from un1540.web.api.common import ERRORS, WRITE_ERRORS, page_response
from un1540.web.deps import PagingDep, SessionDep, ViewerDep, WriterDep
from un1540.web.responses import json_model

router = APIRouter(prefix="/assistance", tags=["Assistance"])
ProjectPath = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="Project number.")]
MilestonePath = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="Milestone number.")]


def _detail(
    session: Session,
    project: AssistanceProject,
    viewer: Viewer,
    status_code: int = 200,
    warnings: list[DuplicationWarning] | None = None,
) -> Response:
    read = project_reads(session, viewer, [project])[0]
    return json_model(
        AssistanceProjectDetail(**envelope(read.synthetic), project=read, warnings=warnings or []),
        status_code=status_code,
    )


@router.post(
    "/projects",
    summary="Open a project from an accepted match",
    status_code=201,
    response_model=AssistanceProjectDetail,
    responses=WRITE_ERRORS,
)
def projects_create(
    session: SessionDep, viewer: WriterDep, body: AssistanceProjectCreate
) -> Response:
    """Experts and the Committee, for a pair an expert accepted; the request becomes matched.
    `warnings` names other providers' projects and organisations' activities it may duplicate
    (same State and field, overlapping weapon categories and periods)."""
    project = open_project(session, viewer=viewer, data=body)
    opened = get_project(session, viewer=viewer, project_id=project.id)
    warnings = project_warnings(session, viewer=viewer, project=opened)
    return _detail(session, opened, viewer, status_code=201, warnings=warnings)


@router.get("/projects", summary="Projects", response_model=AssistanceProjectList, responses=ERRORS)
def projects_list(session: SessionDep, viewer: ViewerDep, paging: PagingDep) -> Response:
    """The projects whose request you may see."""
    rows, total = list_projects(session, viewer=viewer, paging=paging)
    items = project_reads(session, viewer, list(rows))
    synthetic = any(item.synthetic for item in items)
    return page_response(
        AssistanceProjectList, items, total=total, paging=paging, synthetic=synthetic
    )


@router.get(
    "/projects/{project_id}",
    summary="One project",
    response_model=AssistanceProjectDetail,
    responses=ERRORS,
)
def projects_detail(session: SessionDep, viewer: ViewerDep, project_id: ProjectPath) -> Response:
    return _detail(session, get_project(session, viewer=viewer, project_id=project_id), viewer)


@router.post(
    "/projects/{project_id}/transitions",
    summary="Move a project: planned, in delivery, delivered, closed",
    response_model=AssistanceProjectDetail,
    responses=WRITE_ERRORS,
)
def projects_transition(
    session: SessionDep,
    viewer: WriterDep,
    project_id: ProjectPath,
    body: ProjectTransitionRequest,
) -> Response:
    """The Committee side or the provider; the request follows its projects. Both sides are
    notified of the change, and asked for feedback when it is delivered."""
    move_project(session, viewer=viewer, project_id=project_id, to=body.to, reason=body.reason)
    return _detail(session, get_project(session, viewer=viewer, project_id=project_id), viewer)


@router.post(
    "/projects/{project_id}/milestones",
    summary="Plan a milestone",
    status_code=201,
    response_model=AssistanceProjectDetail,
    responses=WRITE_ERRORS,
)
def milestones_create(
    session: SessionDep, viewer: WriterDep, project_id: ProjectPath, body: MilestoneInput
) -> Response:
    add_milestone(session, viewer=viewer, project_id=project_id, data=body)
    return _detail(
        session, get_project(session, viewer=viewer, project_id=project_id), viewer, status_code=201
    )


@router.post(
    "/projects/{project_id}/milestones/{milestone_id}/done",
    summary="Record a delivery",
    response_model=AssistanceProjectDetail,
    responses=WRITE_ERRORS,
)
def milestones_done(
    session: SessionDep,
    viewer: WriterDep,
    project_id: ProjectPath,
    milestone_id: MilestonePath,
    body: MilestoneDone | None = None,
) -> Response:
    complete_milestone(
        session,
        viewer=viewer,
        project_id=project_id,
        milestone_id=milestone_id,
        data=body or MilestoneDone(),
    )
    return _detail(session, get_project(session, viewer=viewer, project_id=project_id), viewer)


@router.post(
    "/projects/{project_id}/feedback",
    summary="Feedback from the recipient or the provider",
    status_code=201,
    response_model=AssistanceProjectDetail,
    responses=WRITE_ERRORS,
)
def feedback_create(
    session: SessionDep, viewer: WriterDep, project_id: ProjectPath, body: FeedbackInput
) -> Response:
    """Each side once, while the project is in delivery or delivered (resolution 2663)."""
    give_feedback(session, viewer=viewer, project_id=project_id, data=body)
    return _detail(
        session, get_project(session, viewer=viewer, project_id=project_id), viewer, status_code=201
    )
