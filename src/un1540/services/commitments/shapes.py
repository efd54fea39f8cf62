"""Commitments -> their wire shapes (schemas/commitments.py): the only place that maps them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from un1540.models import Commitment, Event, Origin
from un1540.schemas.commitments import (
    CommitmentRead,
    EventRefRead,
    FulfilmentRead,
    OutcomeItemRead,
    OutcomeRead,
    OwnerRead,
    StatusChangeRead,
)
from un1540.services.commitments.reads import (
    Outcome,
    fulfilments_shown,
    get_commitment,
    is_overdue,
    visible_event,
    visible_statement,
)
from un1540.services.commitments.rules import COMMITMENTS, commitment_rules
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.actors import actor_names
from un1540.services.kernel.envelope import envelope

COMMITMENT_PAGE = "/commitments/{id}"


def owner_read(commitment: Commitment) -> OwnerRead:
    if commitment.state is not None:
        return OwnerRead(kind="state", code=commitment.state.iso3, name=commitment.state.short_name)
    organisation = commitment.organisation
    assert organisation is not None  # a commitment is a State's or an organisation's
    return OwnerRead(kind="organisation", code=organisation.code, name=organisation.name)


def event_ref(event: Event) -> EventRefRead:
    return EventRefRead(id=event.id, title=event.title, kind=event.kind, starts_on=event.starts_on)


def commitment_read(
    session: Session, viewer: Viewer, commitment: Commitment, *, on: date | None = None
) -> CommitmentRead:
    event = visible_event(session, viewer, commitment.event_id)
    statement = visible_statement(session, viewer, commitment.statement_id)
    names = actor_names(session, viewer, (c.changed_by for c in commitment.status_changes))
    return CommitmentRead(
        id=commitment.id,
        owner=owner_read(commitment),
        event=event_ref(event) if event is not None else None,
        statement=statement.id if statement is not None else None,
        kind=commitment.kind,
        title=commitment.title,
        description=commitment.description,
        announced_on=commitment.announced_on,
        target_date=commitment.target_date,
        fields=list(commitment.field_codes),
        regions=list(commitment.regions),
        status=commitment.status,
        overdue=is_overdue(commitment, on),
        delivered_on=commitment.delivered_on,
        delivery_evidence=commitment.delivery_evidence,
        visibility=commitment.visibility.value,
        history=[
            StatusChangeRead(
                from_status=change.from_status,
                to_status=change.to_status,
                effective_on=change.effective_on,
                note=change.note,
                changed_by=names(change.changed_by),
            )
            for change in commitment.status_changes
        ],
        fulfilments=[
            FulfilmentRead(
                kind=fulfilment.kind,
                record=int(
                    fulfilment.funding_entry_id
                    or fulfilment.assistance_project_id
                    or fulfilment.action_plan_id
                    or fulfilment.edition_id
                    or 0
                ),
                label=label,
                page=page,
                field=fulfilment.field_code,
                note=fulfilment.note,
            )
            for fulfilment, label, page in fulfilments_shown(
                session, viewer, commitment.fulfilments
            )
        ],
        allowed_actions=commitment_rules.allowed(viewer, commitment),
        page=COMMITMENT_PAGE.format(id=commitment.id),
        synthetic=commitment.origin is Origin.demo,
    )


def commitment_reads(
    session: Session, viewer: Viewer, commitments: Sequence[Commitment]
) -> list[CommitmentRead]:
    return [commitment_read(session, viewer, commitment) for commitment in commitments]


def commitment_detail(session: Session, *, viewer: Viewer, commitment_id: int) -> CommitmentRead:
    return commitment_read(
        session, viewer, get_commitment(session, viewer=viewer, commitment_id=commitment_id)
    )


def outcome_read(outcome: Outcome) -> OutcomeRead:
    items = []
    for commitment in outcome.commitments:
        change = outcome.as_of_changes.get(commitment.id)
        status = change.to_status if change is not None else COMMITMENTS.initial
        since = change.effective_on if change is not None else commitment.announced_on
        items.append(
            OutcomeItemRead(
                commitment=commitment.id,
                title=commitment.title,
                owner=owner_read(commitment),
                kind=commitment.kind,
                announced_on=commitment.announced_on,
                target_date=commitment.target_date,
                status=status,
                since=since,
                overdue=commitment.target_date is not None
                and commitment.target_date < outcome.as_of
                and status not in COMMITMENTS.final,
            )
        )
    counted = Counter(item.status for item in items)
    return OutcomeRead(
        **envelope(outcome.synthetic),
        event=event_ref(outcome.event),
        as_of=outcome.as_of,
        items=items,
        counts={status: counted.get(status, 0) for status in COMMITMENTS.statuses},
    )
