"""Notifications to accounts: shown in the portal and the API, sent by e-mail when configured."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from un1540.models.base import Base, UTCDateTime, utc_now


class Notification(Base):
    """One event told to one account; private to that account.

    It holds a reference, never a copy of the record's text: the record it is about
    (`entity_type`, `entity_id`), what happened (`kind`) and small non-confidential parameters
    (e.g. a project's new status code). Its subject, body and link are rendered for its reader
    when read and when e-mailed, from the record as that reader may see it then
    (services/notifications/topics.py); a reader who may not see the record is told nothing.
    """

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))  # match | project | feedback_due
    entity_type: Mapped[str] = mapped_column(String(60))  # e.g. assistance_request
    entity_id: Mapped[int] = mapped_column(Integer)
    params: Mapped[dict[str, str]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Not e-mailed, for good: when its e-mail was due, its reader could not see the record.
    email_withheld_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EmailOptOut(Base):
    """A topic (a notified record type, services/notifications/topics.py) whose notifications an
    account reads in the portal only, not by e-mail. Everything is e-mailed unless opted out."""

    __tablename__ = "email_opt_out"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(60), primary_key=True)


class DeadlineReminder(Base):
    """A "deadline near" notice sent about one dated obligation (an action plan's milestone, an
    assistance project's milestone, a commitment's target date) for one of its due dates and
    one threshold (days before it): the daily job (services/inbox/deadlines.py) sends each once.
    A due date moved later is a new deadline, reminded of anew."""

    __tablename__ = "deadline_reminder"
    __table_args__ = (UniqueConstraint("item_type", "item_id", "due_on", "threshold_days"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_type: Mapped[str] = mapped_column(String(40))  # action_plan_milestone | ...
    item_id: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    threshold_days: Mapped[int] = mapped_column(Integer)
    sent_on: Mapped[date] = mapped_column(Date)
    told: Mapped[int] = mapped_column(Integer, default=0)  # accounts notified
