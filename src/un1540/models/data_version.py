"""Versions of the data, by scope, for caches: bumped by every write in its own transaction."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from un1540.models.base import Base


class DataVersion(Base):
    """How recent the data of one scope is (`global`, `matrix`, `state:FRA`, ...).

    A write raises the versions of the scopes it touches in the transaction that stores it, so
    a reader sees a new version exactly when it can see the new data (services/kernel/
    data_version.py). Versions only grow: each is at least the previous one plus one, and at
    least the time of the write in microseconds, so a database restored from a backup, or a
    transaction rolled back, never hands out again a version that once named other data.
    """

    __tablename__ = "data_version"

    scope: Mapped[str] = mapped_column(String(100), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
