"""/api/v1/events and /api/v1/statements: events of the regime (open debates, Committee meetings
and consultations, workshops, trainings, outreach conferences), the statements made at them,
their publication and search (docs/events.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from un1540.models import Event, Statement
from un1540.reference.events import load_event_vocabulary
from un1540.schemas.common import MAX_RECORD_ID
from un1540.schemas.events import (
    ORGANISATION_CODES,
    EventCreate,
    EventDetail,
    EventList,
    StatementCreate,
    StatementDetail,
    StatementList,
)
from un1540.schemas.text import CODE, SEARCH_QUERY
from un1540.schemas.vocabularies import enum
from un1540.services.commitments.reads import commitments_at_event
from un1540.services.commitments.shapes import commitment_reads
from un1540.services.events.actions import create_event, publish_statement, submit_statement
from un1540.services.events.reads import (
    event_facets,
    event_statements,
    get_event,
    get_statement,
    list_events,
    list_statements,
)
from un1540.services.events.shapes import event_detail_read, event_read, statement_read
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.envelope import envelope
from un1540.web.api.common import ERRORS, WRITE_ERRORS, FacetsQuery, facet_map, page_response
from un1540.web.deps import PagingDep, SessionDep, ViewerDep, WriterDep
from un1540.web.responses import json_model

router = APIRouter(tags=["Events"])
EventPath = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="Event number.")]
StatementPath = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="Statement number.")]
Words = Annotated[str | None, Query(description="Words to find (every one)."), SEARCH_QUERY]


def _vocabulary(name: str) -> dict[str, list[str]]:
    return {"enum": list(load_event_vocabulary().terms(name))}


def _event_detail(
    session: SessionDep, event: Event, viewer: Viewer, status_code: int = 200
) -> Response:
    statements = event_statements(session, viewer=viewer, event_id=event.id)
    read = event_detail_read(event, statements, viewer)
    made = commitment_reads(session, viewer, commitments_at_event(session, viewer, event.id))
    read = read.model_copy(
        update={"commitments": made, "synthetic": read.synthetic or any(c.synthetic for c in made)}
    )
    return json_model(EventDetail(**envelope(read.synthetic), event=read), status_code=status_code)


def _statement_detail(statement: Statement, viewer: Viewer, status_code: int = 200) -> Response:
    read = statement_read(statement, viewer)
    return json_model(
        StatementDetail(**envelope(read.synthetic), statement=read), status_code=status_code
    )


@router.get("/events", summary="Events", response_model=EventList, responses=ERRORS)
def events_list(
    session: SessionDep,
    viewer: ViewerDep,
    paging: PagingDep,
    kind: Annotated[
        str | None, Query(max_length=40, json_schema_extra=_vocabulary("kinds")), CODE
    ] = None,
    audience: Annotated[
        str | None, Query(max_length=40, json_schema_extra=_vocabulary("audiences")), CODE
    ] = None,
    year: Annotated[
        int | None, Query(ge=2004, le=2100, description="Starting in this year.")
    ] = None,
    q: Words = None,
    facets: FacetsQuery = False,
) -> Response:
    """The events you may see (public ones for everyone), newest first; `q` searches titles,
    places and summaries."""
    filters: dict[str, Any] = {"kind": kind, "audience": audience, "year": year, "q": q}
    rows, total = list_events(session, viewer=viewer, paging=paging, **filters)
    items = [event_read(event, viewer) for event in rows]
    synthetic = any(item.synthetic for item in items)
    counts = event_facets(session, viewer=viewer, **filters) if facets else None
    return page_response(
        EventList,
        items,
        total=total,
        paging=paging,
        synthetic=synthetic,
        facets=None if counts is None else facet_map(counts),
    )


@router.post(
    "/events",
    summary="Record an event",
    status_code=201,
    response_model=EventDetail,
    responses=WRITE_ERRORS,
)
def events_create(session: SessionDep, viewer: WriterDep, body: EventCreate) -> Response:
    """The Committee side (experts, committee members). Unknown kinds, audiences, States or
    organisations, and an end before the start are refused naming the field; the event is seen
    by the Committee side only unless `visibility` says otherwise."""
    event = create_event(session, viewer=viewer, data=body)
    return _event_detail(session, get_event(session, viewer=viewer, event_id=event.id), viewer, 201)


@router.get(
    "/events/{event_id}",
    summary="One event with its statements and commitments",
    response_model=EventDetail,
    responses=ERRORS,
)
def events_detail(session: SessionDep, viewer: ViewerDep, event_id: EventPath) -> Response:
    """The event and the statements you may see: published ones; for the Committee side and the
    side a statement speaks for, also those not yet published."""
    return _event_detail(session, get_event(session, viewer=viewer, event_id=event_id), viewer)


@router.get("/statements", summary="Statements", response_model=StatementList, responses=ERRORS)
def statements_list(
    session: SessionDep,
    viewer: ViewerDep,
    paging: PagingDep,
    q: Words = None,
    event: Annotated[
        int | None, Query(ge=1, le=MAX_RECORD_ID, description="Only this event's.")
    ] = None,
    topic: Annotated[
        str | None, Query(max_length=40, json_schema_extra=_vocabulary("topics")), CODE
    ] = None,
    field: Annotated[
        str | None,
        Query(max_length=100, description="A matrix field code.", json_schema_extra=enum("field")),
        CODE,
    ] = None,
    language: Annotated[
        str | None, Query(max_length=8, json_schema_extra=enum("language")), CODE
    ] = None,
    state: Annotated[
        str | None,
        Query(
            max_length=3, description="On behalf of this State.", json_schema_extra=enum("state")
        ),
        CODE,
    ] = None,
    organisation: Annotated[
        str | None,
        Query(
            max_length=40,
            description="On behalf of this organisation (its code).",
            json_schema_extra=ORGANISATION_CODES,
        ),
        CODE,
    ] = None,
    published: Annotated[bool | None, Query(description="Only published (or not).")] = None,
) -> Response:
    """The statements you may see. Words (`q`) search published statements in their own
    language, ignoring case and accents; every word must occur."""
    rows, total = list_statements(
        session,
        viewer=viewer,
        q=q,
        event=event,
        topic=topic,
        field=field,
        language=language,
        state=state,
        organisation=organisation,
        published=published,
        paging=paging,
    )
    items = [statement_read(row, viewer) for row in rows]
    synthetic = any(item.synthetic for item in items)
    return page_response(StatementList, items, total=total, paging=paging, synthetic=synthetic)


@router.post(
    "/statements",
    summary="Submit a statement",
    status_code=201,
    response_model=StatementDetail,
    responses=WRITE_ERRORS,
)
def statements_create(session: SessionDep, viewer: WriterDep, body: StatementCreate) -> Response:
    """The Committee side for anyone; a State's point of contact on behalf of their State; an
    organisation's account on behalf of its organisation. Exactly one of `on_behalf_state`,
    `on_behalf_organisation`, `on_behalf_name`. A file is registered first as a document
    (POST /states/{iso3}/documents) and named in `document`. The statement is not public until
    published."""
    statement = submit_statement(session, viewer=viewer, data=body)
    return _statement_detail(
        get_statement(session, viewer=viewer, statement_id=statement.id), viewer, 201
    )


@router.get(
    "/statements/{statement_id}",
    summary="One statement",
    response_model=StatementDetail,
    responses=ERRORS,
)
def statements_detail(
    session: SessionDep, viewer: ViewerDep, statement_id: StatementPath
) -> Response:
    return _statement_detail(
        get_statement(session, viewer=viewer, statement_id=statement_id), viewer
    )


@router.post(
    "/statements/{statement_id}/publish",
    summary="Publish a statement",
    response_model=StatementDetail,
    responses=WRITE_ERRORS,
)
def statements_publish(
    session: SessionDep, viewer: WriterDep, statement_id: StatementPath
) -> Response:
    """Experts and committee members, once: publishing a published statement is a 409."""
    statement = publish_statement(session, viewer=viewer, statement_id=statement_id)
    return _statement_detail(statement, viewer)
