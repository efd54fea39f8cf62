"""Reminders of the State's review period: notifications and e-mails to the State's points of
contact, and to the Committee side when the period ends. Sent every day by the job workers
(the periodic task `reminders.daily`, UN1540_REMINDERS_CRON) or by `un1540 notify reminders`.

For each edition shared with its State and not yet agreed, with a response deadline:
- once, `remind_days` (UN1540_REVIEW_REMINDER_DAYS) or fewer days before the deadline:
  "your response is due by ..." (`review_due`);
- once, the day after the deadline: "the review period has ended" (`review_overdue`).
Each reminder is counted on the edition (so running the command twice a day sends nothing
twice) and audited. Sharing or reopening starts a new period and the count again.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import Conflict
from un1540.models import EditionStatus, MatrixEdition, State
from un1540.models.base import today
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.guards import hold_row
from un1540.services.kernel.jobs import JobRun, job_task
from un1540.services.kernel.unit_of_work import action
from un1540.services.matrix.notices import notify_review

SYSTEM_ACTOR = "system: review reminders"
DEFAULT_REMIND_DAYS = 14


@action
def send_review_reminders(
    session: Session, *, on: date | None = None, remind_days: int = DEFAULT_REMIND_DAYS
) -> int:
    """Send the reminders due `on` (today); returns how many editions were reminded about."""
    day = on or today()
    rows = session.execute(
        select(MatrixEdition, State)
        .join(State, State.id == MatrixEdition.state_id)
        .where(
            MatrixEdition.status == EditionStatus.shared,
            MatrixEdition.response_due_on.is_not(None),
            MatrixEdition.reminders_sent < 2,
        )
        .order_by(MatrixEdition.id)
    ).all()
    reminded = 0
    for edition, state in rows:
        due = edition.response_due_on
        assert due is not None  # selected so
        if day > due:
            kind, sent = "review_overdue", 2
        elif (
            edition.reminders_sent == 0
            and remind_days > 0
            and day >= due - timedelta(days=remind_days)
        ):
            kind, sent = "review_due", 1
        else:
            continue
        try:
            # Another run (the job and the command at once) may have reminded about it
            # meanwhile, or the State agreed: then this run leaves it (guards.py).
            hold_row(session, edition, MatrixEdition.status, MatrixEdition.reminders_sent)
        except Conflict:
            continue
        told = notify_review(session, state, edition, kind)
        edition.reminders_sent = sent
        record_event(
            session,
            actor=SYSTEM_ACTOR,
            action=f"edition.{kind}",
            entity_type="matrix_edition",
            entity_id=f"{state.iso3}/{edition.number}",
            after={"response_due_on": due.isoformat(), "told": told},
        )
        reminded += 1
    session.flush()
    return reminded


REMINDERS_TASK = "reminders.daily"


@job_task(REMINDERS_TASK, schedule=lambda settings: settings.reminders_cron)
def send_daily_reminders(run: JobRun, timestamp: int | None = None) -> None:
    """The periodic job: the day's review reminders (each sent once, however often it runs)."""
    with run.sessions() as session:
        send_review_reminders(session, remind_days=run.settings.review_reminder_days)
