"""Context indicators per State, for the prioritisation aid; kept apart from the matrix."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from un1540.models.base import Base, Origin, UTCDateTime, Visibility, enum_column, utc_now
from un1540.models.states import State


class ContextIndicator(Base):
    """One value of one indicator (a factor of reference/priorities.yml) for one State."""

    __tablename__ = "context_indicator"
    __table_args__ = (UniqueConstraint("state_id", "indicator"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state_id: Mapped[int] = mapped_column(ForeignKey("state.id", ondelete="CASCADE"), index=True)
    indicator: Mapped[str] = mapped_column(String(60), index=True)
    value: Mapped[float] = mapped_column(Float)
    year: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text, default="")
    # The file it came from and its checksum: every value can be traced to its import.
    source_file: Mapped[str] = mapped_column(String(300), default="")
    source_sha256: Mapped[str] = mapped_column(String(64), default="")
    imported_by: Mapped[str] = mapped_column(String(254), default="")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    origin: Mapped[Origin] = mapped_column(enum_column(Origin))
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility), default=Visibility.public
    )

    state: Mapped[State] = relationship()
