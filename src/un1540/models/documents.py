"""Documents (national reports, legislation, ...) and the evidence that cites them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from un1540.models.base import Base, Origin, UTCDateTime, Visibility, enum_column, utc_now
from un1540.models.matrix import CellEntry
from un1540.models.organisations import Organisation
from un1540.models.states import State


class DocumentKind(StrEnum):
    national_report = "national_report"
    addendum = "addendum"
    additional_information = "additional_information"
    action_plan = "action_plan"
    legislation = "legislation"
    official_website = "official_website"
    organisation_information = "organisation_information"
    statement = "statement"  # a statement at an event (services/events)
    meeting_document = "meeting_document"  # a concept note, programme, report of an event


class Document(Base):
    """A source the matrix cites: a report, a law, a web page, information from an organisation."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind))
    state_id: Mapped[int | None] = mapped_column(ForeignKey("state.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    title: Mapped[str] = mapped_column(Text)
    symbol: Mapped[str] = mapped_column(String(100), default="")
    issued_on: Mapped[date | None] = mapped_column(Date)
    language: Mapped[str] = mapped_column(String(8))
    url: Mapped[str] = mapped_column(String(1000), default="")
    file_name: Mapped[str] = mapped_column(String(300), default="")
    file_sha256: Mapped[str] = mapped_column(String(64), default="")
    file_size: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(100), default="")
    pages: Mapped[int | None] = mapped_column(Integer)
    uploaded_by: Mapped[str] = mapped_column(String(254), default="")
    origin: Mapped[Origin] = mapped_column(enum_column(Origin))
    visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    state: Mapped[State | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()


class Evidence(Base):
    """A cell entry's reference to a document, down to page, article or paragraph."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cell_entry_id: Mapped[int] = mapped_column(
        ForeignKey("cell_entry.id", ondelete="CASCADE"), index=True
    )
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    page: Mapped[str] = mapped_column(String(40), default="")
    article: Mapped[str] = mapped_column(String(100), default="")
    paragraph: Mapped[str] = mapped_column(String(100), default="")
    quotation: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility), default=Visibility.public
    )

    cell_entry: Mapped[CellEntry] = relationship()
    document: Mapped[Document] = relationship()
