"""Writing notifications, and marking one read."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from un1540.errors import NotFound, Unauthenticated
from un1540.models import Notification, UserAccount
from un1540.models.base import utc_now
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.unit_of_work import action, after_commit
from un1540.services.notifications.email import deliver_pending_emails


def notify(
    session: Session,
    accounts: Iterable[UserAccount],
    *,
    kind: str,
    subject: str,
    body: str,
    link: str,
) -> int:
    """One notification per account (each account once); returns how many were written."""
    written = 0
    for account in {account.id: account for account in accounts}.values():
        session.add(
            Notification(user_id=account.id, kind=kind, subject=subject, body=body, link=link)
        )
        written += 1
    session.flush()
    if written:
        after_commit(session, deliver_pending_emails, key="emails")
    return written


@action
def mark_read(session: Session, *, viewer: Viewer, notification_id: int) -> Notification:
    if viewer.user_id is None:
        raise Unauthenticated("sign in or send an API token")
    notification = session.get(Notification, notification_id)
    if notification is None or notification.user_id != viewer.user_id:
        raise NotFound(f"no notification {notification_id} of yours")
    if notification.read_at is None:
        notification.read_at = utc_now()
        session.flush()
    return notification
