"""Events and statements -> their wire shapes (schemas/events.py), as the reader may see them."""

from __future__ import annotations

from un1540.models import Event, Origin, Statement
from un1540.schemas.events import (
    EventDetailRead,
    EventDocumentRead,
    EventParticipantRead,
    EventRead,
    OrganisationRef,
    StatementRead,
)
from un1540.schemas.matrix import StateRef
from un1540.services.events.rules import statement_rules
from un1540.services.kernel.access import Viewer, can_see


def on_behalf(statement: Statement) -> str:
    if statement.on_behalf_state is not None:
        return statement.on_behalf_state.short_name
    if statement.on_behalf_organisation is not None:
        return statement.on_behalf_organisation.name
    return statement.on_behalf_name


def statement_read(statement: Statement, viewer: Viewer) -> StatementRead:
    state = statement.on_behalf_state
    organisation = statement.on_behalf_organisation
    return StatementRead(
        id=statement.id,
        event=statement.event_id,
        event_title=statement.event.title,
        speaker=statement.speaker,
        on_behalf_state=StateRef(iso3=state.iso3, name=state.short_name) if state else None,
        on_behalf_organisation=OrganisationRef(code=organisation.code, name=organisation.name)
        if organisation
        else None,
        on_behalf_name=statement.on_behalf_name,
        on_behalf=on_behalf(statement),
        language=statement.language,
        mode=statement.mode,
        text=statement.text,
        document=statement.document_id,
        topics=list(statement.topics),
        fields=list(statement.field_codes),
        submitted_at=statement.submitted_at,
        published=statement.published_at is not None,
        published_at=statement.published_at,
        allowed_actions=statement_rules.allowed(viewer, statement),
        synthetic=statement.origin is Origin.demo,
    )


def _event_fields(event: Event, viewer: Viewer) -> dict[str, object]:
    """The event's fields; of its documents only those the viewer may see."""
    return {
        "id": event.id,
        "kind": event.kind,
        "title": event.title,
        "starts_on": event.starts_on,
        "ends_on": event.ends_on,
        "place": event.place,
        "organisers": list(event.organisers),
        "audiences": list(event.audiences),
        "summary": event.summary,
        "source": event.source,
        "visibility": event.visibility.value,
        "origin": event.origin.value,
        "participants": [
            EventParticipantRead(
                id=p.id,
                kind=p.kind,
                state=StateRef(iso3=p.state.iso3, name=p.state.short_name) if p.state else None,
                organisation=OrganisationRef(code=p.organisation.code, name=p.organisation.name)
                if p.organisation
                else None,
                name=p.name,
            )
            for p in event.participants
        ],
        "documents": [
            EventDocumentRead(
                id=d.id,
                document=d.document_id,
                role=d.role,
                title=d.document.title,
                symbol=d.document.symbol,
                url=d.document.url,
            )
            for d in event.documents
            if can_see(d.document.visibility, viewer, d.document.state_id)
        ],
        "synthetic": event.origin is Origin.demo,
    }


def event_read(event: Event, viewer: Viewer) -> EventRead:
    return EventRead.model_validate(_event_fields(event, viewer))


def event_detail_read(event: Event, statements: list[Statement], viewer: Viewer) -> EventDetailRead:
    reads = [statement_read(statement, viewer) for statement in statements]
    fields = _event_fields(event, viewer)
    fields["synthetic"] = bool(fields["synthetic"]) or any(read.synthetic for read in reads)
    return EventDetailRead.model_validate({**fields, "statements": reads})
