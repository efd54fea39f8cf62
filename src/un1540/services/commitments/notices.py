"""Who is told of what about commitments (docs/commitments.md): a commitment past its target
date and neither delivered nor withdrawn is "overdue"; its owner's side (the State's points of
contact, the organisation's contacts) is reminded by a notification and an e-mail.

The check runs as a daily job (`OVERDUE_TASK`, services/kernel/jobs.py, UN1540_REMINDERS_CRON)
on the day it is given. Each commitment is reminded once (`reminded_on`): running it again the
same day or the next tells nothing twice; a commitment whose target date was moved past its
last reminder is reminded again once it is overdue anew.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from un1540.models import Commitment, Organisation, Role, State
from un1540.models.base import today
from un1540.reference.languages import N_
from un1540.services.commitments.reads import commitment_visible, overdue_condition
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.jobs import JobRun, defer_job, job_task
from un1540.services.kernel.unit_of_work import action
from un1540.services.notifications.actions import notify
from un1540.services.notifications.reads import active_accounts
from un1540.services.notifications.topics import Topic, Wording, register_topic

OVERDUE_TASK = "commitments.overdue"
SYSTEM_ACTOR = "system: commitments"

OVERDUE = Wording(
    subject=N_("Commitment %(id)s is overdue"),
    body=N_(
        "The commitment of %(owner)s, %(title)s, was due on %(target_date)s and is neither "
        "delivered nor withdrawn."
    ),
    link="/api/v1/commitments/{id}",
    page="/commitments/{id}",
)
# "Deadline near" (services/inbox/deadlines.py): the target date falls soon.
DUE = Wording(
    subject=N_("Commitment %(id)s is due on %(due_on)s"),
    body=N_(
        "The commitment of %(owner)s, %(title)s, is due on %(due_on)s. Please record its "
        "delivery, or its new target date."
    ),
    link="/api/v1/commitments/{id}",
    page="/commitments/{id}",
)


def _ids(viewer: Viewer) -> Select[int]:
    return select(Commitment.id).where(commitment_visible(viewer))


def _facts(session: Session, viewer: Viewer, ids: Collection[int]) -> dict[int, dict[str, str]]:
    rows = session.execute(
        select(Commitment.id, Commitment.title, State.short_name, Organisation.name)
        .outerjoin(State, State.id == Commitment.state_id)
        .outerjoin(Organisation, Organisation.id == Commitment.organisation_id)
        .where(Commitment.id.in_(list(ids)), commitment_visible(viewer))
    )
    return {
        id_: {"title": title, "owner": state or organisation or ""}
        for id_, title, state, organisation in rows
    }


def _wording(kind: str, params: Mapping[str, str]) -> Wording | None:
    return {"commitment_overdue": OVERDUE, "commitment_due": DUE}.get(kind)


register_topic(
    Topic(
        "commitment", _ids, _facts, _wording, label=N_("Commitments: delivery due soon or overdue")
    )
)


@action
def remind_overdue_commitments(session: Session, *, on: date | None = None) -> int:
    """Remind the owners of every commitment overdue `on` (today) not reminded of it yet;
    returns how many commitments were reminded about."""
    day = on or today()
    rows = list(
        session.scalars(
            select(Commitment)
            .where(
                overdue_condition(day),
                or_(
                    Commitment.reminded_on.is_(None),
                    Commitment.reminded_on <= Commitment.target_date,
                ),
            )
            .order_by(Commitment.id)
        )
    )
    for commitment in rows:
        assert commitment.target_date is not None  # overdue
        accounts = active_accounts(
            session,
            state_id=commitment.state_id,
            organisation_id=commitment.organisation_id,
            roles=(Role.state_poc, Role.provider),
        )
        told = notify(
            session,
            accounts,
            kind="commitment_overdue",
            entity_type="commitment",
            entity_id=commitment.id,
            params={"target_date": commitment.target_date.isoformat()},
        )
        commitment.reminded_on = day
        record_event(
            session,
            actor=SYSTEM_ACTOR,
            action="commitment.overdue",
            entity_type="commitment",
            entity_id=str(commitment.id),
            after={"target_date": commitment.target_date.isoformat(), "told": told},
        )
    session.flush()
    return len(rows)


@job_task(OVERDUE_TASK, schedule=lambda settings: settings.reminders_cron)
def overdue_commitments_job(
    run: JobRun, on: str | None = None, timestamp: int | None = None
) -> None:
    """The job: remind of the commitments overdue on the day given (ISO date; today if none);
    also queued by the workers every day (UN1540_REMINDERS_CRON, with `timestamp`)."""
    with run.sessions() as session:
        remind_overdue_commitments(session, on=date.fromisoformat(on) if on else None)


def check_overdue_commitments(session: Session, *, on: date | None = None) -> int | None:
    """Queue the check as a job; where this process has no queue, run it here (returns how
    many commitments were reminded about then, None when queued)."""
    arguments: dict[str, str | int | None] = {"on": on.isoformat() if on else None}
    if defer_job(session, OVERDUE_TASK, arguments=arguments, lock=OVERDUE_TASK):
        return None
    return remind_overdue_commitments(session, on=on)
