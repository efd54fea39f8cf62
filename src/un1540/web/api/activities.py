"""/api/v1/activities: what organisations do in States besides the projects brokered here,
with the duplication warnings of a new one (docs/activities.md)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from un1540.schemas.activities import (
    ORGANISATION_ENUM,
    ActivityCreate,
    ActivityDetail,
    ActivityList,
)
from un1540.schemas.vocabularies import enum
from un1540.services.activities.actions import record_activity
from un1540.services.activities.overlaps import activity_warnings
from un1540.services.activities.reads import (
    ActivityFilter,
    activity_facets,
    get_activity,
    list_activities,
)
from un1540.services.activities.shapes import activity_read
from un1540.services.kernel.envelope import envelope
from un1540.web.api.common import (
    ERRORS,
    WRITE_ERRORS,
    FacetsQuery,
    RecordIdPath,
    facet_map,
    page_response,
)
from un1540.web.deps import PagingDep, SessionDep, ViewerDep, WriterDep
from un1540.web.responses import json_model

router = APIRouter(prefix="/activities", tags=["Activities"])
DATE = {"ge": date(1945, 1, 1), "le": date(2100, 12, 31)}


def _filters(
    organisation: Annotated[
        str | None,
        Query(
            max_length=40,
            pattern="^[a-z0-9_]+$",
            description="The organisation's code, e.g. iaea.",
            json_schema_extra=ORGANISATION_ENUM,
        ),
    ] = None,
    state: Annotated[
        str | None,
        Query(
            min_length=3,
            max_length=3,
            description="The State (ISO alpha-3).",
            json_schema_extra=enum("state"),
        ),
    ] = None,
    field: Annotated[
        str | None,
        Query(max_length=80, description="A matrix field code.", json_schema_extra=enum("field")),
    ] = None,
    weapon: Annotated[
        str | None,
        Query(
            max_length=10,
            description="A weapon category: activities on it or on all of them.",
            json_schema_extra=enum("weapon"),
        ),
    ] = None,
    period_from: Annotated[
        date | None, Query(**DATE, description="Under way on or after this day.")
    ] = None,
    period_to: Annotated[
        date | None,
        Query(
            **DATE,
            description="Started on or before this day (before period_from: no activity).",
        ),
    ] = None,
) -> ActivityFilter:
    return ActivityFilter(
        organisation=organisation,
        state=state,
        field=field,
        weapon=weapon,
        period_from=period_from,
        period_to=period_to,
    )


FilterDep = Annotated[ActivityFilter, Depends(_filters)]


@router.get("", summary="Organisations' activities", response_model=ActivityList, responses=ERRORS)
def activities_list(
    session: SessionDep,
    viewer: ViewerDep,
    paging: PagingDep,
    filters: FilterDep,
    facets: FacetsQuery = False,
) -> Response:
    """The activities you may see, latest start first. An activity is seen by the Committee
    side, its organisation's accounts, and whoever its visibility names (by default the State
    concerned)."""
    rows, total = list_activities(session, viewer=viewer, filters=filters, paging=paging)
    items = [activity_read(row) for row in rows]
    counts = activity_facets(session, viewer=viewer, filters=filters) if facets else None
    return page_response(
        ActivityList,
        items,
        total=total,
        paging=paging,
        synthetic=any(item.synthetic for item in items),
        facets=None if counts is None else facet_map(counts),
    )


@router.post(
    "",
    summary="Record an organisation's activity",
    status_code=201,
    response_model=ActivityDetail,
    responses=WRITE_ERRORS,
)
def activities_create(session: SessionDep, viewer: WriterDep, body: ActivityCreate) -> Response:
    """An organisation's accounts for their organisation, and the Committee side for any.
    `warnings` names the projects and other organisations' activities it may duplicate (same
    State and field, overlapping weapon categories and periods); one you may not see is named
    only as "an activity by <organisation>"."""
    activity = record_activity(session, viewer=viewer, data=body)
    read = activity_read(activity)
    warnings = activity_warnings(session, viewer=viewer, activity=activity)
    return json_model(
        ActivityDetail(**envelope(read.synthetic), activity=read, warnings=warnings),
        status_code=201,
    )


@router.get(
    "/{activity_id}", summary="One activity", response_model=ActivityDetail, responses=ERRORS
)
def activities_one(session: SessionDep, viewer: ViewerDep, activity_id: RecordIdPath) -> Response:
    """404 alike for an activity that does not exist and one you may not see."""
    read = activity_read(get_activity(session, viewer=viewer, activity_id=activity_id))
    return json_model(ActivityDetail(**envelope(read.synthetic), activity=read))
