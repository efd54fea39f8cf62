"""Notifications hold a reference and are worded for their reader (services/notifications/):
every event has words in every language, and a record type no domain registered is shown to
nobody and e-mailed to nobody."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.factories import make_user
from tests.pg_cluster import free_port
from un1540.models import Notification, UserAccount
from un1540.reference.languages import UN_LANGUAGES
from un1540.reference.lifecycles import lifecycle
from un1540.services.assistance.notices import FEEDBACK_DUE, MATCH, PROJECT_STATUS
from un1540.services.notifications.actions import notify
from un1540.services.notifications.email import SmtpSettings, send_pending_emails
from un1540.services.notifications.reads import list_notifications
from un1540.web.i18n import catalogue


def test_every_event_is_worded_in_every_language() -> None:
    assert set(PROJECT_STATUS) == set(lifecycle("assistance_project").statuses)
    facts = {"id": "7", "title": "Border monitors"}
    for wording in (MATCH, FEEDBACK_DUE, *PROJECT_STATUS.values()):
        for language in UN_LANGUAGES:
            translations = catalogue(language)
            for message in (wording.subject, wording.body):
                if language != "en":
                    assert message in translations, (language, message)
                text = translations.get(message, message) % facts
                for name, value in facts.items():
                    assert (value in text) == (f"%({name})s" in message), (language, message)


def test_a_record_type_nobody_registered_is_told_to_nobody(empty_session: Session) -> None:
    viewer = make_user(empty_session, role="provider", email="p@example.org", org="iaea")
    account = empty_session.get(UserAccount, viewer.user_id)
    assert account is not None
    with pytest.raises(LookupError):
        notify(empty_session, [account], kind="match", entity_type="nowhere", entity_id=1)
    empty_session.add(
        Notification(user_id=account.id, kind="match", entity_type="nowhere", entity_id=1)
    )
    empty_session.flush()
    assert list_notifications(empty_session, viewer=viewer) == ([], 0, 0)
    # Left pending, and no SMTP server is even asked (nothing listens on this port).
    nowhere = SmtpSettings(host="127.0.0.1", port=free_port(), sender="un1540@test")
    assert send_pending_emails(empty_session, nowhere) == 0
