"""Facts about this installation's data as a whole, such as whether it holds demo data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from un1540.models.base import Base, UTCDateTime, utc_now

SYNTHETIC_DATA_FLAG = "synthetic_data"


class InstanceFlag(Base):
    """A named flag with a text value (e.g. synthetic_data -> the demo generator's version)."""

    __tablename__ = "instance_flag"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
