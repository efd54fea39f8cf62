"""Password reset by e-mail link ("Forgot your password?", or an administrator's "send a
reset link").

- A link holds a random token (256 bits); only its SHA-256 is stored, with when it expires
  (UN1540_PASSWORD_RESET_MINUTES after it was asked for) and when it was used. It is used
  once: setting the password marks it used (one conditional UPDATE, so two tabs racing with
  the same link cannot both succeed), and marks every other open link of the account used too.
- Asking for a link answers the same whether the e-mail has an account or not, and the e-mail
  is sent from a thread after the commit, so the answer does not wait on the mail server
  either (no account enumeration by the reply or by its time). Asking is rate-limited with the
  sign-in throttle's counters (kernel/rate_limit.py): per address and per typed e-mail.
- Setting the password checks the policy of every password (credentials.password_problems),
  ends every session of the account, and is an audit event.
- The e-mail is written in the account's language (its preference on /account).
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from un1540.errors import Conflict, InvalidData, NotFound, Problem, text
from un1540.models import PasswordResetToken, UserAccount
from un1540.models.base import utc_now
from un1540.reference.languages import N_
from un1540.reference.translations import translator
from un1540.services.accounts import credentials
from un1540.services.accounts.actions import EMAIL
from un1540.services.accounts.credentials import password_problems, token_hash
from un1540.services.accounts.rules import refuse_managing_accounts
from un1540.services.accounts.sessions import end_sessions_of
from un1540.services.accounts.throttle import DAY, account_key, address_key
from un1540.services.kernel import rate_limit
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.rate_limit import Limit
from un1540.services.kernel.unit_of_work import action, after_commit
from un1540.services.notifications.email import SMTP_KEY, SmtpSettings

LOGGER = logging.getLogger("un1540.mail")
RESET_PATH = "/password/reset/"
# Per address: a few requests an hour, then a growing wait; per typed e-mail: fewer (nobody
# needs more than a few links an hour, and an account's owner is not flooded with e-mails).
ADDRESS = Limit("password-reset:address", free=10, window=3600, base_delay=60, max_delay=3600)
ACCOUNT = Limit("password-reset:account", free=3, window=3600, base_delay=300, max_delay=3600)

SUBJECT = N_("Set a new password for your un1540 account")
SUBJECT_NEW = N_("Your un1540 account")
BODY = N_(
    "Someone (we hope you) asked to set a new password for the un1540 account %(email)s. "
    "Open this link within %(minutes)s minutes to choose a new password; it works only once:"
)
BODY_NEW = N_(
    "An administrator created a un1540 account for %(email)s. Open this link within "
    "%(minutes)s minutes to choose your password; it works only once (an administrator can "
    "send you another):"
)
IGNORE = N_("If you did not ask for this, ignore this e-mail: your password stays as it is.")


class LinkState(StrEnum):
    valid = "valid"
    used = "used"
    expired = "expired"
    unknown = "unknown"


@dataclass(frozen=True)
class ResetMail:
    """What the e-mail says: kept in memory only (the token is never stored)."""

    to: str
    language: str
    link: str
    minutes: int
    new_account: bool = False


_SENDING: list[threading.Thread] = []


def wait_for_reset_emails(timeout: float = 10.0) -> None:
    """Wait until the reset e-mails being sent are handed to the server (tests, shutdown)."""
    while _SENDING:
        _SENDING.pop(0).join(timeout)


def reset_message(mail: ResetMail, sender: str) -> EmailMessage:
    """The e-mail, in its recipient's language."""
    translate = translator(mail.language)
    values = {"email": mail.to, "minutes": str(mail.minutes)}
    body = translate(BODY_NEW if mail.new_account else BODY) % values
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = f"[un1540] {translate(SUBJECT_NEW if mail.new_account else SUBJECT)}"
    message.set_content(f"{body}\n\n{mail.link}\n\n{translate(IGNORE)}\n")
    message["Content-Language"] = mail.language  # after set_content, which clears Content-*
    return message


def _send(smtp: SmtpSettings, message: EmailMessage) -> None:
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=10) as server:
            if smtp.starttls:
                server.starttls()
            if smtp.username:
                server.login(smtp.username, smtp.password)
            server.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        LOGGER.warning("password reset e-mail to %s not sent (%s)", message["To"], error)


def _send_after_commit(mail: ResetMail) -> Callable[[Session], None]:
    def effect(session: Session) -> None:
        smtp: SmtpSettings | None = session.info.get(SMTP_KEY)
        if smtp is None:
            LOGGER.warning("no SMTP server (UN1540_SMTP_HOST): no reset e-mail to %s", mail.to)
            return
        thread = threading.Thread(
            target=_send, args=(smtp, reset_message(mail, smtp.sender)), name="reset-email"
        )
        _SENDING[:] = [running for running in _SENDING if running.is_alive()]  # forget sent
        _SENDING.append(thread)
        thread.start()

    return effect


def email_configured(session: Session) -> bool:
    return session.info.get(SMTP_KEY) is not None


def _issue(
    session: Session,
    user: UserAccount,
    *,
    link_base: str,
    minutes: int,
    actor: str,
    new_account: bool = False,
) -> PasswordResetToken:
    plain = secrets.token_urlsafe(32)
    now = utc_now()
    token = PasswordResetToken(
        user_id=user.id,
        token_hash=token_hash(plain),
        created_at=now,
        expires_at=now + timedelta(minutes=minutes),
        requested_by=actor[:254],
    )
    session.add(token)
    session.flush()
    record_event(
        session,
        actor=actor[:200],
        action="account.password_reset_link",
        entity_type="user_account",
        entity_id=user.email,
        after={"expires_at": token.expires_at.isoformat(), "token_id": token.id},
    )
    link = link_base.rstrip("/") + RESET_PATH + plain
    after_commit(
        session,
        _send_after_commit(
            ResetMail(user.email, user.language, link, minutes, new_account=new_account)
        ),
    )
    return token


@action
def request_password_reset(
    session: Session, *, email: str, address: str | None, link_base: str, minutes: int
) -> None:
    """ "Forgot your password?": counts the request (RateLimited when it must wait, the same for
    every e-mail typed), then, only if the e-mail is an active account's, writes a link and
    e-mails it. Returns nothing: the caller answers the same in every case."""
    typed = account_key(email)
    if not EMAIL.match(typed):  # what any visitor can tell: checked before anything is counted
        raise InvalidData(
            N_("no link was sent"), problems=[Problem("email", N_("is not an e-mail address"))]
        )
    moment = rate_limit.now()
    rate_limit.hit(session, ADDRESS, address_key(address), at=moment)
    rate_limit.hit(session, ACCOUNT, typed, at=moment)
    rate_limit.forget_stale(session, prefix="password-reset:", older_than=DAY, at=moment)
    user = session.scalars(select(UserAccount).where(UserAccount.email == typed)).one_or_none()
    if user is None or not user.is_active:
        return
    _issue(
        session,
        user,
        link_base=link_base,
        minutes=minutes,
        actor=f"password reset from {address_key(address)}",
    )


@action
def send_reset_link(
    session: Session,
    *,
    viewer: Viewer,
    account_id: int,
    link_base: str,
    minutes: int,
    new_account: bool = False,
) -> UserAccount:
    """An administrator sends an account a reset link (or, just created, its first one)."""
    refusal = refuse_managing_accounts(viewer)
    if refusal is not None:
        raise refusal
    user = session.get(UserAccount, account_id)
    if user is None:
        raise NotFound(text(N_("no account %(account_id)s"), account_id=account_id))
    if not user.is_active:
        raise Conflict(
            text(N_("the account %(email)s is disabled: enable it first"), email=user.email)
        )
    if not email_configured(session):
        raise Conflict(N_("no e-mail server is configured (UN1540_SMTP_HOST): no link was sent"))
    _issue(
        session,
        user,
        link_base=link_base,
        minutes=minutes,
        actor=viewer.actor,
        new_account=new_account,
    )
    return user


def _find(session: Session, plain: str) -> PasswordResetToken | None:
    if not plain or len(plain) > 200:
        return None
    return session.scalars(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash(plain))
    ).one_or_none()


def _state(token: PasswordResetToken | None, now: datetime) -> LinkState:
    if token is None or not token.user.is_active:
        return LinkState.unknown
    if token.used_at is not None:
        return LinkState.used
    if token.expires_at <= now:
        return LinkState.expired
    return LinkState.valid


def reset_link_state(session: Session, plain: str) -> LinkState:
    """Whether the link may still be used (and if not, why), for its page."""
    return _state(_find(session, plain), utc_now())


_REFUSALS = {
    LinkState.unknown: "this password reset link is not valid",
    LinkState.used: "this password reset link has already been used",
    LinkState.expired: "this password reset link has expired",
}


@action
def complete_password_reset(
    session: Session, *, plain: str, new_password: str, repeat_password: str
) -> UserAccount:
    """Set the account's new password with a valid link, once; every session of the account
    ends. Conflict (with the link's state in `details`) for a link that may not be used."""
    token = _find(session, plain)
    now = utc_now()
    state = _state(token, now)
    if token is None or state is not LinkState.valid:
        raise Conflict(_REFUSALS[state], details={"link": state.value})
    user = token.user
    problems = [
        Problem("new_password", problem.message)
        for problem in password_problems(new_password, user.email)
    ]
    if new_password != repeat_password:
        problems.append(Problem("repeat_password", N_("differs from the new password")))
    if problems:
        raise InvalidData(N_("the password was not changed"), problems=problems)
    used = session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.id == token.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    if int(getattr(used, "rowcount", 0) or 0) != 1:
        raise Conflict(_REFUSALS[LinkState.used], details={"link": LinkState.used.value})
    session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    user.password_hash = credentials.PASSWORDS.hash(new_password)
    user.password_changed_at = now
    ended = end_sessions_of(session, user)
    record_event(
        session,
        actor=user.email,
        action="account.password_reset_by_link",
        entity_type="user_account",
        entity_id=user.email,
        after={"token_id": token.id, "sessions_ended": ended},
    )
    return user
