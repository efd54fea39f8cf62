"""/api/v1/states/{iso3}/action-plans: national implementation action plans, their measures and
milestones, with the progress the matrix shows beside the State's own report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from un1540.schemas.action_plans import (
    ActionPlanCreate,
    ActionPlanDetail,
    ActionPlanList,
    ActionPlanUpdate,
    MeasureCreate,
    MeasureTransition,
    MilestoneCreate,
    MilestoneTransition,
)
from un1540.schemas.common import MAX_RECORD_ID
from un1540.schemas.vocabularies import enum
from un1540.services.action_plans.actions import (
    add_measure,
    add_milestone,
    create_plan,
    transition_measure,
    transition_milestone,
    update_plan,
)
from un1540.services.action_plans.notices import OVERDUE_TASK  # noqa: F401 (registers the topic)
from un1540.services.action_plans.shapes import plan_detail, plan_summaries
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.envelope import envelope
from un1540.web.api.common import ERRORS, WRITE_ERRORS, Iso3Path, page_response
from un1540.web.deps import PagingDep, SessionDep, ViewerDep, WriterDep
from un1540.web.responses import json_model

router = APIRouter(tags=["Action plans"])
PlanPath = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="Action plan number.")]
MeasurePath = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="Measure number.")]
MilestonePath = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="Milestone number.")]
StatusQuery = Annotated[
    str | None,
    Query(
        description="Only plans with a measure in this reported status.",
        json_schema_extra=enum("measure_status"),
    ),
]
PublishedQuery = Annotated[
    bool | None, Query(description="Only published (true) or unpublished (false) plans.")
]
BASE = "/states/{iso3}/action-plans"


def _detail(session: SessionDep, plan_id: int, viewer: Viewer, status_code: int = 200) -> Response:
    read = plan_detail(session, viewer=viewer, plan_id=plan_id)
    return json_model(
        ActionPlanDetail(**envelope(read.synthetic), plan=read), status_code=status_code
    )


def _list(
    session: SessionDep,
    viewer: Viewer,
    paging: PagingDep,
    *,
    state: str | None = None,
    iso3: str | None = None,
    published: bool | None,
    status: str | None,
) -> Response:
    listing = plan_summaries(
        session,
        viewer=viewer,
        state=state,
        iso3=iso3,
        published=published,
        status=status,
        paging=paging,
    )
    return page_response(
        ActionPlanList,
        listing.items,
        total=listing.total,
        paging=paging,
        synthetic=listing.synthetic,
    )


@router.get(
    "/action-plans", summary="Action plans", response_model=ActionPlanList, responses=ERRORS
)
def plans_list(
    session: SessionDep,
    viewer: ViewerDep,
    paging: PagingDep,
    state: Annotated[
        str | None,
        Query(description="Only this State's plans (ISO3).", json_schema_extra=enum("state")),
    ] = None,
    published: PublishedQuery = None,
    status: StatusQuery = None,
) -> Response:
    """Every plan you may see (published plans, and unpublished ones for the Committee side and
    the State's own points of contact), newest submission first, with their progress."""
    return _list(session, viewer, paging, state=state, published=published, status=status)


@router.get(
    "/action-plans/{plan_id}",
    summary="One action plan",
    response_model=ActionPlanDetail,
    responses=ERRORS,
)
def plans_detail_by_number(session: SessionDep, viewer: ViewerDep, plan_id: PlanPath) -> Response:
    """The same as `/states/{iso3}/action-plans/{plan_id}`, by the plan's number alone."""
    return _detail(session, plan_id, viewer)


@router.get(BASE, summary="A State's action plans", response_model=ActionPlanList, responses=ERRORS)
def state_plans(
    session: SessionDep,
    viewer: ViewerDep,
    paging: PagingDep,
    iso3: Iso3Path,
    published: PublishedQuery = None,
    status: StatusQuery = None,
) -> Response:
    """The State's plans you may see, newest submission first, with their progress."""
    return _list(session, viewer, paging, iso3=iso3, published=published, status=status)


@router.post(
    BASE,
    summary="Record a State's action plan",
    status_code=201,
    response_model=ActionPlanDetail,
    responses=WRITE_ERRORS,
)
def state_plans_create(
    session: SessionDep, viewer: WriterDep, iso3: Iso3Path, body: ActionPlanCreate
) -> Response:
    """The State's points of contact (for their State) and experts: the plan with its measures
    (tied to matrix fields and weapon categories) and milestones, all checked at once. A second
    plan of the State submitted on the same day is a duplicate (409)."""
    plan = create_plan(session, viewer=viewer, iso3=iso3, data=body)
    return _detail(session, plan.id, viewer, status_code=201)


@router.get(
    BASE + "/{plan_id}",
    summary="One action plan, its measures and milestones",
    response_model=ActionPlanDetail,
    responses=ERRORS,
)
def state_plan(
    session: SessionDep, viewer: ViewerDep, iso3: Iso3Path, plan_id: PlanPath
) -> Response:
    """Each measure with its reported status and progress, and beside them what the approved
    matrix shows: the fields that gained an X in an edition approved after the submission."""
    read = plan_detail(session, viewer=viewer, plan_id=plan_id, iso3=iso3)
    return json_model(ActionPlanDetail(**envelope(read.synthetic), plan=read))


@router.patch(
    BASE + "/{plan_id}",
    summary="Change an action plan",
    response_model=ActionPlanDetail,
    responses=WRITE_ERRORS,
)
def state_plan_update(
    session: SessionDep,
    viewer: WriterDep,
    iso3: Iso3Path,
    plan_id: PlanPath,
    body: ActionPlanUpdate,
) -> Response:
    """Its facts (title, dates, period, partners, publication), with the revision you read
    (409 when it is stale)."""
    plan = update_plan(session, viewer=viewer, iso3=iso3, plan_id=plan_id, data=body)
    return _detail(session, plan.id, viewer)


@router.post(
    BASE + "/{plan_id}/measures",
    summary="Add a measure to an action plan",
    status_code=201,
    response_model=ActionPlanDetail,
    responses=WRITE_ERRORS,
)
def state_plan_measure_create(
    session: SessionDep, viewer: WriterDep, iso3: Iso3Path, plan_id: PlanPath, body: MeasureCreate
) -> Response:
    add_measure(session, viewer=viewer, iso3=iso3, plan_id=plan_id, data=body)
    return _detail(session, plan_id, viewer, status_code=201)


@router.post(
    BASE + "/{plan_id}/measures/{measure_id}/transitions",
    summary="Move a measure along its lifecycle",
    response_model=ActionPlanDetail,
    responses=WRITE_ERRORS,
)
def state_plan_measure_transition(
    session: SessionDep,
    viewer: WriterDep,
    iso3: Iso3Path,
    plan_id: PlanPath,
    measure_id: MeasurePath,
    body: MeasureTransition,
) -> Response:
    """`{"to": "in_progress"}` (planned, in_progress, done, dropped); a step out of order is
    refused (409)."""
    transition_measure(
        session, viewer=viewer, iso3=iso3, plan_id=plan_id, measure_id=measure_id, data=body
    )
    return _detail(session, plan_id, viewer)


@router.post(
    BASE + "/{plan_id}/measures/{measure_id}/milestones",
    summary="Add a milestone to a measure",
    status_code=201,
    response_model=ActionPlanDetail,
    responses=WRITE_ERRORS,
)
def state_plan_milestone_create(
    session: SessionDep,
    viewer: WriterDep,
    iso3: Iso3Path,
    plan_id: PlanPath,
    measure_id: MeasurePath,
    body: MilestoneCreate,
) -> Response:
    """Due within the plan's period."""
    add_milestone(
        session, viewer=viewer, iso3=iso3, plan_id=plan_id, measure_id=measure_id, data=body
    )
    return _detail(session, plan_id, viewer, status_code=201)


@router.post(
    BASE + "/{plan_id}/milestones/{milestone_id}/transitions",
    summary="Mark a milestone done or cancelled",
    response_model=ActionPlanDetail,
    responses=WRITE_ERRORS,
)
def state_plan_milestone_transition(
    session: SessionDep,
    viewer: WriterDep,
    iso3: Iso3Path,
    plan_id: PlanPath,
    milestone_id: MilestonePath,
    body: MilestoneTransition,
) -> Response:
    transition_milestone(
        session, viewer=viewer, iso3=iso3, plan_id=plan_id, milestone_id=milestone_id, data=body
    )
    return _detail(session, plan_id, viewer)
