"""Accounts, their roles, and the API tokens they hold."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from un1540.models.base import Base, UTCDateTime, Visibility, enum_column, utc_now
from un1540.models.organisations import Organisation
from un1540.models.states import State


class Role(StrEnum):
    """What an account may do. `public` is the anonymous visitor and never an account."""

    public = "public"
    state_poc = "state_poc"
    provider = "provider"
    expert = "expert"
    committee = "committee"
    admin = "admin"


class TokenScope(StrEnum):
    read = "read"
    write = "write"


class UserAccount(Base):
    """A person who signs in: an expert, a committee member, a State's point of contact, ..."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    # A point of contact speaks for one State; a provider is an organisation or a State.
    state_id: Mapped[int | None] = mapped_column(ForeignKey("state.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The language its e-mails are written in (one of the six: reference/languages.py).
    language: Mapped[str] = mapped_column(String(5), default="en", server_default="en")
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility), default=Visibility.committee
    )

    state: Mapped[State | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()


class ApiToken(Base):
    """A revocable token for machines. Only a hash is stored; the token is shown once."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(200), default="")
    # The first characters, kept in clear so a user can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[TokenScope] = mapped_column(enum_column(TokenScope, length=10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility), default=Visibility.committee
    )

    user: Mapped[UserAccount] = relationship()


class WebSession(Base):
    """A signed-in portal session, kept on the server: the browser's cookie holds only a random
    id, of which we store the SHA-256. Deleting the row ends the session everywhere at once."""

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    # Messages for the next page, [[kind, text], ...], taken when shown.
    flashes: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    # Bumped at most once a minute; the idle limit counts from here.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    # The absolute limit, fixed at sign-in.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    address: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[UserAccount] = relationship()


class PasswordResetToken(Base):
    """A link sent by e-mail to set a new password: used once, before `expires_at`. Only the
    SHA-256 of its random token is stored; the token itself is only in the e-mail."""

    __tablename__ = "password_reset_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who asked: the account's owner ("forgot my password") or an administrator.
    requested_by: Mapped[str] = mapped_column(String(254), default="")

    user: Mapped[UserAccount] = relationship()
