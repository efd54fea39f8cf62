"""The assistance clearinghouse: requests (itemised, tagged with matrix fields) and offers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from un1540.models.base import Base, Origin, UTCDateTime, Visibility, enum_column, utc_now
from un1540.models.organisations import Organisation
from un1540.models.states import State


class AssistanceRequest(Base):
    """A request for assistance from a State (or a regional organisation), moving through the
    lifecycle of reference/assistance.yml; who may see it follows the requester's consent."""

    __tablename__ = "assistance_request"
    # The same requester filing the same title on the same day twice is a duplicate submission.
    __table_args__ = (
        UniqueConstraint("requester_key", "title", "received_on", name="uq_assistance_request"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state_id: Mapped[int | None] = mapped_column(ForeignKey("state.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    requester_key: Mapped[str] = mapped_column(String(60))  # "state:FRA" or "organisation:au"
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    received_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(40), index=True)
    consent: Mapped[str] = mapped_column(String(40))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # Every change writes `WHERE revision = <the one read>` (the actions raise it themselves): of
    # two changes made at once from the same revision, the second changes nothing and is refused
    # (409) instead of overwriting the first.
    __mapper_args__ = {  # noqa: RUF012 (SQLAlchemy's declarative convention)
        "version_id_col": revision,
        "version_id_generator": False,
    }
    # When it was circulated to providers and published: with the consent, these decide who may
    # see it (a request withdrawn before circulation never becomes visible to providers).
    circulated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    origin: Mapped[Origin] = mapped_column(enum_column(Origin))

    state: Mapped[State | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    items: Mapped[list[AssistanceRequestItem]] = relationship(
        back_populates="request",
        order_by="AssistanceRequestItem.position",
        cascade="all, delete-orphan",
    )


class AssistanceRequestItem(Base):
    """One thing asked for, tagged with the matrix fields and weapon categories it concerns."""

    __tablename__ = "assistance_request_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("assistance_request.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    fields: Mapped[list[str]]
    weapons: Mapped[list[str]]
    help_types: Mapped[list[str]]
    languages: Mapped[list[str]]
    preferred_provider: Mapped[str] = mapped_column(String(200), default="")
    start_on: Mapped[date | None] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)

    request: Mapped[AssistanceRequest] = relationship(back_populates="items")


class AssistanceOffer(Base):
    """What a State, an organisation or an NGO offers: areas, kinds of help, reach, capacity."""

    __tablename__ = "assistance_offer"
    __table_args__ = (UniqueConstraint("provider_key", "title", name="uq_assistance_offer"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state_id: Mapped[int | None] = mapped_column(ForeignKey("state.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    provider_name: Mapped[str] = mapped_column(String(300))
    provider_key: Mapped[str] = mapped_column(String(320))  # "state:FRA", "organisation:iaea"...
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    fields: Mapped[list[str]]
    sections: Mapped[list[str]]
    weapons: Mapped[list[str]]
    help_types: Mapped[list[str]]
    regions: Mapped[list[str]]  # regional group or M49 region codes; empty: anywhere
    languages: Mapped[list[str]]
    capacity: Mapped[int] = mapped_column(Integer)  # request items it can take on
    budget: Mapped[float | None] = mapped_column(Numeric(16, 2, asdecimal=False))
    currency: Mapped[str] = mapped_column(String(3), default="")
    start_on: Mapped[date | None] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    origin: Mapped[Origin] = mapped_column(enum_column(Origin))
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility), default=Visibility.public
    )

    state: Mapped[State | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()


class AssistanceJudgement(Base):
    """An expert's verdict on a suggested pair (accept, reject, unsure); the latest one counts.
    Committee-only: it changes later rankings and the provider's record."""

    __tablename__ = "assistance_judgement"
    __table_args__ = (UniqueConstraint("item_id", "offer_id", name="uq_assistance_judgement"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("assistance_request_item.id", ondelete="CASCADE"), index=True
    )
    offer_id: Mapped[int] = mapped_column(
        ForeignKey("assistance_offer.id", ondelete="CASCADE"), index=True
    )
    verdict: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    judged_by: Mapped[str] = mapped_column(String(254))
    judged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    item: Mapped[AssistanceRequestItem] = relationship()
    offer: Mapped[AssistanceOffer] = relationship()


class AssistanceProject(Base):
    """An accepted match at work: a request item served by an offer, with milestones and the
    feedback of both sides (as resolution 2663 asks)."""

    __tablename__ = "assistance_project"
    __table_args__ = (UniqueConstraint("item_id", "offer_id", name="uq_assistance_project"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("assistance_request.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("assistance_request_item.id"))
    offer_id: Mapped[int] = mapped_column(ForeignKey("assistance_offer.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(40))
    start_on: Mapped[date | None] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    origin: Mapped[Origin] = mapped_column(enum_column(Origin))

    request: Mapped[AssistanceRequest] = relationship()
    item: Mapped[AssistanceRequestItem] = relationship()
    offer: Mapped[AssistanceOffer] = relationship()
    milestones: Mapped[list[ProjectMilestone]] = relationship(
        order_by="ProjectMilestone.position", cascade="all, delete-orphan"
    )
    feedback: Mapped[list[ProjectFeedback]] = relationship(
        order_by="ProjectFeedback.id", cascade="all, delete-orphan"
    )


class ProjectMilestone(Base):
    __tablename__ = "project_milestone"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("assistance_project.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[date | None] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)


class ProjectFeedback(Base):
    """What one side (the recipient or the provider) says of a project, with a 1-5 rating."""

    __tablename__ = "project_feedback"
    __table_args__ = (UniqueConstraint("project_id", "side", name="uq_project_feedback"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("assistance_project.id", ondelete="CASCADE"), index=True
    )
    side: Mapped[str] = mapped_column(String(20))
    rating: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    given_by: Mapped[str] = mapped_column(String(254))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class FundingEntry(Base):
    """A pledge, or a contribution actually paid, by a donor; optionally earmarked to a region,
    an area of the matrix or a project."""

    __tablename__ = "funding_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # pledge | contribution
    donor_state_id: Mapped[int | None] = mapped_column(ForeignKey("state.id"))
    donor_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    donor_name: Mapped[str] = mapped_column(String(300))
    donor_key: Mapped[str] = mapped_column(String(320), index=True)
    amount: Mapped[float] = mapped_column(Numeric(16, 2, asdecimal=False))
    currency: Mapped[str] = mapped_column(String(3))
    made_on: Mapped[date] = mapped_column(Date)
    # A pledge's due date (when the donor said it would pay), if any: "pledge due" notices.
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    earmark_region: Mapped[str] = mapped_column(String(40), default="")
    earmark_area: Mapped[str] = mapped_column(String(100), default="")  # section or field code
    project_id: Mapped[int | None] = mapped_column(ForeignKey("assistance_project.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    origin: Mapped[Origin] = mapped_column(enum_column(Origin))
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility), default=Visibility.public
    )

    project: Mapped[AssistanceProject | None] = relationship()
