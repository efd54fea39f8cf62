"""Wire shapes of the signed-in account's notifications."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from un1540.schemas.common import Envelope


class NotificationRead(BaseModel):
    """A notification worded for you when you read it, from its record as you may see it now."""

    id: int
    kind: str = Field(description="match, project or feedback_due.")
    subject: str
    body: str
    link: str = Field(description="The API path of the record it is about.")
    created_at: datetime
    read_at: datetime | None
    emailed_at: datetime | None


class NotificationList(Envelope):
    items: list[NotificationRead]
    total: int
    unread: int
    page: int
    page_size: int
