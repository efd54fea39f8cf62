"""Engagement: events of the regime (open debates, Committee meetings and consultations,
workshops, trainings, outreach conferences), the statements made at them, and the commitments
States and organisations announce, tracked to delivery.

Vocabularies (event kinds, audiences, statement modes, commitment kinds, the `commitment`
lifecycle) live in reference files; the services check every code against them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from un1540.models.action_plans import ActionPlan
from un1540.models.assistance import AssistanceProject, FundingEntry
from un1540.models.base import Base, Origin, UTCDateTime, Visibility, enum_column, utc_now
from un1540.models.documents import Document
from un1540.models.matrix import MatrixEdition
from un1540.models.organisations import Organisation
from un1540.models.states import State


class Event(Base):
    """A meeting of the regime with its date, place, organisers and audience. `source` names
    where a real event's facts come from (e.g. a Council document symbol); demo events carry
    `origin = demo`."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(300))
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date | None] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(300), default="")
    # Free-text organisers (a presidency, an organisation, a host State), in display order.
    organisers: Mapped[list[str]]
    # Audience codes (States, organisations, industry, academia, civil society, parliaments).
    audiences: Mapped[list[str]]
    summary: Mapped[str] = mapped_column(Text, default="")
    # Where the record's facts come from (document symbols, an address); required for real events.
    source: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility), default=Visibility.committee
    )
    created_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    origin: Mapped[Origin] = mapped_column(enum_column(Origin))

    participants: Mapped[list[EventParticipant]] = relationship(
        order_by="EventParticipant.id", cascade="all, delete-orphan"
    )
    documents: Mapped[list[EventDocument]] = relationship(
        order_by="EventDocument.id", cascade="all, delete-orphan"
    )


class EventParticipant(Base):
    """Who took part: a State, an organisation, or another participant named in full."""

    __tablename__ = "event_participant"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # state | organisation | other
    state_id: Mapped[int | None] = mapped_column(ForeignKey("state.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(300), default="")

    state: Mapped[State | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()


class EventDocument(Base):
    """A document of the event (concept note, programme, report), held in the document store."""

    __tablename__ = "event_document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    role: Mapped[str] = mapped_column(String(40), default="")  # concept_note | programme | ...

    document: Mapped[Document] = relationship()


class Statement(Base):
    """A participant's statement at an event, delivered or submitted in writing. Written
    statements become public on the event's page only once published (`published_at`), after a
    Committee member or expert marks them ready."""

    __tablename__ = "statement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    speaker: Mapped[str] = mapped_column(String(300))
    # On whose behalf: a State, an organisation, or a group named in full (e.g. a regional group).
    on_behalf_state_id: Mapped[int | None] = mapped_column(ForeignKey("state.id"), index=True)
    on_behalf_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id"), index=True
    )
    on_behalf_name: Mapped[str] = mapped_column(String(300), default="")
    language: Mapped[str] = mapped_column(String(10))
    mode: Mapped[str] = mapped_column(String(20))  # delivered | written
    text: Mapped[str] = mapped_column(Text, default="")
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"), index=True)
    # Topics (reference vocabulary) and matrix field codes the statement addresses.
    topics: Mapped[list[str]]
    field_codes: Mapped[list[str]]
    submitted_by: Mapped[str] = mapped_column(String(254), default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    published_by: Mapped[str] = mapped_column(String(254), default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    origin: Mapped[Origin] = mapped_column(enum_column(Origin))

    event: Mapped[Event] = relationship()
    on_behalf_state: Mapped[State | None] = relationship()
    on_behalf_organisation: Mapped[Organisation | None] = relationship()
    document: Mapped[Document | None] = relationship()


class Commitment(Base):
    """A commitment announced by a State or an organisation, at an event or in a statement, and
    tracked to delivery through the `commitment` lifecycle; every change of status is kept in
    `CommitmentStatusChange`, so an outcome document can list the status as of any date."""

    __tablename__ = "commitment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="SET NULL"), index=True
    )
    statement_id: Mapped[int | None] = mapped_column(
        ForeignKey("statement.id", ondelete="SET NULL"), index=True
    )
    state_id: Mapped[int | None] = mapped_column(ForeignKey("state.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    announced_on: Mapped[date] = mapped_column(Date)
    target_date: Mapped[date | None] = mapped_column(Date, index=True)
    field_codes: Mapped[list[str]]
    regions: Mapped[list[str]]
    status: Mapped[str] = mapped_column(String(40), index=True)
    # What shows delivery (free text, a reference or an address), beside the linked records.
    delivery_evidence: Mapped[str] = mapped_column(Text, default="")
    delivered_on: Mapped[date | None] = mapped_column(Date)
    # The last overdue reminder sent, so the daily job reminds once per period, not every day.
    reminded_on: Mapped[date | None] = mapped_column(Date)
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility), default=Visibility.committee
    )
    created_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    origin: Mapped[Origin] = mapped_column(enum_column(Origin))

    event: Mapped[Event | None] = relationship()
    statement: Mapped[Statement | None] = relationship()
    state: Mapped[State | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    status_changes: Mapped[list[CommitmentStatusChange]] = relationship(
        order_by="CommitmentStatusChange.id", cascade="all, delete-orphan"
    )
    fulfilments: Mapped[list[CommitmentFulfilment]] = relationship(
        order_by="CommitmentFulfilment.id", cascade="all, delete-orphan"
    )


class CommitmentStatusChange(Base):
    """One move of a commitment through its lifecycle, effective on `effective_on`."""

    __tablename__ = "commitment_status_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("commitment.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str] = mapped_column(String(40), default="")
    to_status: Mapped[str] = mapped_column(String(40))
    effective_on: Mapped[date] = mapped_column(Date, index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    changed_by: Mapped[str] = mapped_column(String(254), default="")
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class CommitmentFulfilment(Base):
    """A record that (partly) fulfils a commitment: exactly one of a pledge or contribution, an
    assistance project, an action plan, or an approved edition in which `field_code` changed."""

    __tablename__ = "commitment_fulfilment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("commitment.id", ondelete="CASCADE"), index=True
    )
    # funding_entry | assistance_project | action_plan | edition
    kind: Mapped[str] = mapped_column(String(40))
    funding_entry_id: Mapped[int | None] = mapped_column(ForeignKey("funding_entry.id"))
    assistance_project_id: Mapped[int | None] = mapped_column(ForeignKey("assistance_project.id"))
    action_plan_id: Mapped[int | None] = mapped_column(ForeignKey("action_plan.id"))
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("matrix_edition.id"))
    field_code: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(254), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    funding_entry: Mapped[FundingEntry | None] = relationship()
    assistance_project: Mapped[AssistanceProject | None] = relationship()
    action_plan: Mapped[ActionPlan | None] = relationship()
    edition: Mapped[MatrixEdition | None] = relationship()
