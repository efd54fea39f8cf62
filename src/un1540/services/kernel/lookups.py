"""Finding one State (with the error users see when it does not exist), and the short lists of
reference records that pages offer as filters."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from un1540.errors import NotFound, text
from un1540.models import M49Area, RegionalGroup, State
from un1540.reference.languages import N_

# session.info: the id of the State each code named in this session (codes never change).
_STATE_IDS = "un1540.state_ids"


def state_by_iso3(session: Session, iso3: str) -> State:
    # Only three ASCII letters can be a code: anything else (a NUL, which PostgreSQL refuses to
    # compare, or a megabyte of text) is not found without asking the database.
    well_formed = len(iso3) == 3 and iso3.isascii() and iso3.isalpha()
    # A page asks for its State in each of the parts it gathers (ten times for a State's
    # profile): the session remembers which row a code named, and its identity map holds the
    # row, so only the first asks the database.
    known: dict[str, int] = session.info.setdefault(_STATE_IDS, {})
    code = iso3.upper()
    state = session.get(State, known[code]) if well_formed and code in known else None
    if state is None and well_formed:
        state = session.scalars(select(State).where(State.iso3 == code)).one_or_none()
        if state is not None:
            known[code] = state.id
    if state is None:
        raise NotFound(
            text(
                N_("no State with code %(iso3)s (use an ISO 3166-1 alpha-3 code, e.g. FRA)"),
                iso3=repr(iso3[:20]),
            )
        )
    return state


def regional_groups(session: Session) -> list[RegionalGroup]:
    """The UN regional groups, by name (the filters of the States, fields and compare pages)."""
    return list(session.scalars(select(RegionalGroup).order_by(RegionalGroup.name)))


def m49_regions(session: Session) -> list[M49Area]:
    """The M49 regions (not sub-regions), by name."""
    return list(
        session.scalars(select(M49Area).where(M49Area.level == "region").order_by(M49Area.name))
    )


def state_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(State)) or 0
