"""Counters of a database-backed rate limiter (services/kernel/rate_limit.py), shared by every
worker process and server. One row per key, e.g. a sign-in's account and address."""

from __future__ import annotations

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from un1540.models.base import Base


class RateLimit(Base):
    """How often `key` was hit in its current window, and until when it must wait.

    Times are seconds since the epoch (UTC) as floats, so that the one atomic upsert that counts a
    hit can do its arithmetic in SQL alike on SQLite and PostgreSQL."""

    __tablename__ = "rate_limit"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[float] = mapped_column(Float, index=True)
    blocked_until: Mapped[float] = mapped_column(Float, default=0.0)
    # When the caller behind the key last succeeded (a sign-in from a known address).
    last_success_at: Mapped[float | None] = mapped_column(Float)
