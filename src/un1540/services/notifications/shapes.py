"""Notifications -> wire shapes."""

from __future__ import annotations

from un1540.models import Notification
from un1540.schemas.notifications import NotificationList, NotificationRead
from un1540.services.kernel.envelope import envelope
from un1540.services.kernel.paging import PageRequest


def notification_read(notification: Notification) -> NotificationRead:
    return NotificationRead(
        id=notification.id,
        kind=notification.kind,
        subject=notification.subject,
        body=notification.body,
        link=notification.link,
        created_at=notification.created_at,
        read_at=notification.read_at,
        emailed_at=notification.emailed_at,
    )


def notification_list(
    rows: list[Notification], total: int, unread: int, *, paging: PageRequest
) -> NotificationList:
    return NotificationList(
        **envelope(False),
        items=[notification_read(row) for row in rows],
        total=total,
        unread=unread,
        page=paging.page,
        page_size=paging.page_size,
    )
