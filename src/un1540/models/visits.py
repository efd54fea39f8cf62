"""Country visits (FACTS 5.3): made only at a State's invitation, moving through the lifecycle
`visit` of reference/lifecycles.yml, with who took part, findings per matrix field and the
follow-up actions they lead to. Seen by the Committee side and the State; a public summary only
with the State's explicit, audited consent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from un1540.models.action_plans import ActionPlanMeasure
from un1540.models.assistance import AssistanceRequest
from un1540.models.base import Base, Origin, UTCDateTime, enum_column, utc_now
from un1540.models.organisations import Organisation
from un1540.models.states import State


class Visit(Base):
    __tablename__ = "visit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state_id: Mapped[int] = mapped_column(ForeignKey("state.id"), index=True)
    status: Mapped[str] = mapped_column(String(40), index=True)
    purpose: Mapped[str] = mapped_column(Text, default="")
    # The State's invitation: its date and reference (a letter's symbol, a note verbale).
    invitation: Mapped[str] = mapped_column(String(300))
    invited_on: Mapped[date] = mapped_column(Date)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    conducted_from: Mapped[date | None] = mapped_column(Date)
    conducted_to: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    # Written by the Committee side; shown to the public only while the State consents.
    public_summary: Mapped[str] = mapped_column(Text, default="")
    summary_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    summary_consent_by: Mapped[str] = mapped_column(String(254), default="")
    summary_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    origin: Mapped[Origin] = mapped_column(enum_column(Origin))

    state: Mapped[State] = relationship()
    participants: Mapped[list[VisitParticipant]] = relationship(
        order_by="VisitParticipant.id", cascade="all, delete-orphan"
    )
    findings: Mapped[list[VisitFinding]] = relationship(
        order_by="VisitFinding.id", cascade="all, delete-orphan"
    )
    follow_ups: Mapped[list[VisitFollowUp]] = relationship(
        order_by="VisitFollowUp.id", cascade="all, delete-orphan"
    )


class VisitParticipant(Base):
    """Who took part: a Committee member, an expert, an organisation, or the State's officials."""

    __tablename__ = "visit_participant"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(300))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)

    organisation: Mapped[Organisation | None] = relationship()


class VisitFinding(Base):
    """What the visit found on one matrix field (optionally one weapon category)."""

    __tablename__ = "visit_finding"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    field_code: Mapped[str] = mapped_column(String(100))
    weapon: Mapped[str] = mapped_column(String(10), default="")
    text: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(254), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class VisitFollowUp(Base):
    """An action a finding leads to: an assistance request (filed through the clearinghouse's
    own action, tracked by its status) or an action-plan measure, tracked here to closure."""

    __tablename__ = "visit_follow_up"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    finding_id: Mapped[int | None] = mapped_column(
        ForeignKey("visit_finding.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(40))  # assistance_request | action_plan_measure
    title: Mapped[str] = mapped_column(String(300))
    assistance_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("assistance_request.id"), index=True
    )
    # The measure added to one of the State's action plans (kind action_plan_measure).
    action_plan_measure_id: Mapped[int | None] = mapped_column(
        ForeignKey("action_plan_measure.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | closed
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    finding: Mapped[VisitFinding | None] = relationship()
    assistance_request: Mapped[AssistanceRequest | None] = relationship()
    action_plan_measure: Mapped[ActionPlanMeasure | None] = relationship()
