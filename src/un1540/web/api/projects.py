"""/api/v1/assistance/projects, /api/v1/funding, who does what where, and the loop on a field."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Path, Request
from starlette.responses import Response

from un1540.io.csv_export import write_csv
from un1540.models import AssistanceProject, FundingEntry, Origin
from un1540.schemas.assistance import (
    FeedbackInput,
    FeedbackRead,
    FundingCreate,
    FundingList,
    FundingRead,
    LoopRead,
    MilestoneDone,
    MilestoneInput,
    MilestoneRead,
    ProjectCreate,
    ProjectDetail,
    ProjectList,
    ProjectRead,
    TransitionRequest,
    WhoWhatWhereList,
)
from un1540.services.assistance.assistance_views import (
    duplication_warnings,
    field_loop,
    visible_projects,
    who_what_where,
)
from un1540.services.assistance.funding import (
    funding_entries,
    funding_totals,
    record_funding,
    shown_project,
    visible_project_ids,
)
from un1540.services.assistance.projects import (
    PROJECT_TRANSITIONS,
    add_milestone,
    complete_milestone,
    feedback_due,
    get_project,
    give_feedback,
    list_projects,
    move_project,
    open_project,
)
from un1540.services.kernel.envelope import envelope
from un1540.web.api.common import CSV_RESPONSE, ERRORS, WRITE_ERRORS, Iso3Path, page_response
from un1540.web.deps import PagingDep, SessionDep, ViewerDep, WriterDep
from un1540.web.mail import send_emails
from un1540.web.responses import csv_response, json_model

router = APIRouter(tags=["Assistance"])
ProjectPath = Annotated[int, Path(ge=1, description="Project number.")]
MilestonePath = Annotated[int, Path(ge=1, description="Milestone number.")]


def project_read(project: AssistanceProject) -> ProjectRead:
    request = project.request
    return ProjectRead(
        id=project.id,
        request_id=project.request_id,
        item_id=project.item_id,
        offer_id=project.offer_id,
        title=project.title,
        status=project.status,
        next_statuses=list(PROJECT_TRANSITIONS[project.status]),
        recipient=request.state.iso3 if request.state else request.requester_key.split(":")[-1],
        provider=project.offer.provider_name,
        fields=list(project.item.fields),
        start_on=project.start_on,
        end_on=project.end_on,
        milestones=[
            MilestoneRead(id=m.id, title=m.title, due_on=m.due_on, done_on=m.done_on)
            for m in project.milestones
        ],
        feedback=[
            FeedbackRead(
                side=f.side, rating=f.rating, text=f.text, given_by=f.given_by, given_at=f.given_at
            )
            for f in project.feedback
        ],
        feedback_due=feedback_due(project),
        synthetic=project.origin is Origin.demo,
    )


def _detail(project: AssistanceProject, status_code: int = 200) -> Response:
    read = project_read(project)
    return json_model(
        ProjectDetail(**envelope(read.synthetic), project=read), status_code=status_code
    )


@router.post(
    "/assistance/projects",
    summary="Open a project from an accepted match",
    status_code=201,
    response_model=ProjectDetail,
    responses=WRITE_ERRORS,
)
def projects_create(session: SessionDep, viewer: WriterDep, body: ProjectCreate) -> Response:
    """Experts and the Committee, for a pair an expert accepted; the request becomes matched."""
    project = open_project(session, viewer=viewer, data=body)
    session.commit()
    return _detail(get_project(session, viewer=viewer, project_id=project.id), status_code=201)


@router.get(
    "/assistance/projects", summary="Projects", response_model=ProjectList, responses=ERRORS
)
def projects_list(session: SessionDep, viewer: ViewerDep, paging: PagingDep) -> Response:
    """The projects whose request you may see."""
    rows, total = list_projects(session, viewer=viewer, paging=paging)
    items = [project_read(row) for row in rows]
    synthetic = any(item.synthetic for item in items)
    return page_response(ProjectList, items, total=total, paging=paging, synthetic=synthetic)


@router.get(
    "/assistance/projects/{project_id}",
    summary="One project",
    response_model=ProjectDetail,
    responses=ERRORS,
)
def projects_detail(session: SessionDep, viewer: ViewerDep, project_id: ProjectPath) -> Response:
    return _detail(get_project(session, viewer=viewer, project_id=project_id))


@router.post(
    "/assistance/projects/{project_id}/transitions",
    summary="Move a project: planned, in delivery, delivered, closed",
    response_model=ProjectDetail,
    responses=WRITE_ERRORS,
)
def projects_transition(
    session: SessionDep,
    viewer: WriterDep,
    project_id: ProjectPath,
    body: TransitionRequest,
    http: Request,
    background: BackgroundTasks,
) -> Response:
    """The Committee side or the provider; the request follows its projects. Both sides are
    notified of the change, and asked for feedback when it is delivered."""
    move_project(session, viewer=viewer, project_id=project_id, to=body.to, reason=body.reason)
    session.commit()
    background.add_task(send_emails, http.app.state.sessions, http.app.state.settings)
    return _detail(get_project(session, viewer=viewer, project_id=project_id))


@router.post(
    "/assistance/projects/{project_id}/milestones",
    summary="Plan a milestone",
    status_code=201,
    response_model=ProjectDetail,
    responses=WRITE_ERRORS,
)
def milestones_create(
    session: SessionDep, viewer: WriterDep, project_id: ProjectPath, body: MilestoneInput
) -> Response:
    add_milestone(session, viewer=viewer, project_id=project_id, data=body)
    session.commit()
    return _detail(get_project(session, viewer=viewer, project_id=project_id), status_code=201)


@router.post(
    "/assistance/projects/{project_id}/milestones/{milestone_id}/done",
    summary="Record a delivery",
    response_model=ProjectDetail,
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
    session.commit()
    return _detail(get_project(session, viewer=viewer, project_id=project_id))


@router.post(
    "/assistance/projects/{project_id}/feedback",
    summary="Feedback from the recipient or the provider",
    status_code=201,
    response_model=ProjectDetail,
    responses=WRITE_ERRORS,
)
def feedback_create(
    session: SessionDep, viewer: WriterDep, project_id: ProjectPath, body: FeedbackInput
) -> Response:
    """Each side once, while the project is in delivery or delivered (resolution 2663)."""
    give_feedback(session, viewer=viewer, project_id=project_id, data=body)
    session.commit()
    return _detail(get_project(session, viewer=viewer, project_id=project_id), status_code=201)


def funding_read(entry: FundingEntry, shown_projects: set[int]) -> FundingRead:
    """The entry; its project only when it is among `shown_projects` (those the reader may see)."""
    return FundingRead(
        id=entry.id,
        kind=entry.kind,
        donor=entry.donor_key.split(":", 1)[-1],
        donor_name=entry.donor_name,
        amount=entry.amount,
        currency=entry.currency,
        made_on=entry.made_on,
        earmark_region=entry.earmark_region,
        earmark_area=entry.earmark_area,
        project_id=shown_project(entry, shown_projects),
        note=entry.note,
        synthetic=entry.origin is Origin.demo,
    )


@router.post(
    "/funding/pledges",
    summary="Record a pledge or a contribution",
    status_code=201,
    response_model=FundingRead,
    responses=WRITE_ERRORS,
)
def funding_create(session: SessionDep, viewer: WriterDep, body: FundingCreate) -> Response:
    """Amount, currency (ISO 4217), date, optionally earmarked to a region, an area or a project."""
    entry = record_funding(session, viewer=viewer, data=body)
    session.commit()
    shown = visible_project_ids(session, viewer)
    return json_model(funding_read(entry, shown), status_code=201)


@router.get(
    "/funding/pledges",
    summary="Pledges and contributions, with totals",
    response_model=FundingList,
    responses=ERRORS,
)
def funding_list(session: SessionDep, viewer: ViewerDep, paging: PagingDep) -> Response:
    """Every entry, and pledged versus paid per donor and per recipient State, per currency."""
    entries = funding_entries(session, viewer=viewer)
    shown = visible_project_ids(session, viewer)
    by_donor, by_recipient = funding_totals(entries, shown)
    items = [funding_read(entry, shown) for entry in entries]
    return page_response(
        FundingList,
        paging.cut(items),
        total=len(items),
        paging=paging,
        synthetic=any(item.synthetic for item in items),
        by_donor=by_donor,
        by_recipient=by_recipient,
    )


@router.get(
    "/assistance/who-what-where",
    summary="Who does what where",
    response_model=WhoWhatWhereList,
    responses=ERRORS,
)
def who_what_where_list(session: SessionDep, viewer: ViewerDep, paging: PagingDep) -> Response:
    """Provider x State x matrix area of every project you may see (to avoid duplication)."""
    rows, synthetic = who_what_where(session, viewer=viewer)
    warnings = duplication_warnings(visible_projects(session, viewer))
    return page_response(
        WhoWhatWhereList,
        paging.cut(rows),
        total=len(rows),
        paging=paging,
        synthetic=synthetic,
        warnings=warnings,
    )


@router.get(
    "/assistance/who-what-where.csv",
    summary="Who does what where, as CSV",
    response_class=Response,
    responses=CSV_RESPONSE,
)
def who_what_where_csv(session: SessionDep, viewer: ViewerDep) -> Response:
    rows, synthetic = who_what_where(session, viewer=viewer)
    header = [
        "provider",
        "provider_name",
        "iso3",
        "state",
        "areas",
        "sections",
        "project_id",
        "project",
        "status",
    ]
    body = write_csv(
        header,
        (
            [
                r.provider,
                r.provider_name,
                r.iso3,
                r.state,
                " ".join(r.areas),
                " ".join(r.sections),
                r.project_id,
                r.project,
                r.status,
            ]
            for r in rows
        ),
        synthetic=synthetic,
    )
    return csv_response(body, filename="who-what-where.csv", synthetic=synthetic)


@router.get(
    "/states/{iso3}/fields/{code}/loop",
    summary="The loop on one State's field: gap, request, project, change",
    response_model=LoopRead,
    responses=ERRORS,
)
def loop(session: SessionDep, viewer: ViewerDep, iso3: Iso3Path, code: str) -> Response:
    """The field's marks in every approved edition, the request items that named it, the
    projects that served them, and whether the field changed in a later edition."""
    return json_model(field_loop(session, viewer=viewer, iso3=iso3, code=code))
