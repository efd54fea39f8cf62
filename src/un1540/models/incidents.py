"""Incidents involving nuclear or other radioactive, chemical or biological material out of
regulatory control, or used or threatened by non-State actors (reference/incidents.yml)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from un1540.models.base import Base, Origin, UTCDateTime, enum_column, utc_now
from un1540.models.organisations import Organisation
from un1540.models.states import State


class Incident(Base):
    """One incident; its vocabularies' codes are checked by the service against the reference
    file. `restricted` records are seen record by record only by the Committee side, the
    reporter, and the State concerned when `share_with_state` is set; everyone sees them counted
    in the trends."""

    __tablename__ = "incident"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    reported_on: Mapped[date | None] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(40), index=True)
    material_class: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    grouping: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(40))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    confirmation: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text, default="")
    # The matrix fields the incident bears on: the kind's defaults unless edited.
    fields: Mapped[list[str]]
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    share_with_state: Mapped[bool] = mapped_column(Boolean, default=False)
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    # A provider reports for its organisation: its colleagues see its restricted records too.
    reporter_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    recorded_by: Mapped[str] = mapped_column(String(254), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    origin: Mapped[Origin] = mapped_column(enum_column(Origin))

    states: Mapped[list[IncidentState]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="IncidentState.id"
    )
    organisation: Mapped[Organisation | None] = relationship(foreign_keys=[organisation_id])


class IncidentState(Base):
    """A State an incident concerns (where it happened, or a State of origin or transit)."""

    __tablename__ = "incident_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    state_id: Mapped[int] = mapped_column(ForeignKey("state.id", ondelete="CASCADE"), index=True)

    incident: Mapped[Incident] = relationship(back_populates="states")
    state: Mapped[State] = relationship()
