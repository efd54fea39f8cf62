"""Reading visits, as each viewer may see them.

The Committee side sees every visit; a State's points of contact see their State's visits in
full; everyone else (the public, providers, other States) sees only the visits whose public
summary the State has consented to, and of those only the summary (`is_restricted`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.strategy_options import _AbstractLoad

from un1540.errors import InvalidData, NotFound, Problem, text
from un1540.models import Role, State, Visit, VisitFollowUp, VisitParticipant
from un1540.reference.languages import N_
from un1540.services.kernel.access import Viewer, speaks_for
from un1540.services.kernel.facets import FacetCounts, tally
from un1540.services.kernel.paging import PageRequest
from un1540.services.visits.rules import VISITS


def _consented() -> ColumnElement[bool]:
    return and_(Visit.summary_consent.is_(True), Visit.public_summary != "")


def visit_visible(viewer: Viewer) -> ColumnElement[bool]:
    if viewer.is_committee_side:
        return true()
    if viewer.state_id is not None and viewer.role is Role.state_poc:
        return or_(Visit.state_id == viewer.state_id, _consented())
    return _consented()


def is_restricted(visit: Visit, viewer: Viewer) -> bool:
    """The viewer sees only the visit's public summary."""
    return not (viewer.is_committee_side or speaks_for(viewer, visit.state_id))


def _loaded() -> tuple[_AbstractLoad, ...]:
    return (
        selectinload(Visit.state),
        selectinload(Visit.participants),
        selectinload(Visit.findings),
        selectinload(Visit.follow_ups).selectinload(VisitFollowUp.assistance_request),
    )


def get_visit(session: Session, *, viewer: Viewer, visit_id: int) -> Visit:
    visit = session.scalars(
        select(Visit).options(*_loaded()).where(Visit.id == visit_id, visit_visible(viewer))
    ).first()
    if visit is None:
        raise NotFound(
            text(
                N_("no visit %(visit_id)s that you may see"),
                visit_id=visit_id,
            )
        )
    return visit


def list_visits(
    session: Session,
    *,
    viewer: Viewer,
    state: str | None = None,
    status: str | None = None,
    year: int | None = None,
    paging: PageRequest | None = None,
) -> tuple[list[Visit], int]:
    """The visits this viewer may see, newest invitation first; `year` is the invitation's."""
    condition = and_(visit_visible(viewer), *_visit_filters(session, state, status, year))
    paging = paging or PageRequest()
    total = session.scalar(select(func.count()).select_from(Visit).where(condition)) or 0
    rows = session.scalars(
        select(Visit)
        .options(*_loaded())
        .where(condition)
        .order_by(Visit.invited_on.desc(), Visit.id.desc())
        .offset((paging.page - 1) * paging.page_size)
        .limit(paging.page_size)
    ).all()
    return list(rows), total


def _visit_filters(
    session: Session, state: str | None, status: str | None, year: int | None
) -> list[ColumnElement[bool]]:
    """The list's filters as conditions, each checked (a bad one is named)."""
    problems = []
    conditions: list[ColumnElement[bool]] = []
    if status is not None and status not in VISITS.statuses:
        problems.append(
            Problem(
                "status",
                text(
                    N_("must be one of %(statuses)s"),
                    statuses=", ".join(VISITS.statuses),
                ),
            )
        )
    if state is not None:
        state_id = session.scalar(select(State.id).where(State.iso3 == state.upper()))
        if state_id is None:
            problems.append(
                Problem(
                    "state",
                    text(
                        N_("unknown State %(state)s"),
                        state=repr(state),
                    ),
                )
            )
        conditions.append(Visit.state_id == state_id)
    if problems:
        raise InvalidData(N_("invalid filter"), problems=problems)
    if status is not None:
        conditions.append(Visit.status == status)
    if year is not None:
        conditions.append(Visit.invited_on.between(date(year, 1, 1), date(year, 12, 31)))
    return conditions


VISIT_FACETS = ("status", "state", "year")


def visit_facets(
    session: Session,
    *,
    viewer: Viewer,
    state: str | None = None,
    status: str | None = None,
    year: int | None = None,
) -> FacetCounts:
    """The visits list's facets, as Datasette shows them: for the status, the State and the
    year of the invitation, each value with the number of visits the list would show with that
    value chosen (the other filters kept, this one replaced); counted under `visit_visible`, as
    `list_visits` lists them."""
    _visit_filters(session, state, status, year)  # checked as the list checks them
    rows = session.execute(
        select(Visit.status, State.iso3, Visit.invited_on)
        .join(State, State.id == Visit.state_id)
        .where(visit_visible(viewer))
    ).all()
    chosen = {
        "status": status,
        "state": None if state is None else state.upper(),
        "year": None if year is None else str(year),
    }
    return tally(
        (
            {"status": [row_status], "state": [iso3], "year": [str(invited_on.year)]}
            for row_status, iso3, invited_on in rows
        ),
        chosen,
        VISIT_FACETS,
    )


def state_visits(session: Session, *, viewer: Viewer, state_id: int) -> list[Visit]:
    """Every visit to one State this viewer may see (a State has a handful)."""
    return list(
        session.scalars(
            select(Visit)
            .options(*_loaded())
            .where(Visit.state_id == state_id, visit_visible(viewer))
            .order_by(Visit.invited_on.desc(), Visit.id.desc())
        )
    )


def organisation_visits(session: Session, *, viewer: Viewer, organisation_id: int) -> list[Visit]:
    """The visits an organisation took part in, that this viewer may see in full."""
    visits = session.scalars(
        select(Visit)
        .options(*_loaded())
        .where(
            Visit.id.in_(
                select(VisitParticipant.visit_id).where(
                    VisitParticipant.organisation_id == organisation_id
                )
            ),
            visit_visible(viewer),
        )
        .order_by(Visit.invited_on.desc())
    )
    # Who took part is not in the public summary: the restricted reader learns nothing here.
    return [visit for visit in visits if not is_restricted(visit, viewer)]


def own_state_iso3(session: Session, viewer: Viewer) -> str:
    """The ISO code of the State a point of contact speaks for ("" for anyone else)."""
    if viewer.role is not Role.state_poc or viewer.state_id is None:
        return ""
    return session.scalar(select(State.iso3).where(State.id == viewer.state_id)) or ""
