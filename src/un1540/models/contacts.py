"""Points of contact: people and offices a State or an organisation designated for 1540
matters, and the training courses they attended (the courses themselves are reference data,
reference/training-courses.csv, referred to by code)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from un1540.models.accounts import UserAccount
from un1540.models.base import Base, Origin, UTCDateTime, enum_column, utc_now
from un1540.models.organisations import Organisation
from un1540.models.states import State


class ContactRole(StrEnum):
    """Where the contact sits: in the capital, at the permanent mission, or in an organisation."""

    capital = "capital"
    mission = "mission"
    organisation = "organisation"


class PointOfContact(Base):
    """A person or office designated by exactly one State or one organisation."""

    __tablename__ = "point_of_contact"
    __table_args__ = (
        # A contact belongs to exactly one State or one organisation.
        CheckConstraint(
            "(state_id IS NULL) <> (organisation_id IS NULL)", name="one_designating_party"
        ),
        # The same person designated twice by the same party is one duplicate submission.
        UniqueConstraint("party_key", "name_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state_id: Mapped[int | None] = mapped_column(ForeignKey("state.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    party_key: Mapped[str] = mapped_column(String(40))  # "state:<id>" or "organisation:<id>"
    # The contact's own account (a State's point of contact signs in as it), if any.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), unique=True
    )
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))  # the name, case and spaces folded
    role: Mapped[ContactRole] = mapped_column(enum_column(ContactRole, length=20))
    position: Mapped[str] = mapped_column(String(200), default="")
    agency: Mapped[str] = mapped_column(String(300), default="")
    languages: Mapped[list[str]]
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    channels: Mapped[str] = mapped_column(Text, default="")  # other ways to reach them
    designated_on: Mapped[date] = mapped_column(Date)
    confirmed_on: Mapped[date] = mapped_column(Date, index=True)
    # The day the State was last reminded that this contact is stale (once per stale spell).
    reminded_on: Mapped[date | None] = mapped_column(Date)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    origin: Mapped[Origin] = mapped_column(enum_column(Origin))
    created_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    __mapper_args__ = {"version_id_col": revision}  # noqa: RUF012

    state: Mapped[State | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    user: Mapped[UserAccount | None] = relationship()
    trainings: Mapped[list[TrainingParticipation]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", order_by="TrainingParticipation.id"
    )


class TrainingParticipation(Base):
    """A contact's attendance at one of the Committee's training courses (by course code)."""

    __tablename__ = "training_participation"
    __table_args__ = (UniqueConstraint("contact_id", "course_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("point_of_contact.id", ondelete="CASCADE"), index=True
    )
    course_code: Mapped[str] = mapped_column(String(80), index=True)
    origin: Mapped[Origin] = mapped_column(enum_column(Origin))

    contact: Mapped[PointOfContact] = relationship(back_populates="trainings")
