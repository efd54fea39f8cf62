"""/api/v1/assistance/who-what-where and the loop on one State's field."""

from __future__ import annotations

import itertools

from fastapi import APIRouter
from starlette.responses import Response

from un1540.io.csv_export import write_csv
from un1540.schemas.activities import WhoWhatWhereWithActivities
from un1540.schemas.assistance import LoopRead
from un1540.services.activities.overlaps import overview_warnings
from un1540.services.activities.reads import activities_in
from un1540.services.activities.shapes import activity_read
from un1540.services.assistance.reads.overview import field_loop, who_what_where
from un1540.web.api.common import CSV_RESPONSE, ERRORS, Iso3Path, page_response
from un1540.web.deps import PagingDep, SessionDep, ViewerDep
from un1540.web.responses import csv_response, json_model

router = APIRouter(tags=["Assistance"])


@router.get(
    "/assistance/who-what-where",
    summary="Who does what where",
    response_model=WhoWhatWhereWithActivities,
    responses=ERRORS,
)
def who_what_where_list(session: SessionDep, viewer: ViewerDep, paging: PagingDep) -> Response:
    """Provider x State x matrix area of every project you may see (to avoid duplication),
    with the organisations' activities you may see beside them (`activities`, not paged) and
    the possible duplication among all of them (`warnings`)."""
    rows, synthetic = who_what_where(session, viewer=viewer)
    activities = [activity_read(a) for a in activities_in(session, viewer=viewer)]
    warnings = overview_warnings(session, viewer=viewer)
    return page_response(
        WhoWhatWhereWithActivities,
        paging.cut(rows),
        total=len(rows),
        paging=paging,
        synthetic=synthetic or any(a.synthetic for a in activities),
        warnings=warnings,
        activities=activities,
    )


@router.get(
    "/assistance/who-what-where.csv",
    summary="Who does what where, as CSV",
    response_class=Response,
    responses=CSV_RESPONSE,
)
def who_what_where_csv(session: SessionDep, viewer: ViewerDep) -> Response:
    """One row per project you may see, then one per organisation's activity you may see
    (`kind`: project or activity), so that the file shows all of who does what where."""
    rows, synthetic = who_what_where(session, viewer=viewer)
    activities = [activity_read(a) for a in activities_in(session, viewer=viewer)]
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
        "kind",
        "activity_id",
        "start_on",
        "end_on",
    ]
    projects = (
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
            "project",
            "",
            "",
            "",
        ]
        for r in rows
    )
    organisations = (
        [
            a.organisation,
            a.organisation_name,
            a.state,
            a.state_name,
            " ".join(a.fields),
            " ".join(sorted({code.split(".", 1)[0] for code in a.fields})),
            "",
            a.programme,
            "",
            "activity",
            a.id,
            a.start_on.isoformat(),
            a.end_on.isoformat() if a.end_on else "",
        ]
        for a in activities
    )
    synthetic = synthetic or any(a.synthetic for a in activities)
    body = write_csv(header, itertools.chain(projects, organisations), synthetic=synthetic)
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
