"""Sending the notification e-mails after a response, when an SMTP server is configured."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from un1540.services.kernel.notifications import send_pending_emails, smtp_settings
from un1540.settings import Settings

LOGGER = logging.getLogger("un1540.mail")


def send_emails(sessions: sessionmaker[Session], settings: Settings) -> int:
    """Run after the response (a background task): a mail server that is down delays the
    e-mails, never the request; they are tried again after the next change."""
    smtp = smtp_settings(settings)
    if smtp is None:
        return 0
    try:
        with sessions() as session:
            return send_pending_emails(session, smtp)
    except OSError as error:
        LOGGER.warning("notification e-mails not sent now (%s); they stay pending", error)
        return 0
