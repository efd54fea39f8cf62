"""Registering documents that the matrix cites as evidence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from un1540.errors import InvalidData, Problem
from un1540.models import Document, DocumentKind, Origin, Visibility
from un1540.models.base import today
from un1540.services.access import Viewer, visible
from un1540.services.audit import record_event
from un1540.services.lookups import state_by_iso3


@dataclass(frozen=True)
class DocumentInput:
    kind: str
    title: str
    language: str
    issued_on: date | None = None
    iso3: str | None = None
    symbol: str = ""
    url: str = ""
    visibility: Visibility = Visibility.public


def register_document(
    session: Session, *, document: DocumentInput, origin: Origin, actor: str
) -> Document:
    """Validate and add one document; its audit event commits with it."""
    problems = []
    kinds = [kind.value for kind in DocumentKind]
    if document.kind not in kinds:
        problems.append(Problem("kind", f"must be one of {', '.join(kinds)}"))
    if not document.title.strip():
        problems.append(Problem("title", "is required"))
    if len(document.language) < 2 or not document.language.isalpha():
        problems.append(Problem("language", "must be a language code such as en, fr or ar"))
    if document.issued_on is not None and document.issued_on > today():
        problems.append(Problem("issued_on", "is in the future"))
    if document.url and not document.url.startswith(("http://", "https://")):
        problems.append(Problem("url", "must start with http:// or https://"))
    if problems:
        raise InvalidData("the document is not valid; nothing was written", problems=problems)
    state_id = state_by_iso3(session, document.iso3).id if document.iso3 else None
    record = Document(
        kind=DocumentKind(document.kind),
        state_id=state_id,
        title=document.title.strip(),
        symbol=document.symbol,
        issued_on=document.issued_on,
        language=document.language.lower(),
        url=document.url,
        origin=origin,
        visibility=document.visibility,
    )
    session.add(record)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="document.register",
        entity_type="document",
        entity_id=str(record.id),
        after={
            "kind": document.kind,
            "title": record.title,
            "state": document.iso3,
            "origin": origin.value,
        },
    )
    return record


def count_documents(
    session: Session, *, viewer: Viewer, state_id: int | None = None
) -> tuple[int, bool]:
    """Documents the caller may see (of one State, if given), and whether any is synthetic."""
    statement = select(func.count(), func.count().filter(Document.origin == Origin.demo)).where(
        visible(Document.visibility, viewer, Document.state_id)
    )
    if state_id is not None:
        statement = statement.where(Document.state_id == state_id)
    total, demo = session.execute(statement).one()
    return total, demo > 0
