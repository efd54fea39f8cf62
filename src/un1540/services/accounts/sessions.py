"""Portal sessions kept on the server (docs/security.md).

The browser's cookie holds only a random session id (256 bits); the table keeps its SHA-256, the
account, the CSRF token and the messages for the next page. Ending a session is deleting its
row, so logging out, changing or resetting a password, disabling an account and an
administrator's "sign out everywhere" take effect at once, for every copy of the cookie.

A session ends after `idle` without a request (counted from `last_seen_at`, which is written at
most once a minute so that browsing does not write on every page) and, whatever happens, at
`expires_at`, fixed at sign-in. Expired rows are deleted at each sign-in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.orm import Session

from un1540.errors import Forbidden, Unauthenticated
from un1540.models import UserAccount, WebSession
from un1540.models.base import utc_now
from un1540.reference.languages import N_
from un1540.services.accounts.reads import find_user, viewer_for
from un1540.services.accounts.rules import refuse_managing_accounts
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.unit_of_work import action

TOUCH_RESOLUTION = timedelta(minutes=1)  # last_seen_at is written at most this often
MAX_FLASHES = 10  # messages kept for the next page; older ones are dropped


@dataclass(frozen=True)
class SessionLimits:
    """How long a session lives without a request, and at most."""

    idle: timedelta
    absolute: timedelta


@dataclass
class OpenSession:
    """A session found for a request: what the web layer needs of it."""

    id: int
    user_id: int
    csrf_token: str
    viewer: Viewer
    flashes: list[list[str]] = field(default_factory=list)


def session_hash(plain: str) -> str:
    # The id is 256 random bits: a fast hash is enough (nothing to brute-force).
    return hashlib.sha256(plain.encode()).hexdigest()


def _expired(limits: SessionLimits, now: datetime) -> ColumnElement[bool]:
    return or_(WebSession.expires_at <= now, WebSession.last_seen_at <= now - limits.idle)


def _open(row: WebSession, user: UserAccount) -> OpenSession:
    return OpenSession(
        id=row.id,
        user_id=user.id,
        csrf_token=row.csrf_token,
        viewer=viewer_for(user),
        flashes=[list(item) for item in row.flashes or []],
    )


@action
def start_session(
    session: Session,
    *,
    user: UserAccount,
    limits: SessionLimits,
    address: str = "",
    replacing: str | None = None,
) -> tuple[OpenSession, str]:
    """A new session for the account (a new id at every sign-in: no fixation); returns it and
    the plain id for the cookie, which is not stored. Ends the session being replaced, and
    deletes every expired one."""
    now = utc_now()
    session.execute(delete(WebSession).where(_expired(limits, now)))
    if replacing:
        session.execute(delete(WebSession).where(WebSession.token_hash == session_hash(replacing)))
    plain = secrets.token_urlsafe(32)
    row = WebSession(
        token_hash=session_hash(plain),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        flashes=[],
        created_at=now,
        last_seen_at=now,
        expires_at=now + limits.absolute,
        address=address[:64],
    )
    session.add(row)
    session.flush()
    return _open(row, user), plain


@action
def resume_session(session: Session, plain: str, *, limits: SessionLimits) -> OpenSession | None:
    """The session with this id if it is still valid (one indexed query), else None.

    A session whose account is disabled or whose time is up is deleted on the way."""
    found = session.execute(
        select(WebSession, UserAccount)
        .join(UserAccount, UserAccount.id == WebSession.user_id)
        .where(WebSession.token_hash == session_hash(plain))
    ).first()
    if found is None:
        return None
    row, user = found
    now = utc_now()
    if not user.is_active or row.expires_at <= now or row.last_seen_at <= now - limits.idle:
        session.delete(row)
        return None
    if now - row.last_seen_at >= TOUCH_RESOLUTION:
        row.last_seen_at = now
    return _open(row, user)


@action
def end_session(session: Session, plain: str) -> None:
    """Sign out: the session's row is deleted, so the cookie no longer works anywhere."""
    session.execute(delete(WebSession).where(WebSession.token_hash == session_hash(plain)))


def end_sessions_of(session: Session, user: UserAccount) -> int:
    """Delete every session of the account (inside the caller's action); returns how many."""
    result = session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    return int(getattr(result, "rowcount", 0) or 0)


@action
def sign_out_everywhere(session: Session, *, viewer: Viewer, email: str) -> int:
    """End every portal session of the account: its owner or an administrator may.

    API tokens are not sessions and stay valid (revoke them with `users revoke`)."""
    if viewer.user_id is None:
        raise Unauthenticated(N_("sign in or send an API token to end sessions"))
    # Refused before the account is looked up: a refusal says nothing of who has an account.
    # Another account's sessions: the rule of every account management (accounts/rules.py).
    if viewer.actor != email.strip().lower():
        refusal = refuse_managing_accounts(viewer)
        if refusal is not None:
            raise refusal
    if not viewer.can_write:
        raise Forbidden(N_("a read-only (read) token may not end sessions"))
    user = find_user(session, email)
    ended = end_sessions_of(session, user)
    record_event(
        session,
        actor=viewer.actor,
        action="account.sign_out_everywhere",
        entity_type="user_account",
        entity_id=user.email,
        after={"sessions_ended": ended},
    )
    return ended


@action
def add_flash(session: Session, *, session_id: int, kind: str, message: str) -> list[list[str]]:
    """Keep a message for the session's next page; returns the messages now waiting."""
    row = session.get(WebSession, session_id)
    if row is None:
        return []
    row.flashes = [*(row.flashes or []), [kind, message]][-MAX_FLASHES:]
    return [list(item) for item in row.flashes]


@action
def take_flashes(session: Session, *, session_id: int) -> list[list[str]]:
    """The messages waiting for this page, removed from the session."""
    row = session.get(WebSession, session_id)
    if row is None or not row.flashes:
        return []
    messages = [list(item) for item in row.flashes]
    row.flashes = []
    return messages


def count_sessions(session: Session, user_id: int) -> int:
    """How many sessions the account has open (expired ones included until purged)."""
    return len(session.scalars(select(WebSession.id).where(WebSession.user_id == user_id)).all())
