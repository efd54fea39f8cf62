"""The inbox -> its wire shape (the API); the portal renders the same `Inbox`."""

from __future__ import annotations

from un1540.schemas.inbox import InboxItemRead, InboxRead, InboxSectionRead
from un1540.services.inbox.reads import Inbox, InboxItem
from un1540.services.kernel.envelope import envelope
from un1540.services.kernel.paging import PageRequest


def _item(item: InboxItem) -> InboxItemRead:
    return InboxItemRead(
        kind=item.kind,
        name=item.name,
        link=item.link,
        iso3=item.iso3 or None,
        number=item.number,
        status=item.status or None,
        due_on=item.due_on,
        detail=item.detail or None,
    )


def inbox_read(found: Inbox, *, paging: PageRequest) -> InboxRead:
    return InboxRead(
        **envelope(False),
        role=found.role.value,
        unread=found.unread,
        awaiting=found.awaiting,
        page=paging.page,
        page_size=paging.page_size,
        sections=[
            InboxSectionRead(
                key=section.key,
                title=section.title,
                total=section.total,
                items=[_item(item) for item in section.items],
            )
            for section in found.sections
        ],
    )
