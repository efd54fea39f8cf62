"""/api/v1/incidents: the CBRN incident register and its trends (docs/incidents.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from un1540.io.incident_trends import trends_csv
from un1540.reference.incidents import load_incident_vocabulary
from un1540.reference.states import load_states
from un1540.schemas.incidents import IncidentCreate, IncidentDetail, IncidentList, TrendsRead
from un1540.schemas.vocabularies import enum
from un1540.services.incidents.actions import record_incident
from un1540.services.incidents.reads import (
    FIRST_YEAR,
    LAST_YEAR,
    IncidentFilter,
    get_incident,
    incident_facets,
    incident_trends,
    list_incidents,
)
from un1540.services.incidents.shapes import incident_read, trends_read
from un1540.services.kernel.envelope import envelope
from un1540.web.api.common import (
    CSV_RESPONSE,
    ERRORS,
    WRITE_ERRORS,
    FacetsQuery,
    RecordIdPath,
    facet_map,
    page_response,
)
from un1540.web.deps import PagingDep, SessionDep, ViewerDep, WriterDep
from un1540.web.responses import csv_response, json_model

router = APIRouter(prefix="/incidents", tags=["Incidents"])
YEAR = {"ge": FIRST_YEAR, "le": LAST_YEAR}
M49_REGIONS = list(dict.fromkeys(state.m49_region for state in load_states()))


def _filters(
    year_from: Annotated[int | None, Query(**YEAR, description="From this year on.")] = None,
    year_to: Annotated[int | None, Query(**YEAR, description="Up to this year.")] = None,
    category: Annotated[
        str | None,
        Query(
            max_length=40, json_schema_extra={"enum": list(load_incident_vocabulary().categories)}
        ),
    ] = None,
    kind: Annotated[
        str | None,
        Query(max_length=40, json_schema_extra={"enum": list(load_incident_vocabulary().kinds)}),
    ] = None,
    region: Annotated[
        str | None,
        Query(
            max_length=40,
            description="M49 region code, e.g. africa.",
            json_schema_extra={"enum": M49_REGIONS},
        ),
    ] = None,
) -> IncidentFilter:
    return IncidentFilter(
        year_from=year_from, year_to=year_to, category=category, kind=kind, region=region
    )


FilterDep = Annotated[IncidentFilter, Depends(_filters)]
StateQuery = Annotated[
    str | None,
    Query(
        min_length=3,
        max_length=3,
        description="A State concerned (ISO alpha-3).",
        json_schema_extra=enum("state"),
    ),
]


@router.get("", summary="Incidents", response_model=IncidentList, responses=ERRORS)
def incidents_list(
    session: SessionDep,
    viewer: ViewerDep,
    paging: PagingDep,
    filters: FilterDep,
    state: StateQuery = None,
    facets: FacetsQuery = False,
) -> Response:
    """The incidents you may see record by record, newest first. Restricted records are listed
    only for the Committee side, their reporter and (if the reporter allows) the State concerned;
    the public sees non-restricted confirmed records. The trends count them all."""
    chosen = IncidentFilter(**{**filters.__dict__, "state": state})
    rows, total = list_incidents(session, viewer=viewer, filters=chosen, paging=paging)
    items = [incident_read(row) for row in rows]
    counts = incident_facets(session, viewer=viewer, filters=chosen) if facets else None
    return page_response(
        IncidentList,
        items,
        total=total,
        paging=paging,
        synthetic=any(item.synthetic for item in items),
        facets=None if counts is None else facet_map(counts),
    )


@router.post(
    "",
    summary="Record an incident",
    status_code=201,
    response_model=IncidentDetail,
    responses=WRITE_ERRORS,
)
def incidents_create(session: SessionDep, viewer: WriterDep, body: IncidentCreate) -> Response:
    """Experts and the Committee; providers for their own organisation's source. Omitted
    `fields` take the kind's default matrix fields (reference/incidents.yml)."""
    incident = record_incident(session, viewer=viewer, data=body)
    read = incident_read(incident)
    return json_model(IncidentDetail(**envelope(read.synthetic), incident=read), status_code=201)


@router.get(
    "/trends",
    summary="Incident trends by year, category, kind and region",
    response_model=TrendsRead,
    responses=ERRORS,
)
def incidents_trends(session: SessionDep, filters: FilterDep) -> Response:
    """Counts of every incident, restricted ones included (counted, never shown), with the
    caveat that counts reflect reporting practice as much as risk."""
    return json_model(trends_read(incident_trends(session, filters=filters)))


@router.get(
    "/trends.csv",
    summary="Incident trends as CSV",
    response_class=Response,
    responses=CSV_RESPONSE,
)
def incidents_trends_csv(session: SessionDep, filters: FilterDep) -> Response:
    """dimension, key, count and the caveat on every row."""
    trends = trends_read(incident_trends(session, filters=filters))
    return csv_response(
        trends_csv(trends), filename="incident-trends.csv", synthetic=trends.synthetic
    )


@router.get(
    "/{incident_id}", summary="One incident", response_model=IncidentDetail, responses=ERRORS
)
def incidents_one(session: SessionDep, viewer: ViewerDep, incident_id: RecordIdPath) -> Response:
    """404 alike for an incident that does not exist and one you may not see."""
    read = incident_read(get_incident(session, viewer=viewer, incident_id=incident_id))
    return json_model(IncidentDetail(**envelope(read.synthetic), incident=read))
