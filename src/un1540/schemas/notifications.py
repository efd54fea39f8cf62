"""Wire shapes of the signed-in account's notifications."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from un1540.schemas.common import Envelope


class NotificationRead(BaseModel):
    id: int
    kind: str
    subject: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None
    emailed_at: datetime | None


class NotificationList(Envelope):
    items: list[NotificationRead]
    total: int
    unread: int
    page: int
    page_size: int
