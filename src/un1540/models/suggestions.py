"""Experts' decisions on evidence suggestions (docs/evidence.md).

A decision names its provision by (document, article, text) so that the provisions table of
the document library can be attached later; it keeps the versions of the lexicon and of the
model that made the suggestion, and what the expert decided, so that retraining learns from it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from un1540.models.base import Base, UTCDateTime, enum_column, utc_now


class SuggestionVerdict(StrEnum):
    confirmed = "confirmed"  # as suggested: evidence on the cells of a draft
    edited = "edited"  # with other weapons or columns: evidence on those cells
    rejected = "rejected"  # the provision is not evidence for the field: a hard negative


class SuggestionDecision(Base):
    """One expert's decision on one suggested field for one provision."""

    __tablename__ = "suggestion_decision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    article: Mapped[str] = mapped_column(String(100), default="")
    page: Mapped[str] = mapped_column(String(40), default="")
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64), index=True)
    language: Mapped[str] = mapped_column(String(2))
    field_code: Mapped[str] = mapped_column(String(80))
    # An edit may move the evidence to another field: the one chosen (None: the suggested one).
    chosen_field: Mapped[str | None] = mapped_column(String(80), nullable=True)
    suggested_weapons: Mapped[list[str]] = mapped_column(default=list)
    suggested_columns: Mapped[list[str]] = mapped_column(default=list)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    verdict: Mapped[SuggestionVerdict] = mapped_column(enum_column(SuggestionVerdict))
    weapons: Mapped[list[str]] = mapped_column(default=list)
    columns: Mapped[list[str]] = mapped_column(default=list)
    edition_id: Mapped[int | None] = mapped_column(
        ForeignKey("matrix_edition.id", ondelete="SET NULL"), index=True, nullable=True
    )
    lexicon_version: Mapped[str] = mapped_column(String(40))
    model_version: Mapped[str] = mapped_column(String(80))
    # A fixed share of documents is held out: their decisions measure the model, never train it.
    held_out: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(320))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
