"""What the background jobs built, and how often an account asked for costly things.

The job queue itself is procrastinate's tables on PostgreSQL (created by the migrations, not
modelled here) or its in-memory queue on SQLite; `build` is the record of what was built from
which data version, shown on /downloads and by /api/v1/builds/{id} on both backends.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from un1540.models.base import Base, UTCDateTime, enum_column, utc_now


class BuildStatus(StrEnum):
    queued = "queued"
    running = "running"
    ready = "ready"
    failed = "failed"


class Build(Base):
    """One build of a set of files (the open data, every State's matrices in one format) from
    the data as it was at one data version, for one audience (who may see what it holds)."""

    __tablename__ = "build"
    __table_args__ = (
        UniqueConstraint("kind", "audience", "data_version"),
        Index("ix_build_kind_audience_status", "kind", "audience", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # open_data | matrices.xlsx | ...
    audience: Mapped[str] = mapped_column(String(40))  # public | provider | committee | state:ID
    data_version: Mapped[str] = mapped_column(String(64))
    status: Mapped[BuildStatus] = mapped_column(
        enum_column(BuildStatus, 20), default=BuildStatus.queued
    )
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    # Relative to the builds folder: a directory holding the files once the build is ready.
    location: Mapped[str] = mapped_column(String(200), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)  # bytes of the files built
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)  # what the files hold


class UsageCount(Base):
    """How many times an account asked for something costly within an hour (rate limits)."""

    __tablename__ = "usage_count"

    subject: Mapped[str] = mapped_column(String(80), primary_key=True)  # e.g. user:12
    action: Mapped[str] = mapped_column(String(40), primary_key=True)  # e.g. all_states_export
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
