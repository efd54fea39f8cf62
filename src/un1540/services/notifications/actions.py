"""Writing notifications, and marking one read."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import Unauthenticated
from un1540.models import Notification, UserAccount
from un1540.models.base import utc_now
from un1540.reference.languages import N_
from un1540.services.kernel.access import Viewer, account_viewer
from un1540.services.kernel.unit_of_work import action, after_commit
from un1540.services.notifications.email import deliver_pending_emails
from un1540.services.notifications.reads import get_notification
from un1540.services.notifications.topics import (
    TOPICS,
    Told,
    Translate,
    english,
    visible_notifications,
)


def notify(
    session: Session,
    accounts: Iterable[UserAccount],
    *,
    kind: str,
    entity_type: str,
    entity_id: int,
    params: dict[str, str] | None = None,
) -> int:
    """Tell each account once that `kind` happened to the record (`entity_type`, `entity_id`),
    if it may see that record now (by the record's own read rule, topics.py): an account that
    may not is told nothing. Returns how many notifications were written; their words are
    rendered for each reader when read or e-mailed."""
    topic = TOPICS.get(entity_type)
    if topic is None:
        raise LookupError(f"no notification topic registered for {entity_type!r}")
    written = 0
    for account in {account.id: account for account in accounts}.values():
        if not account.is_active or entity_id not in topic.facts(
            session, account_viewer(account), [entity_id]
        ):
            continue
        session.add(
            Notification(
                user_id=account.id,
                kind=kind,
                entity_type=entity_type,
                entity_id=entity_id,
                params=dict(params or {}),
            )
        )
        written += 1
    session.flush()
    if written:
        after_commit(session, deliver_pending_emails, key="emails")
    return written


@action
def mark_read(
    session: Session, *, viewer: Viewer, notification_id: int, translate: Translate = english
) -> Told:
    """Mark one of the viewer's notifications read; one about a record they may no longer see
    is not theirs to read (404, as the record itself)."""
    told = get_notification(
        session, viewer=viewer, notification_id=notification_id, translate=translate
    )
    if told.notification.read_at is None:
        told.notification.read_at = utc_now()
        session.flush()
    return told


@action
def mark_all_read(session: Session, *, viewer: Viewer) -> int:
    """Mark every unread notification of the viewer read (those about records they may see
    now; the others are not theirs to read); returns how many."""
    if viewer.user_id is None:
        raise Unauthenticated(N_("sign in to read your notifications"))
    unread = session.scalars(
        select(Notification).where(
            Notification.user_id == viewer.user_id,
            Notification.read_at.is_(None),
            visible_notifications(viewer),
        )
    ).all()
    now = utc_now()
    for notification in unread:
        notification.read_at = now
    session.flush()
    return len(unread)
