"""Matrix editions of a State and the cell entries they hold."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from un1540.models.base import Base, Origin, UTCDateTime, Visibility, enum_column, utc_now
from un1540.models.frameworks import CellDefinition, Framework
from un1540.models.states import State


class EditionStatus(StrEnum):
    """Where an edition stands; an approved edition is frozen for ever."""

    draft = "draft"
    shared = "shared"
    agreed = "agreed"
    approved = "approved"


class ApprovalBasis(StrEnum):
    """On what the Committee approved an edition (docs/workflow.md, "The State's review period")."""

    state_agreed = "state_agreed"  # the State (or an expert for it) recorded agreement
    deadline_passed = "deadline_passed"  # shared, not agreed, the response was due and is late
    committee_reason = "committee_reason"  # before the deadline, with the Committee's reason


class Mark(StrEnum):
    """The mark in a cell. Never a compliance verdict (see docs/matrix.md)."""

    measure = "X"
    uncertain = "?"
    not_applicable = "NA"
    blank = ""


# The statuses of an edition that is still open (every status but the final `approved`).
OPEN_EDITION_SQL = "status IN ('draft', 'shared', 'agreed')"


class MatrixEdition(Base):
    """One edition of a State's matrix on one framework version."""

    __tablename__ = "matrix_edition"
    __table_args__ = (
        UniqueConstraint("state_id", "number"),
        Index("ix_matrix_edition_state_status", "state_id", "status"),
        # At most one open edition per State, kept by the database: two requests that both
        # found none (an import waiting for another's claim, a draft opened meanwhile) cannot
        # both open one, even under different numbers; the second is refused (409).
        Index(
            "uq_matrix_edition_one_open",
            "state_id",
            unique=True,
            sqlite_where=sql_text(OPEN_EDITION_SQL),
            postgresql_where=sql_text(OPEN_EDITION_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state_id: Mapped[int] = mapped_column(ForeignKey("state.id"))
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[EditionStatus] = mapped_column(enum_column(EditionStatus))
    approved_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    note: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[Origin] = mapped_column(enum_column(Origin), index=True)
    visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # The workflow: who opened it from which edition, when it was shared, agreed and approved.
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("matrix_edition.id"))
    created_by: Mapped[str] = mapped_column(String(254), default="")
    shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by: Mapped[str] = mapped_column(String(254), default="")
    # The State's review period: the day its response is due (set when shared or reopened), and
    # how many reminders it was sent (services/matrix/actions/reminders.py).
    response_due_on: Mapped[date | None] = mapped_column(Date)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # On what the approval stood (ApprovalBasis; "" for editions approved before it was kept, and
    # for recorded editions), and the Committee's reason when it approved without the State's
    # agreement before the deadline.
    approval_basis: Mapped[str] = mapped_column(String(20), default="", server_default="")
    approval_basis_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    state: Mapped[State] = relationship()
    framework: Mapped[Framework] = relationship()
    entries: Mapped[list[CellEntry]] = relationship(
        back_populates="edition", cascade="all, delete-orphan"
    )


class CellEntry(Base):
    """The mark and remark recorded for one cell in one edition."""

    __tablename__ = "cell_entry"
    __table_args__ = (
        UniqueConstraint("edition_id", "cell_id"),
        # The cells marked X of some editions, found without reading each cell row (the age of
        # the information: services/matrix/summaries.py `evidence_counts`).
        Index("ix_cell_entry_edition_mark", "edition_id", "mark", "visibility"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("matrix_edition.id", ondelete="CASCADE"))
    cell_id: Mapped[int] = mapped_column(ForeignKey("cell.id"), index=True)
    mark: Mapped[Mark] = mapped_column(enum_column(Mark, length=2))
    remark: Mapped[str] = mapped_column(Text, default="")
    # Incremented on every change; a stale revision in an edit is refused (optimistic locking).
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # The stricter of this and the edition's visibility applies.
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility), default=Visibility.public
    )
    # OP1 treaty fields only (crosswalks.treaty_fields): the State's status towards the treaty
    # (signed, ratified, acceded, succeeded, not_party), its dates, and who asserted it
    # (state_report, committee_finding, organisation_information). NULL: not recorded.
    treaty_status: Mapped[str | None] = mapped_column(String(12))
    signed_on: Mapped[date | None] = mapped_column(Date)
    status_on: Mapped[date | None] = mapped_column(Date)
    asserted_by: Mapped[str | None] = mapped_column(String(30))

    edition: Mapped[MatrixEdition] = relationship(back_populates="entries")
    cell: Mapped[CellDefinition] = relationship()


class EditionSummary(Base):
    """An approved edition's marks tallied per section, field, column and weapon category, by
    cell visibility: written in the transaction that approves (or records) the edition, so
    coverage on a date reads one row per State instead of every cell ever approved. An approved
    edition is frozen, so its summary never changes (services/matrix/summaries.py)."""

    __tablename__ = "edition_summary"

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("matrix_edition.id", ondelete="CASCADE"), primary_key=True
    )
    # JSON: {visibility: {"all": [X, ?, NA, blank], "section": {code: [...]}, "field": ...,
    # "column": ..., "weapon": ...}} (analytics/summaries.py).
    tallies: Mapped[str] = mapped_column(Text)


class EvidenceWaiver(Base):
    """The Committee side waives one evidence rule (reference/evidence-rules.yml) for one cell of
    an edition, with a reason; it holds while the cell stays at the version it was waived at."""

    __tablename__ = "evidence_waiver"
    __table_args__ = (UniqueConstraint("cell_entry_id", "rule"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("matrix_edition.id", ondelete="CASCADE"), index=True
    )
    cell_entry_id: Mapped[int] = mapped_column(ForeignKey("cell_entry.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(40))
    cell_revision: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    waived_by: Mapped[str] = mapped_column(String(254), default="")
    waived_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
