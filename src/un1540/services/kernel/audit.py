"""Writing audit events. Every service that writes calls record_event in its transaction."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from un1540.models import AuditEvent
from un1540.services.kernel.builds import queue_public_builds_after_commit


def record_event(
    session: Session,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Add one audit event to the session; it commits (or rolls back) with the write it records."""
    event = AuditEvent(
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before=before,
        after=after,
        reason=reason,
    )
    session.add(event)
    queue_public_builds_after_commit(session)  # the data changed: rebuild the open data
    return event


@dataclass(frozen=True)
class AuditRecord:
    """One event of a batch written by record_events."""

    actor: str
    action: str
    entity_type: str
    entity_id: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    reason: str = field(default="")


def record_events(session: Session, events: list[AuditRecord]) -> None:
    """Many audit events in one statement (an import audits every cell it changes)."""
    if events:
        session.execute(insert(AuditEvent), [asdict(event) for event in events])
        queue_public_builds_after_commit(session)
