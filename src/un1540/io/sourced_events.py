"""Real events recorded from their public sources (reference/events_sourced.yml), apart from the
demo data: public, origin `import`, refreshed in place on every load (`un1540 init`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from un1540.reference.events import load_sourced_events
from un1540.services.events.actions import record_sourced_event
from un1540.services.kernel.access import system_viewer


def load_sourced_event_records(session: Session, *, actor: str) -> int:
    """Create or refresh every sourced event; returns how many there are."""
    records = load_sourced_events()
    for record in records:
        record_sourced_event(session, viewer=system_viewer(actor), record=record)
    return len(records)
