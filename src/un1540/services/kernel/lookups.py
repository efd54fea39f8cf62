"""Finding one State or framework field, with the errors users see when they do not exist."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import NotFound
from un1540.models import State


def state_by_iso3(session: Session, iso3: str) -> State:
    state = session.scalars(select(State).where(State.iso3 == iso3.upper())).one_or_none()
    if state is None:
        raise NotFound(f"no State with code {iso3!r} (use an ISO 3166-1 alpha-3 code, e.g. FRA)")
    return state
