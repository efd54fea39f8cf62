"""Administrators' account management, password reset links and each account's language
(services/accounts/management.py, resets.py, rules.py; e-mails in the recipient's language)."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from email.header import decode_header, make_header
from email.message import Message

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Inbox
from tests.factories import PASSWORD, make_user
from un1540.errors import Conflict, Forbidden, InvalidData, RateLimited, Unauthenticated
from un1540.models import AuditEvent, PasswordResetToken, Role, UserAccount, WebSession
from un1540.models.base import utc_now
from un1540.reference.translations import translator
from un1540.services.accounts import credentials
from un1540.services.accounts.actions import authenticate, set_language
from un1540.services.accounts.management import (
    Invitation,
    account_choices,
    change_role,
    create_account,
    list_accounts,
    set_account_active,
)
from un1540.services.accounts.resets import (
    BODY,
    SUBJECT,
    SUBJECT_NEW,
    LinkState,
    complete_password_reset,
    request_password_reset,
    reset_link_state,
    send_reset_link,
    wait_for_reset_emails,
)
from un1540.services.accounts.sessions import SessionLimits, count_sessions, start_session
from un1540.services.kernel.access import PUBLIC, Viewer, system_viewer
from un1540.services.kernel.paging import PageRequest
from un1540.services.matrix.actions.editions import open_draft, share_edition
from un1540.services.notifications.email import SMTP_KEY, SmtpSettings, send_pending_emails

NEW_PASSWORD = "a quiet harbour at dawn"
LIMITS = SessionLimits(idle=timedelta(minutes=30), absolute=timedelta(hours=1))
BASE = "https://un1540.example.org"


def _with_email(session: Session, port: int) -> SmtpSettings:
    smtp = SmtpSettings(host="127.0.0.1", port=port, sender="un1540@test")
    session.info[SMTP_KEY] = smtp
    return smtp


def _link(message: Message) -> str:
    found = re.search(r"https://un1540\.example\.org/password/reset/(\S+)", _text(message))
    assert found is not None, _text(message)
    return found.group(1)


def _text(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode("utf-8")


def _subject(message: Message) -> str:
    return str(make_header(decode_header(str(message["Subject"]))))


def _user(session: Session, email: str) -> UserAccount:
    return session.scalars(select(UserAccount).where(UserAccount.email == email)).one()


def _request(session: Session, email: str, address: str = "192.0.2.7") -> None:
    request_password_reset(session, email=email, address=address, link_base=BASE, minutes=60)


def test_a_reset_link_is_sent_only_to_an_active_account_and_the_answer_never_says(
    empty_session: Session, inbox: tuple[Inbox, int]
) -> None:
    session = empty_session
    received, port = inbox
    _with_email(session, port)
    make_user(session, role="expert", email="known@example.org")
    make_user(session, role="expert", email="gone@example.org")
    set_account_active(
        session, viewer=system_viewer("tests"), email="gone@example.org", active=False
    )
    answers = [
        _request(session, email)  # type: ignore[func-returns-value]
        for email in ("known@example.org", "nobody@example.org", "gone@example.org")
    ]
    wait_for_reset_emails()
    assert answers == [None, None, None]  # nothing tells them apart
    with pytest.raises(InvalidData) as refused:  # what anyone can tell: not an address at all
        _request(session, "known")
    assert [p.where for p in refused.value.problems] == ["email"]
    assert [m["To"] for m in received.messages] == ["known@example.org"]
    tokens = session.scalars(select(PasswordResetToken)).all()
    assert [t.user.email for t in tokens] == ["known@example.org"]
    # Only the SHA-256 of the token is stored; the token itself is nowhere in the database.
    plain = _link(received.messages[0])
    assert tokens[0].token_hash == hashlib.sha256(plain.encode()).hexdigest()
    stored = [str(t.__dict__) for t in tokens] + [
        f"{e.before} {e.after} {e.entity_id} {e.actor}" for e in session.scalars(select(AuditEvent))
    ]
    assert not any(plain in row for row in stored)
    assert tokens[0].expires_at - tokens[0].created_at == timedelta(minutes=60)
    assert reset_link_state(session, plain) is LinkState.valid
    assert reset_link_state(session, plain[:-1] + ("A" if plain[-1] != "A" else "B")) is (
        LinkState.unknown
    )


def test_asking_is_rate_limited_the_same_for_any_email(empty_session: Session) -> None:
    session = empty_session
    make_user(session, role="expert", email="known@example.org")
    for email in ("known@example.org", "nobody@example.org"):
        for _ in range(3):
            _request(session, email)
        with pytest.raises(RateLimited) as refused:
            _request(session, email)
        assert refused.value.retry_after > 0
    # Another address is counted apart for the address, not for the typed e-mail.
    with pytest.raises(RateLimited):
        _request(session, "known@example.org", address="198.51.100.1")


def test_a_link_sets_the_password_once_and_ends_every_session(
    empty_session: Session, inbox: tuple[Inbox, int]
) -> None:
    session = empty_session
    received, port = inbox
    _with_email(session, port)
    make_user(session, role="committee", email="c@example.org")
    user = _user(session, "c@example.org")
    start_session(session, user=user, limits=LIMITS)
    start_session(session, user=user, limits=LIMITS)
    _request(session, "c@example.org")
    _request(session, "c@example.org")
    wait_for_reset_emails()
    first, second = (_link(m) for m in received.messages)
    # The policy of every password, naming the field; nothing written.
    with pytest.raises(InvalidData) as refused:
        complete_password_reset(session, plain=first, new_password="short", repeat_password="short")
    assert {p.where for p in refused.value.problems} == {"new_password"}
    with pytest.raises(InvalidData) as refused:
        complete_password_reset(
            session, plain=first, new_password=NEW_PASSWORD, repeat_password=NEW_PASSWORD + "!"
        )
    assert [p.where for p in refused.value.problems] == ["repeat_password"]
    assert reset_link_state(session, first) is LinkState.valid
    assert count_sessions(session, user.id) == 2

    complete_password_reset(
        session, plain=first, new_password=NEW_PASSWORD, repeat_password=NEW_PASSWORD
    )
    assert count_sessions(session, user.id) == 0
    assert authenticate(session, email="c@example.org", password=NEW_PASSWORD) is not None
    assert authenticate(session, email="c@example.org", password=PASSWORD) is None
    # Used once; the account's other open link is spent with it.
    for plain in (first, second):
        assert reset_link_state(session, plain) is LinkState.used
        with pytest.raises(Conflict) as used:
            complete_password_reset(
                session,
                plain=plain,
                new_password=NEW_PASSWORD + "x",
                repeat_password=NEW_PASSWORD + "x",
            )
        assert used.value.details == {"link": "used"}
    assert authenticate(session, email="c@example.org", password=NEW_PASSWORD) is not None
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_id == "c@example.org")
    ).all()
    assert actions.count("account.password_reset_link") == 2
    assert actions.count("account.password_reset_by_link") == 1


def test_an_expired_link_or_a_disabled_account_cannot_be_used(
    empty_session: Session, inbox: tuple[Inbox, int]
) -> None:
    session = empty_session
    received, port = inbox
    _with_email(session, port)
    make_user(session, role="expert", email="late@example.org")
    make_user(session, role="expert", email="off@example.org")
    _request(session, "late@example.org")
    _request(session, "off@example.org")
    wait_for_reset_emails()
    late, off = (_link(m) for m in sorted(received.messages, key=lambda m: str(m["To"])))
    token = session.scalars(
        select(PasswordResetToken).where(
            PasswordResetToken.token_hash == hashlib.sha256(late.encode()).hexdigest()
        )
    ).one()
    token.expires_at = utc_now() - timedelta(seconds=1)
    session.flush()
    assert reset_link_state(session, late) is LinkState.expired
    with pytest.raises(Conflict) as expired:
        complete_password_reset(
            session, plain=late, new_password=NEW_PASSWORD, repeat_password=NEW_PASSWORD
        )
    assert expired.value.details == {"link": "expired"}
    set_account_active(
        session, viewer=system_viewer("tests"), email="off@example.org", active=False
    )
    assert reset_link_state(session, off) is LinkState.unknown
    with pytest.raises(Conflict):
        complete_password_reset(
            session, plain=off, new_password=NEW_PASSWORD, repeat_password=NEW_PASSWORD
        )


def test_only_administrators_manage_accounts(empty_session: Session) -> None:
    session = empty_session
    expert = make_user(session, role="expert", email="e@example.org")
    admin = make_user(session, role="admin", email="a@example.org")
    reader = Viewer(role=Role.admin, actor="a@example.org", user_id=admin.user_id, can_write=False)
    paging = PageRequest(page=1, page_size=10)
    for viewer, refusal in ((PUBLIC, Unauthenticated), (expert, Forbidden), (reader, Forbidden)):
        with pytest.raises(refusal):
            list_accounts(session, viewer=viewer, paging=paging)
        with pytest.raises(refusal):
            create_account(session, viewer=viewer, email="n@example.org", role="expert")
        with pytest.raises(refusal):
            change_role(session, viewer=viewer, account_id=admin.user_id or 0, role="expert")
        with pytest.raises(refusal):
            set_account_active(session, viewer=viewer, email="a@example.org", active=False)
        with pytest.raises(refusal):
            send_reset_link(
                session, viewer=viewer, account_id=admin.user_id or 0, link_base=BASE, minutes=60
            )
    assert (
        session.scalars(select(UserAccount).where(UserAccount.email == "n@example.org")).all() == []
    )
    found = list_accounts(session, viewer=admin, query="E@EXAMPLE", paging=paging)
    assert (found.total, [a.email for a in found.accounts]) == (1, ["e@example.org"])
    assert list_accounts(session, viewer=admin, query="%", paging=paging).total == 0
    choices = account_choices(session, viewer=admin)
    assert "TCD" in {s.code for s in choices.states}
    assert "iaea" in {o.code for o in choices.organisations}
    assert "public" not in choices.roles


def test_the_last_active_administrator_is_kept(empty_session: Session) -> None:
    session = empty_session
    first = make_user(session, role="admin", email="first@example.org")
    assert first.user_id is not None
    for attempt in (
        lambda: set_account_active(session, viewer=first, email="first@example.org", active=False),
        lambda: change_role(session, viewer=first, account_id=first.user_id or 0, role="expert"),
        # The command line (an operator with every right) is held to it too.
        lambda: set_account_active(
            session, viewer=system_viewer("cli:root"), email="first@example.org", active=False
        ),
    ):
        with pytest.raises(Conflict) as refused:
            attempt()
        assert "last active administrator" in refused.value.message
    user = _user(session, "first@example.org")
    assert (user.role, user.is_active) == (Role.admin, True)
    second = make_user(session, role="admin", email="second@example.org")
    change_role(session, viewer=second, account_id=first.user_id, role="expert")
    assert _user(session, "first@example.org").role is Role.expert
    with pytest.raises(Conflict):  # now the second is the last one
        set_account_active(session, viewer=second, email="second@example.org", active=False)


def test_roles_are_checked_field_by_field_and_changes_are_audited(empty_session: Session) -> None:
    session = empty_session
    admin = make_user(session, role="admin", email="a@example.org")
    make_user(session, role="admin", email="b@example.org")
    with pytest.raises(InvalidData) as refused:
        create_account(
            session, viewer=admin, email="not an e-mail", role="state_poc", language="xx"
        )
    assert {p.where for p in refused.value.problems} == {"email", "state", "language"}
    created = create_account(
        session,
        viewer=admin,
        email="New@Example.org",
        role="state_poc",
        state_iso3="tcd",
        display_name="Amina",
        language="fr",
    )
    assert (created.email, created.state.iso3 if created.state else None) == (
        "new@example.org",
        "TCD",
    )
    assert created.language == "fr"
    start_session(session, user=created, limits=LIMITS)
    with pytest.raises(InvalidData) as refused:
        change_role(session, viewer=admin, account_id=created.id, role="provider")
    assert [p.where for p in refused.value.problems] == ["org"]
    with pytest.raises(InvalidData) as refused:
        change_role(session, viewer=admin, account_id=created.id, role="expert", state_iso3="TCD")
    assert [p.where for p in refused.value.problems] == ["role"]
    assert count_sessions(session, created.id) == 1  # a refused change changes nothing
    change_role(
        session, viewer=admin, account_id=created.id, role="provider", organisation_code="iaea"
    )
    assert (
        created.role,
        created.state_id,
        created.organisation.code if created.organisation else "",
    ) == (
        Role.provider,
        None,
        "iaea",
    )
    assert count_sessions(session, created.id) == 0  # what it may see changed
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "account.change_role")
    ).one()
    assert (event.actor, event.entity_id) == ("a@example.org", "new@example.org")
    assert event.before is not None
    assert event.after is not None
    assert (event.before["role"], event.after["role"]) == ("state_poc", "provider")
    set_account_active(session, viewer=admin, email="new@example.org", active=False)
    assert session.scalars(select(WebSession).where(WebSession.user_id == created.id)).all() == []
    set_account_active(session, viewer=admin, email="new@example.org", active=True)
    assert [
        e.action
        for e in session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_id == "new@example.org")
            .order_by(AuditEvent.id)
        )
    ] == ["account.create", "account.change_role", "account.disable", "account.enable"]


def test_a_new_account_is_invited_in_its_language(
    empty_session: Session, inbox: tuple[Inbox, int]
) -> None:
    session = empty_session
    received, port = inbox
    admin = make_user(session, role="admin", email="a@example.org")
    invite = Invitation(BASE, 90)
    # Without an e-mail server, the account could never get a password: nothing is written.
    with pytest.raises(Conflict):
        create_account(session, viewer=admin, email="n@example.org", role="expert", invite=invite)
    assert (
        session.scalars(select(UserAccount).where(UserAccount.email == "n@example.org")).all() == []
    )
    _with_email(session, port)
    created = create_account(
        session, viewer=admin, email="n@example.org", role="expert", language="ar", invite=invite
    )
    wait_for_reset_emails()
    (message,) = received.messages
    arabic = translator("ar")
    assert _subject(message) == f"[un1540] {arabic(SUBJECT_NEW)}"
    assert arabic(SUBJECT_NEW) != SUBJECT_NEW
    assert message["Content-Language"] == "ar"
    assert "n@example.org" in _text(message)
    assert " 90 " in _text(message)
    # Nobody knows its first password: it is set with the link.
    assert credentials.PASSWORDS.verify(PASSWORD, created.password_hash) is False
    complete_password_reset(
        session, plain=_link(message), new_password=NEW_PASSWORD, repeat_password=NEW_PASSWORD
    )
    assert authenticate(session, email="n@example.org", password=NEW_PASSWORD) is not None
    # The account's own "forgot" e-mail follows its language when it changes it.
    set_language(session, user=created, language="zh", actor=created.email)
    with pytest.raises(InvalidData) as refused:
        set_language(session, user=created, language="de", actor=created.email)
    assert [p.where for p in refused.value.problems] == ["language"]
    send_reset_link(session, viewer=admin, account_id=created.id, link_base=BASE, minutes=60)
    wait_for_reset_emails()
    chinese = translator("zh")
    assert _subject(received.messages[1]) == f"[un1540] {chinese(SUBJECT)}"
    assert chinese(BODY) % {"email": "n@example.org", "minutes": "60"} in _text(
        received.messages[1]
    )


def test_notification_emails_are_written_in_each_recipients_language(
    empty_session: Session, inbox: tuple[Inbox, int]
) -> None:
    session = empty_session
    received, port = inbox
    expert = make_user(session, role="expert")
    make_user(session, role="state_poc", iso3="TCD", email="en@example.org")
    french = make_user(session, role="state_poc", iso3="TCD", email="fr@example.org")
    russian = make_user(session, role="state_poc", iso3="TCD", email="ru@example.org")
    set_language(session, user=_user(session, "fr@example.org"), language="fr", actor=french.actor)
    set_language(session, user=_user(session, "ru@example.org"), language="ru", actor=russian.actor)
    draft = open_draft(session, viewer=expert, iso3="TCD", reason="annual review")
    share_edition(session, viewer=expert, iso3="TCD", number=draft.number)
    send_pending_emails(session, SmtpSettings(host="127.0.0.1", port=port, sender="un1540@test"))
    subjects = {
        address: _subject(received.to(address)[0])
        for address in ("en@example.org", "fr@example.org", "ru@example.org")
    }
    shared = "Edition %(number)s of the matrix of %(state)s is shared with you for review"
    assert "shared with you for review" in subjects["en@example.org"]
    for language in ("fr", "ru"):
        words = translator(language)(shared)
        assert words != shared
        start = words.split("%(")[0].strip()
        assert start
        assert start in subjects[f"{language}@example.org"], subjects
        assert received.to(f"{language}@example.org")[0]["Content-Language"] == language
