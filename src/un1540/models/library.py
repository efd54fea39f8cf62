"""The library: the text of documents, their provisions and the full-text index over them
(docs/library.md). Who may see any of it is the visibility of its document."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from un1540.models.base import Base, UTCDateTime, enum_column, utc_now


class TextStatus(StrEnum):
    ready = "ready"  # the text is read, split and indexed
    reading = "reading"  # scanned pages wait for OCR (a background job)
    failed = "failed"  # OCR found nothing on any page: the document is kept without text


class DocumentText(Base):
    """The text of one document's file and its page map: every offset of a provision or a
    search passage is an offset in `text`; `page_starts[i]` is where page i + 1 begins."""

    __tablename__ = "document_text"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), primary_key=True
    )
    text: Mapped[str] = mapped_column(Text, default="")
    page_starts: Mapped[list[int]] = mapped_column(JSON, default=list)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    # 1-based pages with no text layer, read by OCR; and what OCR could not read, per page.
    ocr_pages: Mapped[list[int]] = mapped_column(JSON, default=list)
    ocr_notes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[TextStatus] = mapped_column(enum_column(TextStatus, 20))
    progress: Mapped[int] = mapped_column(Integer, default=100)  # percent, while OCR runs
    languages: Mapped[dict[str, Any]] = mapped_column(default=dict)  # language -> characters
    patterns_version: Mapped[str] = mapped_column(String(20), default="")
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class Provision(Base):
    """One provision of a law (an article, a section, a paragraph, a schedule, a chapter):
    what the evidence suggestions attach to. Its text is `document_text.text[start:end]`."""

    __tablename__ = "provision"
    __table_args__ = (Index("ix_provision_document_position", "document_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)  # order in the document, from 0
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("provision.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # reference/provision-patterns.yml KINDS
    level: Mapped[int] = mapped_column(Integer)  # 1 containers, 2 articles, 3 paragraphs
    number: Mapped[str] = mapped_column(String(60))  # canonical: 12, 120-1, 6 bis, L.2342-3
    label: Mapped[str] = mapped_column(String(200))  # as written: 第十二条, Статья 205.1
    heading: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)  # character offsets in the document's text
    end: Mapped[int] = mapped_column(Integer)
    page: Mapped[int] = mapped_column(Integer)  # where it starts
    page_end: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(8))
    # Multilingual sentence vector (512 float32, little-endian) for "laws like this";
    # level-2 provisions and schedules only.
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)


class ProvisionLink(Base):
    """A provision that refers to another of the same document: "whoever violates Article 12"
    is `penalty_for` Article 12; other citations are `refers_to`."""

    __tablename__ = "provision_link"
    __table_args__ = (UniqueConstraint("source_id", "target_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("provision.id", ondelete="CASCADE"), index=True
    )
    target_id: Mapped[int] = mapped_column(
        ForeignKey("provision.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # refers_to | penalty_for


class SearchPassage(Base):
    """One unit of the full-text index: a provision (level 2 or a schedule), a page of a
    document without provisions, or a document's title. `terms` are the normalised search
    terms (analytics/text/tokenise.py): SQLite indexes them in the FTS5 table search_fts
    (rowid = id), PostgreSQL in a GIN index over their tsvector."""

    __tablename__ = "search_passage"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True
    )
    provision_id: Mapped[int | None] = mapped_column(
        ForeignKey("provision.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # provision | page | title
    page: Mapped[int | None] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer, default=0)
    end: Mapped[int] = mapped_column(Integer, default=0)
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)  # as written (for the snippets)
    terms: Mapped[str] = mapped_column(Text)
