"""Notification e-mails: the SMTP settings, and delivery as an after-commit effect.

Notifications are written in the same transaction as the change they announce (so a rolled-back
change announces nothing); writing one queues the delivery as an after-commit effect of the
action (kernel/unit_of_work.py), so every door that takes the action (API, portal, command line)
sends the same e-mails. In the server (and the command line on PostgreSQL) the effect queues a
job (kernel/jobs.py) that a worker runs; the command line on SQLite sends at once.
`send_pending_emails` marks each one sent, so a failed delivery is tried again after the next
change and never sent twice. The SMTP server is whatever the session
factory was configured with (`configure_email`); without one, notifications stay in the portal.

Each e-mail is worded when it is sent, by the renderer the portal and the API use (topics.py),
in its recipient's language (their preference on /account, `UserAccount.language`), for them
as they may see the record then: if they may not (the request's consent changed, the account
was disabled), no e-mail goes out and the notification is marked withheld, for good.
Notifications about a record type no domain has registered (in a process that did not import
it) are left pending, untouched. A recipient who chose to read a topic in the portal only
(their e-mail preferences, `EmailOptOut`) is not e-mailed about it: its notifications are
marked withheld as they come due.
"""

from __future__ import annotations

import logging
import smtplib
from contextlib import ExitStack
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from un1540.models import EmailOptOut, Notification, UserAccount
from un1540.models.base import utc_now
from un1540.reference.translations import translator
from un1540.services.kernel.access import account_viewer
from un1540.services.kernel.jobs import JobRun, defer_job, job_task
from un1540.services.notifications.topics import TOPICS, render
from un1540.settings import Settings

LOGGER = logging.getLogger("un1540.mail")
SMTP_KEY = "un1540.smtp"
DELIVER_EMAILS = "un1540.deliver_emails"


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
        sessions.configure(info={**(sessions.kw.get("info") or {}), SMTP_KEY: smtp})


def deliver_pending_emails(session: Session) -> int:
    """The after-commit effect: hand the delivery to the job queue (the server's worker sends
    the e-mails, so a slow mail server never holds up a request), or, in a process without a
    queue (the command line), send what is pending now. A server that is down delays the
    e-mails, never the write: they stay pending and go out with the next delivery.
    Returns how many were sent here (0 when the queue took the delivery)."""
    smtp: SmtpSettings | None = session.info.get(SMTP_KEY)
    if smtp is None:
        return 0
    if defer_job(session, DELIVER_EMAILS, lock="emails"):
        return 0
    return deliver_now(session, smtp)


def deliver_now(session: Session, smtp: SmtpSettings) -> int:
    try:
        return send_pending_emails(session, smtp)
    except OSError as error:
        session.rollback()
        LOGGER.warning("notification e-mails not sent now (%s); they stay pending", error)
        return 0


@job_task(DELIVER_EMAILS, priority=10)
def deliver_emails_job(run: JobRun) -> None:
    """The job: send every e-mail still pending (one at a time: the lock "emails")."""
    smtp = smtp_settings(run.settings)
    if smtp is None:
        return
    with run.sessions() as session:
        deliver_now(session, smtp)


def send_pending_emails(session: Session, smtp: SmtpSettings, *, limit: int = 200) -> int:
    """Send the e-mails not sent yet, each worded for its recipient; each is marked sent as soon
    as the server accepts it, or withheld when its recipient may not see its record."""
    pending = session.execute(
        select(Notification, UserAccount)
        .join(UserAccount, UserAccount.id == Notification.user_id)
        .where(
            Notification.emailed_at.is_(None),
            Notification.email_withheld_at.is_(None),
            Notification.entity_type.in_(list(TOPICS)),
        )
        .order_by(Notification.id)
        .limit(limit)
    ).all()
    if not pending:
        return 0
    # The topics the recipients read in the portal only (their e-mail preferences).
    opted_out = set(
        session.execute(
            select(EmailOptOut.user_id, EmailOptOut.topic).where(
                EmailOptOut.user_id.in_({account.id for _, account in pending})
            )
        )
    )
    sent = 0
    with ExitStack() as connection:
        server: smtplib.SMTP | None = None  # opened for the first e-mail that goes out
        for notification, account in pending:
            told = (
                render(
                    session,
                    account_viewer(account),
                    [notification],
                    translate=translator(account.language),
                )
                if account.is_active and (account.id, notification.entity_type) not in opted_out
                else []
            )
            if not told:
                notification.email_withheld_at = utc_now()
                session.commit()
                continue
            if server is None:
                server = connection.enter_context(smtplib.SMTP(smtp.host, smtp.port, timeout=10))
                if smtp.starttls:
                    server.starttls()
                if smtp.username:
                    server.login(smtp.username, smtp.password)
            message = EmailMessage()
            message["From"] = smtp.sender
            message["To"] = account.email
            message["Subject"] = f"[un1540] {told[0].subject}"
            message.set_content(f"{told[0].body}\n\n{told[0].link}\n")
            message["Content-Language"] = account.language
            server.send_message(message)
            notification.emailed_at = utc_now()
            session.commit()
            sent += 1
    return sent
