"""Writing events and statements: recording an event (with its participants and documents),
submitting a statement (its text, or a file kept through the documents service), publishing a
statement once, and recording a real event from its sources (reference/events_sourced.yml).

Each action validates everything first and names every problem (nothing is written when one is
found), checks the rule (events/rules.py), writes, and records its audit event (entities `event`
and `statement`, which raise the `engagement` data scope)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import InvalidData, NotFound, Problem
from un1540.errors import text as text_message
from un1540.models import (
    Document,
    Event,
    EventDocument,
    EventParticipant,
    Organisation,
    Origin,
    State,
    Statement,
    Visibility,
)
from un1540.models.base import utc_now
from un1540.reference.events import SourcedEvent, load_event_vocabulary
from un1540.reference.languages import N_, UN_LANGUAGES
from un1540.schemas.events import (
    EVENT_VISIBILITIES,
    PARTICIPANT_KINDS,
    EventCreate,
    StatementCreate,
)
from un1540.services.documents.actions import (
    WIDTH,
    DocumentInput,
    UploadedFile,
    change_document_visibility,
    register_document,
    store_upload,
)
from un1540.services.documents.reads import visible_document
from un1540.services.events.reads import get_event, get_statement, known_fields
from un1540.services.events.rules import Party, event_start_rules, party_rules, statement_rules
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.guards import hold_row
from un1540.services.kernel.unit_of_work import action


def _refuse(problems: list[Problem], message: str) -> None:
    if problems:
        raise InvalidData(
            text_message(
                N_("%(message)s; nothing was saved"),
                message=message,
            ),
            problems=problems,
        )


def _state(session: Session, code: str) -> State | None:
    return session.scalars(select(State).where(State.iso3 == code.upper())).first()


def _organisation(session: Session, code: str) -> Organisation | None:
    return session.scalars(select(Organisation).where(Organisation.code == code)).first()


def _codes(
    values: list[str], known: Any, where: str, what: str, problems: list[Problem]
) -> list[str]:
    unknown = [value for value in values if value not in known]
    if unknown:
        problems.append(
            Problem(
                where,
                text_message(
                    N_("unknown %(what)s %(unknown)s"),
                    what=what,
                    unknown=", ".join(map(repr, unknown)),
                ),
            )
        )
    return list(dict.fromkeys(values))


def _participants(
    session: Session, data: EventCreate, problems: list[Problem]
) -> list[EventParticipant]:
    found = []
    for number, item in enumerate(data.participants):
        where = f"participants[{number}]"
        if item.kind not in PARTICIPANT_KINDS:
            problems.append(
                Problem(
                    f"{where}.kind",
                    text_message(
                        N_("must be one of %(participant_kinds)s"),
                        participant_kinds=", ".join(PARTICIPANT_KINDS),
                    ),
                )
            )
            continue
        state = organisation = None
        if item.kind == "state":
            state = _state(session, item.state or "")
            if state is None:
                problems.append(
                    Problem(
                        f"{where}.state",
                        text_message(
                            N_("unknown State %(state)s"),
                            state=repr(item.state),
                        ),
                    )
                )
                continue
        if item.kind == "organisation":
            organisation = _organisation(session, item.organisation or "")
            if organisation is None:
                problems.append(
                    Problem(
                        f"{where}.organisation",
                        text_message(
                            N_("unknown organisation %(organisation)s"),
                            organisation=repr(item.organisation),
                        ),
                    )
                )
                continue
        name = item.name.strip() or (
            state.short_name if state else organisation.name if organisation else ""
        )
        if not name:
            problems.append(
                Problem(f"{where}.name", N_("required for a participant named in full"))
            )
            continue
        found.append(
            EventParticipant(kind=item.kind, state=state, organisation=organisation, name=name)
        )
    return found


@action
def create_event(
    session: Session, *, viewer: Viewer, data: EventCreate, origin: Origin = Origin.entry
) -> Event:
    """Record an event (the Committee side)."""
    event_start_rules.check(viewer, None, "create_event")
    vocabulary = load_event_vocabulary()
    problems: list[Problem] = []
    if data.kind not in vocabulary.kinds:
        problems.append(
            Problem(
                "kind",
                text_message(
                    N_("must be one of %(kinds)s"),
                    kinds=", ".join(vocabulary.kinds),
                ),
            )
        )
    audiences = _codes(data.audiences, vocabulary.audiences, "audiences", "audience", problems)
    if data.visibility not in EVENT_VISIBILITIES:
        problems.append(
            Problem(
                "visibility",
                text_message(
                    N_("must be one of %(event_visibilities)s"),
                    event_visibilities=", ".join(EVENT_VISIBILITIES),
                ),
            )
        )
    if data.ends_on is not None and data.ends_on < data.starts_on:
        problems.append(
            Problem(
                "ends_on",
                text_message(
                    N_("ends before the event starts (%(starts_on)s)"),
                    starts_on=data.starts_on,
                ),
            )
        )
    organisers = [name.strip() for name in data.organisers if name.strip()]
    participants = _participants(session, data, problems)
    documents = []
    for number, item in enumerate(data.documents):
        where = f"documents[{number}]"
        if item.role not in vocabulary.document_roles:
            problems.append(
                Problem(
                    f"{where}.role",
                    text_message(
                        N_("must be one of %(document_roles)s"),
                        document_roles=", ".join(vocabulary.document_roles),
                    ),
                )
            )
        try:
            document = visible_document(session, viewer=viewer, document_id=item.document)
        except NotFound as missing:
            problems.append(Problem(f"{where}.document", missing.message))
            continue
        documents.append(EventDocument(document=document, role=item.role))
    _refuse(problems, N_("the event is not valid"))
    event = Event(
        kind=data.kind,
        title=data.title.strip(),
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        place=data.place.strip(),
        organisers=organisers,
        audiences=audiences,
        summary=data.summary.strip(),
        source=data.source.strip(),
        visibility=Visibility(data.visibility),
        created_by=viewer.actor,
        origin=origin,
        participants=participants,
        documents=documents,
    )
    session.add(event)
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="event.create",
        entity_type="event",
        entity_id=str(event.id),
        after={
            "kind": event.kind,
            "title": event.title,
            "starts_on": event.starts_on.isoformat(),
            "visibility": event.visibility.value,
            "participants": len(participants),
            "documents": [d.document_id for d in documents],
        },
    )
    return event


def _party(
    session: Session, data: StatementCreate, problems: list[Problem]
) -> tuple[State | None, Organisation | None, str]:
    given = [
        name
        for name, value in (
            ("on_behalf_state", data.on_behalf_state),
            ("on_behalf_organisation", data.on_behalf_organisation),
            ("on_behalf_name", data.on_behalf_name.strip()),
        )
        if value
    ]
    if len(given) != 1:
        problems.append(
            Problem(
                "on_behalf_state",
                "give exactly one of on_behalf_state, on_behalf_organisation, on_behalf_name"
                + (f" (given: {', '.join(given)})" if given else ""),
            )
        )
        return None, None, ""
    state = organisation = None
    if data.on_behalf_state:
        state = _state(session, data.on_behalf_state)
        if state is None:
            problems.append(
                Problem(
                    "on_behalf_state",
                    text_message(
                        N_("unknown State %(on_behalf_state)s"),
                        on_behalf_state=repr(data.on_behalf_state),
                    ),
                )
            )
    if data.on_behalf_organisation:
        organisation = _organisation(session, data.on_behalf_organisation)
        if organisation is None:
            problems.append(
                Problem(
                    "on_behalf_organisation",
                    text_message(
                        N_("unknown organisation %(on_behalf_organisation)s"),
                        on_behalf_organisation=repr(data.on_behalf_organisation),
                    ),
                )
            )
    return state, organisation, data.on_behalf_name.strip()


@action
def submit_statement(
    session: Session,
    *,
    viewer: Viewer,
    data: StatementCreate,
    upload: UploadedFile | None = None,
    files_dir: Path | None = None,
    max_bytes: int = 0,
    origin: Origin = Origin.entry,
) -> Statement:
    """A statement at an event the submitter may see, on behalf of a State, an organisation or
    a named group; its text, or its file (a registered document, or an upload kept through the
    documents service). It stays unpublished until a Committee member or expert publishes it."""
    event_start_rules.check(viewer, None, "submit_statement")
    vocabulary = load_event_vocabulary()
    problems: list[Problem] = []
    try:
        get_event(session, viewer=viewer, event_id=data.event)
    except NotFound as missing:
        problems.append(Problem("event", missing.message))
    state, organisation, group = _party(session, data, problems)
    if not problems:  # may the viewer speak for this party at all, before the details
        party_rules.check(
            viewer,
            Party(
                state_id=state.id if state else None,
                organisation_id=organisation.id if organisation else None,
                named=bool(group),
            ),
            "speak_for",
        )
    if data.language not in UN_LANGUAGES:
        problems.append(
            Problem(
                "language",
                text_message(
                    N_("must be one of %(un_languages)s"),
                    un_languages=", ".join(UN_LANGUAGES),
                ),
            )
        )
    if data.mode not in vocabulary.modes:
        problems.append(
            Problem(
                "mode",
                text_message(
                    N_("must be one of %(modes)s"),
                    modes=", ".join(vocabulary.modes),
                ),
            )
        )
    topics = _codes(data.topics, vocabulary.topics, "topics", "topic", problems)
    fields = _codes(data.fields, known_fields(session), "fields", "matrix field", problems)
    document = None
    if data.document is not None:
        if upload is not None:
            problems.append(
                Problem("document", N_("give a registered document or a file, not both"))
            )
        try:
            document = visible_document(session, viewer=viewer, document_id=data.document)
        except NotFound as missing:
            problems.append(Problem("document", missing.message))
    text = data.text.strip()
    if data.mode == "written" and not text and data.document is None and upload is None:
        problems.append(Problem("text", N_("a written statement needs its text or a file")))
    _refuse(problems, N_("the statement is not valid"))
    if upload is not None:
        if files_dir is None:
            raise InvalidData(
                N_("the statement is not valid; nothing was saved"),
                problems=[Problem("file", N_("files are not accepted here"))],
            )
        stored, created = store_upload(upload, files_dir=files_dir, max_bytes=max_bytes)
        try:
            document = register_document(
                session,
                document=DocumentInput(
                    kind="statement",
                    title=f"Statement by {data.speaker.strip()}"[:1000],
                    language=data.language,
                    iso3=state.iso3 if state else None,
                    # Until published: the Committee side (and the State it speaks for).
                    visibility=Visibility.owning_state_and_committee
                    if state
                    else Visibility.committee,
                ),
                origin=origin,
                actor=viewer.actor,
                stored=stored,
            )
        except BaseException:
            if created is not None:
                created.unlink(missing_ok=True)
            raise
    statement = Statement(
        event_id=data.event,
        speaker=data.speaker.strip(),
        on_behalf_state=state,
        on_behalf_organisation=organisation,
        on_behalf_name=group,
        language=data.language,
        mode=data.mode,
        text=text,
        document=document,
        topics=topics,
        field_codes=fields,
        submitted_by=viewer.actor,
        origin=origin,
    )
    session.add(statement)
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="statement.submit",
        entity_type="statement",
        entity_id=str(statement.id),
        after={
            "event": data.event,
            "state": state.iso3 if state else None,
            "organisation": organisation.code if organisation else None,
            "language": data.language,
            "mode": data.mode,
            "document": document.id if document else None,
        },
    )
    return statement


@action
def publish_statement(session: Session, *, viewer: Viewer, statement_id: int) -> Statement:
    """Publish a statement on its event's page (experts, committee members), once: a second
    publication is a conflict. Its file, if it came with the statement, becomes as visible as
    the event."""
    statement = get_statement(session, viewer=viewer, statement_id=statement_id)
    statement_rules.check(viewer, statement, "publish")
    hold_row(session, statement, Statement.published_at)  # published once: still unpublished
    statement.published_at = utc_now()
    statement.published_by = viewer.actor
    document = statement.document
    event_visibility = statement.event.visibility
    if (
        document is not None
        and document.kind.value == "statement"
        and WIDTH[document.visibility] < WIDTH[event_visibility]
    ):
        change_document_visibility(
            session,
            viewer=viewer,
            document_id=document.id,
            visibility=event_visibility,
            reason=f"published with statement {statement.id}",
            confirmed=True,
        )
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="statement.publish",
        entity_type="statement",
        entity_id=str(statement.id),
        before={"published": False},
        after={"published": True, "event": statement.event_id},
    )
    return statement


def _sourced_document(session: Session, actor: str, item: Any) -> Document:
    found = session.scalars(select(Document).where(Document.symbol == item.symbol)).first()
    if found is not None:
        return found
    return register_document(
        session,
        document=DocumentInput(
            kind="meeting_document",
            title=item.title,
            language="en",
            issued_on=item.issued_on,
            symbol=item.symbol,
            url=item.url,
            visibility=Visibility.public,
        ),
        origin=Origin.import_,
        actor=actor,
    )


@action
def record_sourced_event(session: Session, *, viewer: Viewer, record: SourcedEvent) -> Event:
    """Create or refresh a real event from its sourced record (public, origin `import`); it is
    found again by the key its `source` starts with."""
    event_start_rules.check(viewer, None, "create_event")
    prefix = f"[{record.key}]"
    event = session.scalars(
        select(Event).where(Event.origin == Origin.import_, Event.source.startswith(prefix))
    ).first()
    created = event is None
    if event is None:
        event = Event(origin=Origin.import_, created_by=viewer.actor)
        session.add(event)
    event.kind = str(record.kind.value)
    event.title = str(record.title.value)
    event.starts_on = record.starts_on.value
    event.ends_on = None
    event.place = str(record.place.value)
    event.organisers = [str(name) for name in record.organisers.value]
    event.audiences = [str(code) for code in record.audiences.value]
    event.summary = str(record.summary.value).strip()
    event.source = prefix + " " + " ; ".join(record.sources())
    event.visibility = Visibility.public
    event.updated_at = utc_now()
    event.participants = [
        EventParticipant(
            kind="other", name=f"{person.name}, {person.role}" if person.role else person.name
        )
        for person in record.participants
    ]
    event.documents = [
        EventDocument(document=_sourced_document(session, viewer.actor, item), role=item.role)
        for item in record.documents
    ]
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="event.create" if created else "event.refresh",
        entity_type="event",
        entity_id=str(event.id),
        after={"key": record.key, "title": event.title, "origin": "import"},
    )
    return event
