"""Commitments as the viewer may see them, the events and statements they were announced at,
and the status of each as of any date (the outcome document of an event).

Who may see a commitment (docs/commitments.md): a public one, everyone (a commitment announced
publicly at a public event is public); one for States and providers, the signed-in States' points
of contact and providers; every other, the Committee side, and always its owner's side (the
State's points of contact, the organisation's contacts). One may not see is not found (404).

Events and statements are the `events` domain's records; here they are only read, through the
same rules as there: an event is seen when public or by the Committee side, a statement when its
event is and it is published, or by its submitter and the Committee side.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select, true
from sqlalchemy.orm import Session, selectinload

from un1540.errors import InvalidParameter, NotFound, Problem, text
from un1540.models import (
    Commitment,
    CommitmentFulfilment,
    CommitmentStatusChange,
    Event,
    Organisation,
    Origin,
    Role,
    State,
    Statement,
    Visibility,
)
from un1540.models.base import today
from un1540.reference.commitments import commitment_kinds
from un1540.reference.languages import N_
from un1540.services.commitments.records import record_label
from un1540.services.commitments.rules import COMMITMENTS
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.paging import PageRequest


def commitment_visible(viewer: Viewer) -> ColumnElement[bool]:
    """SQL: the commitments this viewer may see (the rule at the top of this module)."""
    if viewer.is_committee_side:
        return true()
    allowed: list[ColumnElement[bool]] = [Commitment.visibility == Visibility.public]
    if viewer.role in (Role.state_poc, Role.provider):
        allowed.append(Commitment.visibility == Visibility.states_and_providers)
    if viewer.role is Role.state_poc and viewer.state_id is not None:
        allowed.append(Commitment.state_id == viewer.state_id)
    if viewer.role is Role.provider and viewer.organisation_id is not None:
        allowed.append(Commitment.organisation_id == viewer.organisation_id)
    return or_(*allowed)


def event_visible(viewer: Viewer) -> ColumnElement[bool]:
    """SQL: the events this viewer may see: public ones, and every one for the Committee side."""
    if viewer.is_committee_side:
        return true()
    return Event.visibility == Visibility.public


def statement_visible(viewer: Viewer) -> ColumnElement[bool]:
    """SQL: the statements this viewer may see (with `Event` joined): published ones at events
    they may see, their own submissions, and every one for the Committee side."""
    if viewer.is_committee_side:
        return true()
    published = and_(Statement.published_at.is_not(None), event_visible(viewer))
    if viewer.user_id is None:
        return published
    return or_(published, Statement.submitted_by == viewer.actor)


_LOADED = (
    selectinload(Commitment.state),
    selectinload(Commitment.organisation),
    selectinload(Commitment.status_changes),
    selectinload(Commitment.fulfilments),
)


def overdue_condition(on: date) -> ColumnElement[bool]:
    """SQL: past its target date and neither delivered nor withdrawn on `on`."""
    return and_(
        Commitment.target_date.is_not(None),
        Commitment.target_date < on,
        Commitment.status.not_in(sorted(COMMITMENTS.final)),
    )


def is_overdue(commitment: Commitment, on: date | None = None) -> bool:
    day = on or today()
    return (
        commitment.target_date is not None
        and commitment.target_date < day
        and commitment.status not in COMMITMENTS.final
    )


def get_commitment(session: Session, *, viewer: Viewer, commitment_id: int) -> Commitment:
    """Commitment `commitment_id` if the viewer may see it; else NotFound."""
    commitment = session.scalars(
        select(Commitment)
        .options(*_LOADED)
        .where(Commitment.id == commitment_id, commitment_visible(viewer))
    ).first()
    if commitment is None:
        raise NotFound(
            text(
                N_("no commitment %(commitment_id)s that you may see"),
                commitment_id=commitment_id,
            )
        )
    return commitment


def get_event(session: Session, *, viewer: Viewer, event_id: int) -> Event:
    event = session.scalars(
        select(Event).where(Event.id == event_id, event_visible(viewer))
    ).first()
    if event is None:
        raise NotFound(
            text(
                N_("no event %(event_id)s that you may see"),
                event_id=event_id,
            )
        )
    return event


def visible_event(session: Session, viewer: Viewer, event_id: int | None) -> Event | None:
    """The event, if there is one and the viewer may see it."""
    if event_id is None:
        return None
    return session.scalars(select(Event).where(Event.id == event_id, event_visible(viewer))).first()


def visible_statement(
    session: Session, viewer: Viewer, statement_id: int | None
) -> Statement | None:
    if statement_id is None:
        return None
    return session.scalars(
        select(Statement)
        .join(Event, Event.id == Statement.event_id)
        .where(Statement.id == statement_id, statement_visible(viewer))
    ).first()


def state_id_of(session: Session, code: str) -> int | None:
    if not (len(code) == 3 and code.isascii() and code.isalpha()):
        return None
    return session.scalar(select(State.id).where(State.iso3 == code.upper()))


def organisation_id_of(session: Session, code: str) -> int | None:
    if not code or len(code) > 40:
        return None
    return session.scalar(select(Organisation.id).where(Organisation.code == code.lower()))


@dataclass(frozen=True)
class CommitmentListing:
    commitments: list[Commitment]
    total: int

    @property
    def synthetic(self) -> bool:
        return any(commitment.origin is Origin.demo for commitment in self.commitments)


def _commitment_condition(
    session: Session,
    viewer: Viewer,
    state: str | None,
    organisation: str | None,
    event: int | None,
    kind: str | None,
    status: str | None,
    overdue: bool | None,
    on: date | None,
) -> ColumnElement[bool]:
    """The list's filters under the viewer's visibility, as one SQL condition; an unknown
    State, organisation, kind or status is an invalid parameter naming it."""
    problems = []
    condition = commitment_visible(viewer)
    if state is not None:
        state_id = state_id_of(session, state)
        if state_id is None:
            problems.append(
                Problem(
                    "state",
                    text(
                        N_("unknown State %(state)s"),
                        state=repr(state[:20]),
                    ),
                )
            )
        condition = and_(condition, Commitment.state_id == state_id)
    if organisation is not None:
        organisation_id = organisation_id_of(session, organisation)
        if organisation_id is None:
            problems.append(
                Problem(
                    "organisation",
                    text(
                        N_("unknown organisation %(organisation)s"),
                        organisation=repr(organisation[:40]),
                    ),
                )
            )
        condition = and_(condition, Commitment.organisation_id == organisation_id)
    if kind is not None and kind not in commitment_kinds():
        problems.append(
            Problem(
                "kind",
                text(
                    N_("must be one of %(commitment_kinds)s"),
                    commitment_kinds=", ".join(commitment_kinds()),
                ),
            )
        )
    if status is not None and status not in COMMITMENTS.statuses:
        problems.append(
            Problem(
                "status",
                text(
                    N_("must be one of %(statuses)s"),
                    statuses=", ".join(COMMITMENTS.statuses),
                ),
            )
        )
    if problems:
        raise InvalidParameter.naming(problems)
    if event is not None:
        condition = and_(condition, Commitment.event_id == event)
    if kind is not None:
        condition = and_(condition, Commitment.kind == kind)
    if status is not None:
        condition = and_(condition, Commitment.status == status)
    if overdue is not None:
        late = overdue_condition(on or today())
        condition = and_(condition, late if overdue else ~late)
    return condition


def list_commitments(
    session: Session,
    *,
    viewer: Viewer,
    state: str | None = None,
    organisation: str | None = None,
    event: int | None = None,
    kind: str | None = None,
    status: str | None = None,
    overdue: bool | None = None,
    paging: PageRequest | None = None,
    on: date | None = None,
) -> CommitmentListing:
    """The commitments this viewer may see, latest announced first, filtered; an unknown State,
    organisation, kind or status is an invalid parameter naming it."""
    condition = _commitment_condition(
        session, viewer, state, organisation, event, kind, status, overdue, on
    )
    paging = paging or PageRequest()
    total = session.scalar(select(func.count()).select_from(Commitment).where(condition)) or 0
    rows = list(
        session.scalars(
            select(Commitment)
            .options(*_LOADED)
            .where(condition)
            .order_by(Commitment.announced_on.desc(), Commitment.id.desc())
            .offset(paging.offset)
            .limit(paging.page_size)
        )
    )
    return CommitmentListing(rows, total)


COMMITMENT_FACETS = ("status", "kind", "state", "organisation", "overdue")


def commitment_facets(
    session: Session,
    *,
    viewer: Viewer,
    state: str | None = None,
    organisation: str | None = None,
    event: int | None = None,
    kind: str | None = None,
    status: str | None = None,
    overdue: bool | None = None,
    on: date | None = None,
) -> dict[str, list[tuple[str, int]]]:
    """The commitments list's facets, as Datasette shows them: for the status, the kind, the
    State, the organisation and whether it is overdue ("yes"/"no"), each value with the number
    of commitments the list would show with that value chosen (the other filters kept, this one
    replaced); counted under `commitment_visible`, as `list_commitments` lists them."""

    def without(name: str) -> ColumnElement[bool]:  # the list's filters but this one
        return _commitment_condition(
            session,
            viewer,
            None if name == "state" else state,
            None if name == "organisation" else organisation,
            event,
            None if name == "kind" else kind,
            None if name == "status" else status,
            None if name == "overdue" else overdue,
            on,
        )

    _commitment_condition(session, viewer, state, organisation, event, kind, status, overdue, on)
    late = overdue_condition(on or today())
    columns: dict[str, Any] = {
        "status": Commitment.status,
        "kind": Commitment.kind,
        "state": State.iso3,
        "organisation": Organisation.code,
    }
    found: dict[str, list[tuple[str, int]]] = {}
    for name in COMMITMENT_FACETS:
        condition = without(name)
        if name == "overdue":  # two sums, not a GROUP BY over an expression with parameters
            total, overdue_count = session.execute(
                select(func.count(Commitment.id), func.sum(case((late, 1), else_=0))).where(
                    condition
                )
            ).one()
            counted = [
                ("yes", int(overdue_count or 0)),
                ("no", int(total) - int(overdue_count or 0)),
            ]
            found[name] = [(value, count) for value, count in counted if count]
            continue
        column = columns[name]
        statement = select(column, func.count(Commitment.id))
        if name == "state":
            statement = statement.join(State, State.id == Commitment.state_id)
        elif name == "organisation":
            statement = statement.join(Organisation, Organisation.id == Commitment.organisation_id)
        rows = session.execute(statement.where(condition).group_by(column)).all()
        found[name] = [(str(value), int(count)) for value, count in rows if value is not None]
    return found


def commitments_of(
    session: Session,
    viewer: Viewer,
    *,
    state_id: int | None = None,
    organisation_id: int | None = None,
    limit: int = 50,
) -> list[Commitment]:
    """The commitments a State or an organisation made that the viewer may see (its pages)."""
    owner = (
        Commitment.state_id == state_id
        if state_id is not None
        else Commitment.organisation_id == organisation_id
    )
    return list(
        session.scalars(
            select(Commitment)
            .options(*_LOADED)
            .where(owner, commitment_visible(viewer))
            .order_by(Commitment.announced_on.desc(), Commitment.id.desc())
            .limit(limit)
        )
    )


def commitments_at_event(session: Session, viewer: Viewer, event_id: int) -> list[Commitment]:
    """The commitments announced at an event that the viewer may see, in order of announcement."""
    return list(
        session.scalars(
            select(Commitment)
            .options(*_LOADED)
            .where(Commitment.event_id == event_id, commitment_visible(viewer))
            .order_by(Commitment.announced_on, Commitment.id)
        )
    )


def statuses_as_of(
    session: Session, commitment_ids: Collection[int], as_of: date
) -> dict[int, CommitmentStatusChange]:
    """Each commitment's last change effective on or before `as_of` (its status then)."""
    found: dict[int, CommitmentStatusChange] = {}
    if not commitment_ids:
        return found
    rows = session.scalars(
        select(CommitmentStatusChange)
        .where(
            CommitmentStatusChange.commitment_id.in_(sorted(commitment_ids)),
            CommitmentStatusChange.effective_on <= as_of,
        )
        .order_by(CommitmentStatusChange.effective_on, CommitmentStatusChange.id)
    )
    for change in rows:
        found[change.commitment_id] = change
    return found


@dataclass(frozen=True)
class Outcome:
    """An event's commitments (those the viewer may see, announced by `as_of`) and the change
    that gave each its status on that date."""

    event: Event
    as_of: date
    commitments: list[Commitment]
    as_of_changes: dict[int, CommitmentStatusChange]

    @property
    def synthetic(self) -> bool:
        return self.event.origin is Origin.demo or any(
            commitment.origin is Origin.demo for commitment in self.commitments
        )


def event_outcome(
    session: Session, *, viewer: Viewer, event_id: int, as_of: date | None = None
) -> Outcome:
    """The outcome document of an event as of a date (today when not given)."""
    event = get_event(session, viewer=viewer, event_id=event_id)
    day = as_of or today()
    commitments = list(
        session.scalars(
            select(Commitment)
            .options(*_LOADED)
            .where(
                Commitment.event_id == event.id,
                Commitment.announced_on <= day,
                commitment_visible(viewer),
            )
            .order_by(Commitment.announced_on, Commitment.id)
        )
    )
    changes = statuses_as_of(session, [c.id for c in commitments], day)
    return Outcome(event, day, commitments, changes)


def fulfilments_shown(
    session: Session, viewer: Viewer, fulfilments: Sequence[CommitmentFulfilment]
) -> list[tuple[CommitmentFulfilment, str, str]]:
    """The fulfilments whose record the viewer may see, each with its label and page."""
    shown = []
    for fulfilment in fulfilments:
        label = record_label(session, viewer, fulfilment)
        if label is not None:
            shown.append((fulfilment, label.label, label.page))
    return shown


def first_event_of_kind(session: Session, kind: str) -> Event | None:
    """The first event of this kind, by date (the demo attaches its commitments to it)."""
    return session.scalars(
        select(Event).where(Event.kind == kind).order_by(Event.starts_on, Event.id)
    ).first()


@dataclass(frozen=True)
class FormChoices:
    """What the portal's form to record a commitment offers this viewer."""

    states: list[tuple[str, str]]  # (ISO3, short name)
    organisations: list[tuple[str, str]]  # (code, name)
    events: list[tuple[int, str]]  # (id, "date: title")


def form_choices(session: Session, viewer: Viewer) -> FormChoices:
    """The owners the viewer may record commitments for, and the events they may see."""
    states = select(State.iso3, State.short_name).order_by(State.short_name)
    organisations = select(Organisation.code, Organisation.name).order_by(Organisation.name)
    if not viewer.is_committee_side:
        states = states.where(
            State.id == (viewer.state_id if viewer.role is Role.state_poc else -1)
        )
        organisations = organisations.where(
            Organisation.id == (viewer.organisation_id if viewer.role is Role.provider else -1)
        )
    events = session.execute(
        select(Event.id, Event.starts_on, Event.title)
        .where(event_visible(viewer))
        .order_by(Event.starts_on.desc(), Event.id.desc())
        .limit(200)
    ).all()
    return FormChoices(
        states=[(iso3, name) for iso3, name in session.execute(states).all()],
        organisations=[(code, name) for code, name in session.execute(organisations).all()],
        events=[(id_, f"{starts_on.isoformat()}: {title}") for id_, starts_on, title in events],
    )
