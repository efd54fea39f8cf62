"""Accounts: creating them, signing in, passwords and API tokens (the writes).

Each write is one action (services/kernel/unit_of_work.py): it validates, writes its audit
event and commits, or changes nothing.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import (
    Conflict,
    Forbidden,
    InvalidData,
    NotFound,
    Problem,
    Unauthenticated,
    text,
)
from un1540.models import ApiToken, Organisation, Role, State, TokenScope, UserAccount
from un1540.models.base import utc_now
from un1540.reference.languages import N_, UN_LANGUAGES
from un1540.schemas.text import DISPLAY_NAME, TOKEN_LABEL
from un1540.services.accounts import credentials
from un1540.services.accounts.credentials import TOKEN_PREFIX, password_problems, token_hash
from un1540.services.accounts.reads import active_token, find_user, token_viewer, tokens_of
from un1540.services.accounts.sessions import end_sessions_of
from un1540.services.accounts.throttle import attempt_succeeded, reserve_attempt
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.unit_of_work import action

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TOKEN_USE_RESOLUTION = timedelta(minutes=10)  # last_used_at is bookkeeping: write it rarely


def account_audit(user: UserAccount) -> dict[str, object]:
    return {
        "email": user.email,
        "role": user.role.value,
        "state_id": user.state_id,
        "organisation_id": user.organisation_id,
        "active": user.is_active,
        "language": user.language,
    }


_account_audit = account_audit


@dataclass(frozen=True)
class Binding:
    """The State or organisation a role speaks for (none for the Committee side)."""

    role: Role
    state_id: int | None
    organisation_id: int | None


def role_binding(
    session: Session,
    *,
    role: str,
    state_iso3: str | None,
    organisation_code: str | None,
) -> tuple[Binding, list[Problem]]:
    """A role with the State or organisation it needs, checked: every problem, named by field
    ("role", "state", "org"), or none and the binding to write."""
    problems: list[Problem] = []
    state_iso3 = (state_iso3 or "").strip().upper() or None
    organisation_code = (organisation_code or "").strip() or None
    roles = [r.value for r in Role if r is not Role.public]
    if role not in roles:
        problems.append(
            Problem("role", text(N_("must be one of %(roles)s"), roles=", ".join(roles)))
        )
    state = (
        session.scalars(select(State).where(State.iso3 == state_iso3)).one_or_none()
        if state_iso3
        else None
    )
    organisation = (
        session.scalars(
            select(Organisation).where(Organisation.code == organisation_code)
        ).one_or_none()
        if organisation_code
        else None
    )
    if state_iso3 and state is None:
        problems.append(
            Problem(
                "state",
                text(
                    N_("no State with code %(state_iso3)s"),
                    state_iso3=repr(state_iso3),
                ),
            )
        )
    if organisation_code and organisation is None:
        problems.append(
            Problem(
                "org",
                text(
                    N_("no organisation with code %(organisation_code)s"),
                    organisation_code=repr(organisation_code),
                ),
            )
        )
    if role == Role.state_poc and not state_iso3:
        problems.append(
            Problem("state", N_("a point of contact speaks for one State: give --state"))
        )
    if role == Role.provider and not (state_iso3 or organisation_code):
        problems.append(
            Problem("org", N_("a provider is an organisation (--org) or a State (--state)"))
        )
    if role in (Role.expert, Role.committee, Role.admin) and (state_iso3 or organisation_code):
        problems.append(
            Problem(
                "role",
                text(
                    N_("a %(role)s account is not bound to a State or organisation"),
                    role=role,
                ),
            )
        )
    if state_iso3 and organisation_code:
        problems.append(Problem("state", N_("give a State or an organisation, not both")))
    binding = Binding(
        role=Role(role) if role in roles else Role.public,
        state_id=state.id if state else None,
        organisation_id=organisation.id if organisation else None,
    )
    return binding, problems


@action
def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    role: str,
    actor: str,
    state_iso3: str | None = None,
    organisation_code: str | None = None,
    display_name: str = "",
    language: str = "en",
) -> UserAccount:
    """Create an account after checking everything; every problem is reported at once."""
    email = email.strip().lower()
    problems: list[Problem] = []
    if not EMAIL.match(email):
        problems.append(Problem("email", N_("is not an e-mail address")))
    problems += password_problems(password, email)
    display_name = DISPLAY_NAME.check(display_name, "name", problems)
    binding, binding_problems = role_binding(
        session, role=role, state_iso3=state_iso3, organisation_code=organisation_code
    )
    problems += binding_problems
    if language not in UN_LANGUAGES:
        problems.append(
            Problem(
                "language",
                text(N_("must be one of %(languages)s"), languages=", ".join(UN_LANGUAGES)),
            )
        )
    if problems:
        raise InvalidData(N_("the account is not valid; nothing was written"), problems=problems)
    if (
        session.scalars(select(UserAccount.id).where(UserAccount.email == email)).first()
        is not None
    ):
        raise Conflict(
            text(
                N_("an account for %(email)s already exists"),
                email=email,
            )
        )
    user = UserAccount(
        email=email,
        display_name=display_name.strip(),
        password_hash=credentials.PASSWORDS.hash(password),
        role=Role(role),
        state_id=binding.state_id,
        organisation_id=binding.organisation_id,
        language=language,
    )
    session.add(user)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="account.create",
        entity_type="user_account",
        entity_id=email,
        after=_account_audit(user),
    )
    return user


@action
def authenticate(
    session: Session, *, email: str, password: str, address: str | None = None
) -> UserAccount | None:
    """The active account with this e-mail and password, or None (never saying which was wrong).

    A failure is an audit event (`account.login_failed`, with the address and why, never the
    password); what was typed as the e-mail is kept only if it looks like one, since people
    sometimes type their password there."""
    typed = email.strip().lower()
    user = session.scalars(select(UserAccount).where(UserAccount.email == typed)).one_or_none()
    if user is None:
        credentials.PASSWORDS.verify(password, credentials.dummy_hash())
        _login_failed(session, typed if EMAIL.match(typed) else "", address, "unknown_account")
        return None
    valid, new_hash = credentials.PASSWORDS.verify_and_update(password, user.password_hash)
    if not valid or not user.is_active:
        _login_failed(session, user.email, address, "wrong_password" if not valid else "disabled")
        return None
    if new_hash is not None:
        user.password_hash = new_hash
    user.last_login_at = utc_now()
    record_event(
        session,
        actor=user.email,
        action="account.login",
        entity_type="user_account",
        entity_id=user.email,
        after={"address": address} if address else None,
    )
    return user


def _login_failed(session: Session, email: str, address: str | None, reason: str) -> None:
    record_event(
        session,
        actor=f"sign-in from {address or 'unknown address'}"[:200],
        action="account.login_failed",
        entity_type="user_account",
        entity_id=(email or "(not an e-mail address)")[:100],
        after={"address": address or "", "reason": reason},
    )


def sign_in_with_password(
    session: Session, *, email: str, password: str, address: str | None
) -> UserAccount | None:
    """A sign-in through the throttle (services/accounts/throttle.py): RateLimited if this
    account or address must wait, None if the e-mail or password is wrong, else the account.

    Three actions, not one: the attempt is counted and committed BEFORE the password is checked,
    so that parallel attempts see each other's counts."""
    attempt = reserve_attempt(session, email=email, address=address)
    user = authenticate(session, email=email, password=password, address=attempt.address)
    if user is not None:
        attempt_succeeded(session, attempt)
    return user


@action
def change_password(session: Session, *, user: UserAccount, current: str, new: str) -> None:
    if not credentials.PASSWORDS.verify(current, user.password_hash):
        raise InvalidData(
            N_("the password was not changed"),
            problems=[Problem("current_password", N_("is not correct"))],
        )
    problems = password_problems(new, user.email)
    if new == current:
        problems.append(Problem("new_password", N_("must differ from the current password")))
    if problems:
        raise InvalidData(
            N_("the password was not changed"),
            problems=[Problem("new_password", p.message) for p in problems],
        )
    user.password_hash = credentials.PASSWORDS.hash(new)
    user.password_changed_at = utc_now()
    # Every portal session of the account ends (the portal signs its own browser in again).
    end_sessions_of(session, user)
    record_event(
        session,
        actor=user.email,
        action="account.change_password",
        entity_type="user_account",
        entity_id=user.email,
    )


@action
def reset_password(session: Session, *, email: str, new: str, actor: str) -> UserAccount:
    """An administrator sets a new password for someone who forgot theirs.

    Like a change, it ends the account's existing sessions; its API tokens are left alone.
    """
    user = find_user(session, email)
    problems = password_problems(new, user.email)
    if problems:
        raise InvalidData(N_("the password was not changed"), problems=problems)
    user.password_hash = credentials.PASSWORDS.hash(new)
    user.password_changed_at = utc_now()
    end_sessions_of(session, user)
    record_event(
        session,
        actor=actor,
        action="account.reset_password",
        entity_type="user_account",
        entity_id=user.email,
    )
    return user


@action
def set_active(session: Session, *, email: str, active: bool, actor: str) -> UserAccount:
    user = find_user(session, email)
    before = _account_audit(user)
    user.is_active = active
    if not active:
        end_sessions_of(session, user)
        for token in session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        ):
            token.revoked_at = utc_now()
    record_event(
        session,
        actor=actor,
        action="account.enable" if active else "account.disable",
        entity_type="user_account",
        entity_id=user.email,
        before=before,
        after=_account_audit(user),
    )
    return user


@action
def issue_token(
    session: Session, *, email: str, scope: str, actor: str, label: str = ""
) -> tuple[ApiToken, str]:
    """A new token for the account; the plain token is returned once and never stored."""
    if scope not in [s.value for s in TokenScope]:
        raise InvalidData(
            N_("the token was not issued"), problems=[Problem("scope", N_("must be read or write"))]
        )
    label = TOKEN_LABEL.require(label, "label", message=N_("the token was not issued"))
    user = find_user(session, email)
    if not user.is_active:
        raise Conflict(
            text(
                N_("the account %(email)s is disabled"),
                email=user.email,
            )
        )
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        label=label,
        prefix=plain[:12],
        token_hash=token_hash(plain),
        scope=TokenScope(scope),
    )
    session.add(token)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="token.issue",
        entity_type="api_token",
        entity_id=token.prefix,
        after={"email": user.email, "scope": scope, "label": label},
    )
    return token, plain


def _revoke(session: Session, token: ApiToken, actor: str) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = utc_now()
        record_event(
            session,
            actor=actor,
            action="token.revoke",
            entity_type="api_token",
            entity_id=token.prefix,
        )
    return token


@action
def revoke_token(session: Session, *, prefix: str, actor: str) -> ApiToken:
    token = session.scalars(select(ApiToken).where(ApiToken.prefix == prefix)).one_or_none()
    if token is None:
        raise NotFound(
            text(
                N_("no token starting %(prefix)s"),
                prefix=repr(prefix),
            )
        )
    return _revoke(session, token, actor)


@action
def revoke_own_token(session: Session, *, user: UserAccount, token_id: int, actor: str) -> ApiToken:
    """A user revokes one of their own tokens (another account's token is not found)."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(
            text(
                N_("you have no token %(token_id)s"),
                token_id=token_id,
            )
        )
    return _revoke(session, token, actor)


def _own_account(session: Session, viewer: Viewer, *, writing: bool) -> UserAccount:
    """The signed-in viewer's account (401 for the public); a write needs a write scope."""
    user = session.get(UserAccount, viewer.user_id) if viewer.user_id is not None else None
    if user is None:
        raise Unauthenticated(N_("sign in or send an API token"))
    if writing and not viewer.can_write:
        raise Forbidden(N_("a read-only (read) token may not issue or revoke tokens"))
    return user


def own_tokens(session: Session, *, viewer: Viewer) -> list[ApiToken]:
    """The signed-in account's API tokens, newest first (revoked ones too)."""
    return tokens_of(session, _own_account(session, viewer, writing=False))


@action
def issue_own_token(
    session: Session, *, viewer: Viewer, label: str, scope: str
) -> tuple[ApiToken, str]:
    """A new token for the signed-in account: its secret is returned this once."""
    user = _own_account(session, viewer, writing=True)
    return issue_token(session, email=user.email, scope=scope, actor=viewer.actor, label=label)


@action
def revoke_token_of_viewer(session: Session, *, viewer: Viewer, token_id: int) -> ApiToken:
    """The signed-in account revokes one of its tokens (another's is not found: 404)."""
    user = _own_account(session, viewer, writing=True)
    return revoke_own_token(session, user=user, token_id=token_id, actor=viewer.actor)


@action
def sign_in_with_token(session: Session, plain: str) -> Viewer | None:
    """The viewer a token stands for, or None if it is unknown, revoked or its account disabled.

    Notes when the token was last used (bookkeeping, not audited, and written at most every
    TOKEN_USE_RESOLUTION so that a busy client does not write on every request).
    """
    token = active_token(session, plain)
    if token is None:
        return None
    now = utc_now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_USE_RESOLUTION:
        token.last_used_at = now
    return token_viewer(token)


@action
def set_language(session: Session, *, user: UserAccount, language: str, actor: str) -> UserAccount:
    """The language the account's e-mails are written in (one of the six)."""
    if language not in UN_LANGUAGES:
        raise InvalidData(
            N_("the language was not changed"),
            problems=[
                Problem(
                    "language",
                    text(N_("must be one of %(languages)s"), languages=", ".join(UN_LANGUAGES)),
                )
            ],
        )
    if user.language != language:
        before = user.language
        user.language = language
        record_event(
            session,
            actor=actor,
            action="account.set_language",
            entity_type="user_account",
            entity_id=user.email,
            before={"language": before},
            after={"language": language},
        )
    return user
