"""Notifications, worded for their reader -> wire shapes."""

from __future__ import annotations

from un1540.schemas.notifications import NotificationList, NotificationRead
from un1540.services.kernel.envelope import envelope
from un1540.services.kernel.paging import PageRequest
from un1540.services.notifications.topics import Told


def notification_read(told: Told) -> NotificationRead:
    notification = told.notification
    return NotificationRead(
        id=notification.id,
        kind=notification.kind,
        subject=told.subject,
        body=told.body,
        link=told.link,
        created_at=notification.created_at,
        read_at=notification.read_at,
        emailed_at=notification.emailed_at,
    )


def notification_list(
    rows: list[Told], total: int, unread: int, *, paging: PageRequest
) -> NotificationList:
    return NotificationList(
        **envelope(False),
        items=[notification_read(row) for row in rows],
        total=total,
        unread=unread,
        page=paging.page,
        page_size=paging.page_size,
    )
