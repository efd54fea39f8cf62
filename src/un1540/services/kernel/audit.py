"""Writing audit events. Every service that writes calls record_event in its transaction.

Each event also names the data scopes its write touches (kernel/data_version.py: a State's
matrix, the assistance records...), whose versions are raised when the transaction commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from un1540.models import AuditEvent
from un1540.services.kernel.builds import queue_public_builds_after_commit
from un1540.services.kernel.data_version import touch_for_event


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
    touch_for_event(session, entity_type, entity_id, after)
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


_RECORD_FIELDS = tuple(item.name for item in fields(AuditRecord))


def record_events(session: Session, events: list[AuditRecord]) -> None:
    """Many audit events in one statement (an import audits every cell it changes)."""
    if events:
        # Shallow: asdict() would deep-copy every before/after (a third of a large import).
        rows = [{name: getattr(event, name) for name in _RECORD_FIELDS} for event in events]
        session.execute(insert(AuditEvent), rows)
        for event in events:
            touch_for_event(session, event.entity_type, event.entity_id, event.after)
        queue_public_builds_after_commit(session)
