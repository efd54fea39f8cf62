"""Events in the portal: the list with filters (and the Committee side's form to record one),
an event's page with its published statements, a search within them, the form to submit a
statement (text or a file), and for experts and committee members the statements waiting, each
with a "Publish" action that asks for confirmation first (docs/events.md)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from starlette.responses import HTMLResponse, RedirectResponse, Response

from un1540.errors import InvalidParameter, Problem, Unauthenticated
from un1540.reference.events import load_event_vocabulary
from un1540.reference.languages import LANGUAGE_NAMES, UN_LANGUAGES
from un1540.reference.organisations import load_organisations
from un1540.reference.states import load_states
from un1540.schemas.events import (
    EVENT_SOURCE,
    EVENT_SUMMARY,
    EVENT_TITLE,
    EVENT_VISIBILITIES,
    ON_BEHALF_NAME,
    PLACE,
    SPEAKER,
    STATEMENT_TEXT,
    EventCreate,
    EventParticipantInput,
    StatementCreate,
)
from un1540.schemas.text import CODE, SEARCH_QUERY
from un1540.services.documents.actions import UploadedFile
from un1540.services.events.actions import create_event, publish_statement, submit_statement
from un1540.services.events.reads import (
    check_may_submit,
    event_facets,
    get_event,
    get_statement,
    known_fields,
    list_events,
    list_statements,
    own_party,
)
from un1540.services.events.rules import event_start_rules
from un1540.services.events.shapes import event_detail_read, event_read, statement_read
from un1540.services.kernel.paging import PageRequest
from un1540.web.deps import SessionDep, SettingsDep, ViewerDep
from un1540.web.guards import GuardedRoute, guarded
from un1540.web.i18n import gettext, language
from un1540.web.params import FormYearQuery, PageQuery, RecordIdPath, form_year
from un1540.web.portal.documents import VISIBILITY_NAMES
from un1540.web.portal.facets import facet_links
from un1540.web.portal.forms import CsrfChecked, act, build
from un1540.web.portal.templating import render
from un1540.web.uploads import read_limited

router = APIRouter(include_in_schema=False, route_class=GuardedRoute)
PAGE_SIZE = 20
CodeQuery = Annotated[str | None, Query(max_length=40), CODE]
Words = Annotated[str, Query(), SEARCH_QUERY]
Codes = Annotated[list[str], Form(max_length=100)]
LIMITS = {
    "title": EVENT_TITLE.max_length,
    "place": PLACE.max_length,
    "summary": EVENT_SUMMARY.max_length,
    "source": EVENT_SOURCE.max_length,
    "speaker": SPEAKER.max_length,
    "on_behalf_name": ON_BEHALF_NAME.max_length,
    "text": STATEMENT_TEXT.max_length,
}


def _names() -> dict[str, dict[str, str]]:
    """Each vocabulary's codes -> names in the page's language (reference/events.yml)."""
    vocabulary = load_event_vocabulary()
    code = language()
    return {
        name: vocabulary.names(name, code)
        for name in ("kinds", "audiences", "modes", "topics", "document_roles")
    }


def _pickers() -> dict[str, Any]:
    return {
        "states": [(state.iso3, state.short_name) for state in load_states()],
        "organisations": [(o.code, o.name) for o in load_organisations()],
        "languages": {code: LANGUAGE_NAMES[code] for code in UN_LANGUAGES},
        "limits": LIMITS,
    }


@router.get("/events", response_class=HTMLResponse)
def events_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    page: PageQuery = 1,
    kind: CodeQuery = None,
    audience: CodeQuery = None,
    year_text: Annotated[FormYearQuery, Query(alias="year")] = "",
    q: Words = "",
) -> HTMLResponse:
    paging = PageRequest(page=page, page_size=PAGE_SIZE)
    year = form_year(year_text)
    filters = {"kind": kind or None, "audience": audience or None, "year": year, "q": q or None}
    problems: list[Problem] = []
    try:
        rows, total = list_events(session, viewer=viewer, paging=paging, **filters)  # type: ignore[arg-type]
    except InvalidParameter as error:  # the page unfiltered, with the problem
        problems = error.problems
        filters = {key: None for key in filters}
        rows, total = list_events(session, viewer=viewer, paging=paging)
    items = [event_read(event, viewer) for event in rows]
    query = urlencode({key: value for key, value in filters.items() if value is not None})
    names = _names()
    labels = {"kind": names["kinds"], "audience": names["audiences"]}
    context = {
        # Each filter's values with their counts, as links (web/portal/facets.py).
        "facets": facet_links(
            "/events",
            filters,
            event_facets(session, viewer=viewer, **filters),  # type: ignore[arg-type]
            {"kind": gettext("Kind"), "audience": gettext("Audience"), "year": gettext("Year")},
            lambda facet, code: labels.get(facet, {}).get(code, code),
            chronological={"year"},
        ),
        "events": items,
        "total": total,
        "page": paging.page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "filters": filters,
        "query": query,
        "problems": problems,
        "names": names,
        "may_create": "create_event" in event_start_rules.allowed(viewer, None),
        "visibilities": {code: VISIBILITY_NAMES[code] for code in EVENT_VISIBILITIES},
        **_pickers(),
    }
    return render(
        request,
        "events/list.html",
        context,
        synthetic=any(item.synthetic for item in items),
        status_code=422 if problems else 200,
    )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@router.post("/events")
def event_create(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    kind: Annotated[str, Form(max_length=40)] = "",
    title: Annotated[str, Form()] = "",
    starts_on: Annotated[str, Form(max_length=10)] = "",
    ends_on: Annotated[str, Form(max_length=10)] = "",
    place: Annotated[str, Form()] = "",
    organisers: Annotated[str, Form()] = "",
    audiences: Codes = [],  # noqa: B006 (FastAPI copies defaults)
    summary: Annotated[str, Form()] = "",
    source: Annotated[str, Form()] = "",
    visibility: Annotated[str, Form(max_length=40)] = "committee",
    participant_states: Codes = [],  # noqa: B006
    participant_organisations: Codes = [],  # noqa: B006
    participant_others: Annotated[str, Form()] = "",
) -> Response:
    created: list[int] = []

    def action() -> str:
        if viewer.user_id is None:
            raise Unauthenticated("sign in to record an event")
        participants = (
            [EventParticipantInput(kind="state", state=code) for code in participant_states]
            + [
                EventParticipantInput(kind="organisation", organisation=code)
                for code in participant_organisations
            ]
            + [
                EventParticipantInput(kind="other", name=name)
                for name in _lines(participant_others)
            ]
        )
        data = build(
            EventCreate,
            kind=kind,
            title=title,
            starts_on=starts_on or None,
            ends_on=ends_on or None,
            place=place,
            organisers=_lines(organisers),
            audiences=audiences,
            summary=summary,
            source=source,
            visibility=visibility,
            participants=participants,
        )
        event = create_event(session, viewer=viewer, data=data)
        created.append(event.id)
        return gettext("Event %(id)s recorded.") % {"id": event.id}

    response = act(request, "/events", action)
    if created:
        return RedirectResponse(f"/events/{created[0]}", status_code=303)
    return response


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    event_id: RecordIdPath,
    q: Words = "",
    language_code: Annotated[str | None, Query(alias="language", max_length=8), CODE] = None,
    topic: CodeQuery = None,
) -> HTMLResponse:
    event = get_event(session, viewer=viewer, event_id=event_id)
    filters = {"q": q or None, "language": language_code or None, "topic": topic or None}
    problems: list[Problem] = []
    try:
        rows, _ = list_statements(
            session,
            viewer=viewer,
            event=event.id,
            paging=PageRequest(page_size=500),
            **filters,  # type: ignore[arg-type]
        )
    except InvalidParameter as error:
        problems = error.problems
        filters = {key: None for key in filters}
        rows, _ = list_statements(
            session, viewer=viewer, event=event.id, paging=PageRequest(page_size=500)
        )
    read = event_detail_read(event, rows, viewer)
    own_iso3, own_organisation = own_party(session, viewer)
    may_submit = "submit_statement" in event_start_rules.allowed(viewer, None)
    context = {
        "event": read,
        "published": [s for s in read.statements if s.published],
        "waiting": [s for s in read.statements if not s.published],
        "filters": filters,
        "searching": any(value is not None for value in filters.values()),
        "problems": problems,
        "names": _names(),
        "may_submit": may_submit,
        "committee_side": viewer.is_committee_side,
        "own_iso3": own_iso3,
        "own_organisation": own_organisation,
        "fields": known_fields(session) if may_submit else {},
        "visibility_name": gettext(VISIBILITY_NAMES.get(read.visibility, read.visibility)),
        **_pickers(),
    }
    return render(
        request,
        "events/detail.html",
        context,
        synthetic=read.synthetic,
        status_code=422 if problems else 200,
    )


async def _statement_file(
    request: Request,
    file: Annotated[UploadFile | None, File(description="The statement's file.")] = None,
) -> UploadedFile | None:
    """The uploaded file, read up to the upload limit (after the guard let the caller in)."""
    if file is None or not file.filename:
        return None
    settings = request.app.state.settings
    content = await read_limited(file, settings.max_upload_mb * 1_000_000)
    return UploadedFile(name=file.filename, content=content)


def _party(on_behalf: str) -> dict[str, str | None]:
    kind, _, code = on_behalf.partition(":")
    return {
        "on_behalf_state": code if kind == "state" and code else None,
        "on_behalf_organisation": code if kind == "organisation" and code else None,
    }


def _event_back(request: Request) -> str:
    return f"/events/{request.path_params['event_id']}"


@router.post("/events/{event_id}/statements")
@guarded(check_may_submit, back=_event_back)
def statement_submit(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    settings: SettingsDep,
    _: CsrfChecked,
    event_id: RecordIdPath,
    upload: Annotated[UploadedFile | None, Depends(_statement_file)],
    speaker: Annotated[str, Form()] = "",
    on_behalf: Annotated[str, Form(max_length=60)] = "",
    on_behalf_name: Annotated[str, Form()] = "",
    language_code: Annotated[str, Form(alias="language", max_length=8)] = "",
    mode: Annotated[str, Form(max_length=40)] = "",
    text: Annotated[str, Form()] = "",
    topics: Codes = [],  # noqa: B006
    fields: Codes = [],  # noqa: B006
) -> Response:
    def action() -> str:
        data = build(
            StatementCreate,
            event=event_id,
            speaker=speaker,
            on_behalf_name=on_behalf_name if on_behalf == "group" else "",
            language=language_code,
            mode=mode,
            text=text,
            topics=topics,
            fields=fields,
            **_party(on_behalf),
        )
        statement = submit_statement(
            session,
            viewer=viewer,
            data=data,
            upload=upload,
            files_dir=settings.files_dir,
            max_bytes=settings.max_upload_mb * 1_000_000,
        )
        return gettext(
            "Statement %(id)s submitted: it is published once a Committee member or expert "
            "marks it ready."
        ) % {"id": statement.id}

    return act(request, f"/events/{event_id}", action)


@router.post("/events/{event_id}/statements/{statement_id}/publish")
def statement_publish(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    event_id: RecordIdPath,
    statement_id: RecordIdPath,
    confirm: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    back = f"/events/{event_id}"
    if confirm != "1" and viewer.user_id is not None:
        read = statement_read(
            get_statement(session, viewer=viewer, statement_id=statement_id), viewer
        )
        if read.event == event_id and "publish" in read.allowed_actions:
            context = {
                "statement": read,
                "action": f"/events/{event_id}/statements/{statement_id}/publish",
                "back": back,
            }
            return render(request, "events/confirm_publish.html", context, synthetic=read.synthetic)

    def action() -> str:
        if viewer.user_id is None:
            raise Unauthenticated("sign in to publish a statement")
        publish_statement(session, viewer=viewer, statement_id=statement_id)
        return gettext("Statement %(id)s published.") % {"id": statement_id}

    return act(request, back, action)
