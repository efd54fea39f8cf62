"""National implementation action plans (NAPs): a plan per State, made of measures tied to matrix
fields and weapon categories, each with milestones (docs/action-plans.md)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from un1540.models.base import Base, Origin, UTCDateTime, enum_column, utc_now
from un1540.models.states import State


class ActionPlan(Base):
    """One plan a State submitted (voluntarily) for a period; not published, it is seen by the
    Committee side and that State's points of contact; published, by everyone."""

    __tablename__ = "action_plan"
    # The same State submitting a plan on the same day twice is a duplicate submission.
    __table_args__ = (UniqueConstraint("state_id", "submitted_on", name="uq_action_plan"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state_id: Mapped[int] = mapped_column(ForeignKey("state.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    submitted_on: Mapped[date] = mapped_column(Date)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("action_plan.id"))
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    published_url: Mapped[str] = mapped_column(String(1000), default="")
    # Who helped prepare it (UNRCPD, OSCE, the Group of Experts...): names, as given.
    partners: Mapped[list[str]]
    summary: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # Every change writes `WHERE revision = <the one read>` (update_plan raises it itself): of
    # two corrections made at once from the same revision, the second changes nothing and is
    # refused (409) instead of overwriting the first, which both had passed the check of.
    __mapper_args__ = {  # noqa: RUF012 (SQLAlchemy's declarative convention)
        "version_id_col": revision,
        "version_id_generator": False,
    }
    created_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    origin: Mapped[Origin] = mapped_column(enum_column(Origin))

    state: Mapped[State] = relationship()
    measures: Mapped[list[ActionPlanMeasure]] = relationship(
        back_populates="plan", order_by="ActionPlanMeasure.position", cascade="all, delete-orphan"
    )


class ActionPlanMeasure(Base):
    """One measure of a plan: what the State will do, for which matrix fields and weapons, by
    which agency; its status (reference/lifecycles.yml) and progress are the State's report."""

    __tablename__ = "action_plan_measure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("action_plan.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    fields: Mapped[list[str]]
    weapons: Mapped[list[str]]
    owner_agency: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(40), index=True)
    progress: Mapped[int] = mapped_column(Integer, default=0)  # reported, 0-100
    # Requests for assistance raised for this measure (ids; shown as each reader may see them).
    assistance_requests: Mapped[list[int]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    plan: Mapped[ActionPlan] = relationship(back_populates="measures")
    milestones: Mapped[list[ActionPlanMilestone]] = relationship(
        back_populates="measure",
        order_by="ActionPlanMilestone.position",
        cascade="all, delete-orphan",
    )


class ActionPlanMilestone(Base):
    """A dated step of a measure; an overdue one is notified once (overdue_notified_on)."""

    __tablename__ = "action_plan_milestone"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        ForeignKey("action_plan_measure.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(40))
    done_on: Mapped[date | None] = mapped_column(Date)
    overdue_notified_on: Mapped[date | None] = mapped_column(Date)

    measure: Mapped[ActionPlanMeasure] = relationship(back_populates="milestones")
