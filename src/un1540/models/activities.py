"""What international and regional organisations do in a State besides the projects brokered
here (docs/activities.md): one programme's work in one State, on matrix fields and weapon
categories, over a period."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from un1540.models.base import Base, Origin, UTCDateTime, Visibility, enum_column, utc_now
from un1540.models.organisations import Organisation
from un1540.models.states import State


class OrganisationActivity(Base):
    """One organisation's activity in one State. `weapons` empty: every weapon category.
    `visibility` defaults to the Committee side and the State concerned; the organisation's own
    accounts always see their organisation's activities (services/activities/reads.py)."""

    __tablename__ = "organisation_activity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    state_id: Mapped[int] = mapped_column(ForeignKey("state.id", ondelete="CASCADE"), index=True)
    programme: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    fields: Mapped[list[str]]
    weapons: Mapped[list[str]]
    start_on: Mapped[date] = mapped_column(Date, index=True)
    end_on: Mapped[date | None] = mapped_column(Date)
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility), default=Visibility.owning_state_and_committee
    )
    recorder_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    recorded_by: Mapped[str] = mapped_column(String(254), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    origin: Mapped[Origin] = mapped_column(enum_column(Origin))

    organisation: Mapped[Organisation] = relationship()
    state: Mapped[State] = relationship()
