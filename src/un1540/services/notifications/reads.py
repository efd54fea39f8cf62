"""The signed-in account's notifications, and the accounts a notice goes to."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from un1540.errors import Unauthenticated
from un1540.models import Notification, Role, UserAccount
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.paging import PageRequest


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


def list_notifications(
    session: Session,
    *,
    viewer: Viewer,
    unread_only: bool = False,
    paging: PageRequest | None = None,
) -> tuple[list[Notification], int, int]:
    """The viewer's notifications, newest first, with the total and the unread count."""
    if viewer.user_id is None:
        raise Unauthenticated("sign in or send an API token to see your notifications")
    condition = Notification.user_id == viewer.user_id
    if unread_only:
        condition = condition & Notification.read_at.is_(None)
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
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == viewer.user_id, Notification.read_at.is_(None))
        )
        or 0
    )
    return list(rows), total, unread
