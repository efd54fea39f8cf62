"""Accounts: finding them, and the viewer a signed-in account or an API token stands for."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import NotFound, Unauthenticated, text
from un1540.models import ApiToken, TokenScope, UserAccount
from un1540.reference.languages import N_
from un1540.services.accounts.credentials import token_hash
from un1540.services.kernel.access import Viewer, account_viewer


def find_user(session: Session, email: str) -> UserAccount:
    user = session.scalars(
        select(UserAccount).where(UserAccount.email == email.strip().lower())
    ).one_or_none()
    if user is None:
        raise NotFound(
            text(
                N_("no account for %(email)s"),
                email=email,
            )
        )
    return user


def list_users(session: Session) -> list[UserAccount]:
    return list(session.scalars(select(UserAccount).order_by(UserAccount.role, UserAccount.email)))


def viewer_for(user: UserAccount, *, can_write: bool = True) -> Viewer:
    return account_viewer(user, can_write=can_write)


def active_token(session: Session, plain: str) -> ApiToken | None:
    """The token with this value if it may be used: known, not revoked, its account active."""
    token = session.scalars(
        select(ApiToken).where(ApiToken.token_hash == token_hash(plain))
    ).one_or_none()
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    return token


def token_viewer(token: ApiToken) -> Viewer:
    """What a token may do: what its account may, and write only with a write-scoped token."""
    return viewer_for(token.user, can_write=token.scope is TokenScope.write)


def account_of(session: Session, viewer: Viewer) -> UserAccount:
    """The signed-in viewer's own account."""
    user = session.get(UserAccount, viewer.user_id) if viewer.user_id is not None else None
    if user is None:
        raise Unauthenticated(N_("sign in or send an API token"))
    return user


def tokens_of(session: Session, user: UserAccount) -> list[ApiToken]:
    """The account's API tokens, newest first (revoked ones too, marked as such)."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )
