"""The State's review of a shared draft: comments on cells and proposed changes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from un1540.models.accounts import UserAccount
from un1540.models.base import Base, UTCDateTime, Visibility, enum_column, utc_now
from un1540.models.matrix import CellEntry, Mark, MatrixEdition


class ProposalStatus(StrEnum):
    pending = "pending"
    accepted = "accepted"
    rejected = "rejected"


class CellComment(Base):
    """A comment on one cell of a draft, by a point of contact or an expert."""

    __tablename__ = "cell_comment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("matrix_edition.id", ondelete="CASCADE"), index=True
    )
    cell_entry_id: Mapped[int] = mapped_column(
        ForeignKey("cell_entry.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility), default=Visibility.owning_state_and_committee
    )

    edition: Mapped[MatrixEdition] = relationship()
    cell_entry: Mapped[CellEntry] = relationship()
    author: Mapped[UserAccount] = relationship()


class CellProposal(Base):
    """A change to one cell proposed by the State; an expert accepts or rejects it."""

    __tablename__ = "cell_proposal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("matrix_edition.id", ondelete="CASCADE"), index=True
    )
    cell_entry_id: Mapped[int] = mapped_column(
        ForeignKey("cell_entry.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    mark: Mapped[Mark] = mapped_column(enum_column(Mark, length=2))
    remark: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    # The documents the State cites: [{document_id, page, article, paragraph, quotation}];
    # accepted, they become the cell's evidence (none cited: the cell keeps its evidence).
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The cell's revision the proposal was made against, to warn when the cell moved on since.
    base_revision: Mapped[int] = mapped_column(Integer)
    status: Mapped[ProposalStatus] = mapped_column(enum_column(ProposalStatus, length=10))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility), default=Visibility.owning_state_and_committee
    )

    edition: Mapped[MatrixEdition] = relationship()
    cell_entry: Mapped[CellEntry] = relationship()
    author: Mapped[UserAccount] = relationship(foreign_keys=[author_id])
    decided_by: Mapped[UserAccount | None] = relationship(foreign_keys=[decided_by_id])
