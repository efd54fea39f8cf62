"""Notifications: in the portal, and by e-mail when an SMTP server is configured.

Written in the same transaction as the change they announce (so a rolled-back change announces
nothing); writing one queues the e-mail delivery as an after-commit effect of the action
(kernel/unit_of_work.py), so every door that takes the action (API, portal, command line) sends
the same e-mails. `send_pending_emails` marks each one sent, so a failed delivery is tried again
after the next change and never sent twice. The SMTP server is whatever the session factory was
configured with (`configure_email`); without one, notifications stay in the portal only.

Who is told what:
- a request is circulated: the accounts of every provider with a suggested offer for one of its
  items (`match`);
- a project changes status: the requester's and the provider's accounts (`project`);
- a project is delivered: the same accounts, that their feedback is due (`feedback_due`).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from un1540.errors import NotFound, Unauthenticated
from un1540.models import (
    AssistanceOffer,
    AssistanceProject,
    AssistanceRequest,
    Notification,
    Role,
    UserAccount,
)
from un1540.models.base import utc_now
from un1540.schemas.notifications import NotificationList, NotificationRead
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.envelope import envelope
from un1540.services.kernel.paging import PageRequest
from un1540.services.kernel.unit_of_work import action, after_commit
from un1540.settings import Settings

LOGGER = logging.getLogger("un1540.mail")
SMTP_KEY = "un1540.smtp"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    username: str = ""
    password: str = ""
    starttls: bool = False


def smtp_settings(settings: Settings) -> SmtpSettings | None:
    if not settings.smtp_host:
        return None
    return SmtpSettings(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_sender,
        username=settings.smtp_username,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
    )


def configure_email(sessions: sessionmaker[Session], settings: Settings) -> None:
    """Sessions from this factory deliver notification e-mails through the configured server."""
    smtp = smtp_settings(settings)
    if smtp is not None:
        sessions.configure(info={SMTP_KEY: smtp})


def deliver_pending_emails(session: Session) -> int:
    """The after-commit effect: send what is pending; a server that is down delays the e-mails,
    never the write (they stay pending and go out after the next change)."""
    smtp: SmtpSettings | None = session.info.get(SMTP_KEY)
    if smtp is None:
        return 0
    try:
        return send_pending_emails(session, smtp)
    except OSError as error:
        session.rollback()
        LOGGER.warning("notification e-mails not sent now (%s); they stay pending", error)
        return 0


def _accounts(
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


def requester_accounts(session: Session, request: AssistanceRequest) -> list[UserAccount]:
    return _accounts(
        session,
        state_id=request.state_id,
        organisation_id=request.organisation_id,
        roles=(Role.state_poc, Role.provider),
    )


def provider_accounts(session: Session, offer: AssistanceOffer) -> list[UserAccount]:
    if offer.organisation_id is not None:
        return _accounts(
            session, state_id=None, organisation_id=offer.organisation_id, roles=(Role.provider,)
        )
    return _accounts(session, state_id=offer.state_id, organisation_id=None, roles=(Role.provider,))


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


def notify_matches(
    session: Session, request: AssistanceRequest, offers: Iterable[AssistanceOffer]
) -> int:
    accounts = [account for offer in offers for account in provider_accounts(session, offer)]
    return notify(
        session,
        accounts,
        kind="match",
        subject=f"A request matches your offer: {request.title}",
        body=(
            f"Request {request.id}, {request.title}, has been circulated, and one of your offers "
            "is among the best suggestions for it."
        ),
        link=f"/api/v1/assistance/requests/{request.id}",
    )


def notify_project(session: Session, project: AssistanceProject) -> int:
    accounts = requester_accounts(session, project.request) + provider_accounts(
        session, project.offer
    )
    written = notify(
        session,
        accounts,
        kind="project",
        subject=f"Project {project.id} is now {project.status.replace('_', ' ')}",
        body=f"Project {project.id}, {project.title}, is now {project.status.replace('_', ' ')}.",
        link=f"/api/v1/assistance/projects/{project.id}",
    )
    if project.status == "delivered":
        written += notify(
            session,
            accounts,
            kind="feedback_due",
            subject=f"Your feedback on project {project.id} is due",
            body=(
                f"Project {project.id}, {project.title}, has been delivered. The recipient and "
                "the provider are each asked for a rating and a comment."
            ),
            link=f"/api/v1/assistance/projects/{project.id}/feedback",
        )
    return written


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


def send_pending_emails(session: Session, smtp: SmtpSettings, *, limit: int = 200) -> int:
    """Send the e-mails not sent yet; each is marked sent as soon as the server accepts it."""
    pending = session.execute(
        select(Notification, UserAccount.email)
        .join(UserAccount, UserAccount.id == Notification.user_id)
        .where(Notification.emailed_at.is_(None))
        .order_by(Notification.id)
        .limit(limit)
    ).all()
    if not pending:
        return 0
    sent = 0
    with smtplib.SMTP(smtp.host, smtp.port, timeout=10) as server:
        if smtp.starttls:
            server.starttls()
        if smtp.username:
            server.login(smtp.username, smtp.password)
        for notification, address in pending:
            message = EmailMessage()
            message["From"] = smtp.sender
            message["To"] = address
            message["Subject"] = f"[un1540] {notification.subject}"
            message.set_content(f"{notification.body}\n\n{notification.link}\n")
            server.send_message(message)
            notification.emailed_at = utc_now()
            session.commit()
            sent += 1
    return sent


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
