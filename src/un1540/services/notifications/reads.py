"""The signed-in account's notifications, and the accounts a notice goes to."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from un1540.errors import NotFound, Unauthenticated, text
from un1540.models import Notification, Role, UserAccount
from un1540.reference.languages import N_
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.paging import PageRequest
from un1540.services.notifications.topics import (
    Told,
    Translate,
    english,
    render,
    visible_notifications,
)


def active_accounts(
    session: Session, *, state_id: int | None, organisation_id: int | None, roles: Iterable[Role]
) -> list[UserAccount]:
    conditions = []
    if state_id is not None:
        conditions.append(UserAccount.state_id == state_id)
    if organisation_id is not None:
        conditions.append(UserAccount.organisation_id == organisation_id)
    if not conditions:
        return []
    return list(
        session.scalars(
            select(UserAccount).where(
                or_(*conditions), UserAccount.role.in_(list(roles)), UserAccount.is_active.is_(True)
            )
        )
    )


def _mine(viewer: Viewer) -> ColumnElement[bool]:
    """SQL: the viewer's own notifications about records they may see now."""
    if viewer.user_id is None:
        raise Unauthenticated(N_("sign in or send an API token to see your notifications"))
    return and_(Notification.user_id == viewer.user_id, visible_notifications(viewer))


def list_notifications(
    session: Session,
    *,
    viewer: Viewer,
    unread_only: bool = False,
    paging: PageRequest | None = None,
    translate: Translate = english,
) -> tuple[list[Told], int, int]:
    """The viewer's notifications, newest first, worded for them, with the total and the unread
    count; those about records they may not see (now) are neither listed nor counted."""
    mine = _mine(viewer)
    unread_condition = and_(mine, Notification.read_at.is_(None))
    condition = unread_condition if unread_only else mine
    paging = paging or PageRequest()
    rows = session.scalars(
        select(Notification)
        .where(condition)
        .order_by(Notification.id.desc())
        .offset((paging.page - 1) * paging.page_size)
        .limit(paging.page_size)
    ).all()
    total = session.scalar(select(func.count()).select_from(Notification).where(condition)) or 0
    unread = (
        session.scalar(select(func.count()).select_from(Notification).where(unread_condition)) or 0
    )
    return render(session, viewer, rows, translate=translate), total, unread


def get_notification(
    session: Session, *, viewer: Viewer, notification_id: int, translate: Translate = english
) -> Told:
    """One of the viewer's notifications, worded for them; 404 unless they may see its record."""
    notification = session.scalars(
        select(Notification).where(Notification.id == notification_id, _mine(viewer))
    ).first()
    told = render(session, viewer, [notification], translate=translate) if notification else []
    if not told:
        raise NotFound(
            text(
                N_("no notification %(notification_id)s of yours"),
                notification_id=notification_id,
            )
        )
    return told[0]


def unread_count(session: Session, *, viewer: Viewer) -> int:
    """How many of the viewer's notifications are unread (about records they may see now): the
    badge in every page's header. One count; 0 for the public, who has no notifications."""
    if viewer.user_id is None:
        return 0
    condition = and_(_mine(viewer), Notification.read_at.is_(None))
    return session.scalar(select(func.count()).select_from(Notification).where(condition)) or 0
