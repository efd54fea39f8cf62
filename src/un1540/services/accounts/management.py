"""Administrators manage accounts: create one, change its role, disable or enable it, sign it
out everywhere, send it a password reset link. The portal's accounts pages and the command line
(`un1540 users ...`, whose operator is an administrator) take these same actions.

Each is one action: the rule (services/accounts/rules.py), every check with the field it names,
the write, its audit event; or nothing at all. None may leave the system without an active
administrator: the last one can be neither disabled nor given another role.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import Session, joinedload

from un1540.errors import Conflict, InvalidData, NotFound, Problem, text
from un1540.models import Organisation, Role, State, UserAccount
from un1540.reference.languages import N_
from un1540.services.accounts.actions import (
    account_audit,
    create_user,
    role_binding,
    set_active,
)
from un1540.services.accounts.resets import email_configured, send_reset_link
from un1540.services.accounts.rules import refuse_managing_accounts
from un1540.services.accounts.sessions import end_sessions_of, sign_out_everywhere
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.paging import PageRequest
from un1540.services.kernel.unit_of_work import action


def _check(viewer: Viewer) -> None:
    refusal = refuse_managing_accounts(viewer)
    if refusal is not None:
        raise refusal


def account_by_id(session: Session, viewer: Viewer, account_id: int) -> UserAccount:
    """One account, for an administrator (others are refused before it is looked up)."""
    _check(viewer)
    user = session.get(UserAccount, account_id)
    if user is None:
        raise NotFound(text(N_("no account %(account_id)s"), account_id=account_id))
    return user


@dataclass(frozen=True)
class AccountFilters:
    """The API's filters of the accounts list: a role, a State (ISO3), an organisation (code),
    active or not. An unknown State or organisation matches no account."""

    role: str | None = None
    state: str | None = None
    organisation: str | None = None
    active: bool | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.role is not None:
            roles = [role for role in Role if role.value == self.role]
            found.append(UserAccount.role.in_(roles) if roles else false())
        if self.state is not None:
            found.append(
                UserAccount.state_id.in_(
                    select(State.id).where(State.iso3 == self.state.strip().upper())
                )
            )
        if self.organisation is not None:
            found.append(
                UserAccount.organisation_id.in_(
                    select(Organisation.id).where(Organisation.code == self.organisation.strip())
                )
            )
        if self.active is not None:
            found.append(UserAccount.is_active.is_(self.active))
        return found


@dataclass(frozen=True)
class AccountsPage:
    accounts: list[UserAccount]
    total: int


def list_accounts(
    session: Session,
    *,
    viewer: Viewer,
    query: str = "",
    paging: PageRequest,
    filters: AccountFilters | None = None,
) -> AccountsPage:
    """The accounts whose e-mail or name contains `query` (and that match `filters`), by
    e-mail, one page of them."""
    _check(viewer)
    conditions: list[ColumnElement[bool]] = []
    words = query.strip().lower()
    if words:
        pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(
            or_(
                UserAccount.email.like(pattern, escape="\\"),
                func.lower(UserAccount.display_name).like(pattern, escape="\\"),
            )
        )
    if filters is not None:
        conditions += filters.conditions()
    condition = and_(*conditions) if conditions else None
    counted = select(func.count()).select_from(UserAccount)
    listed = (
        select(UserAccount)
        .options(joinedload(UserAccount.state), joinedload(UserAccount.organisation))
        .order_by(UserAccount.email)
        .offset(paging.offset)
        .limit(paging.page_size)
    )
    if condition is not None:
        counted, listed = counted.where(condition), listed.where(condition)
    return AccountsPage(list(session.scalars(listed)), int(session.scalar(counted) or 0))


def _active_administrators(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(UserAccount)
            .where(UserAccount.role == Role.admin, UserAccount.is_active.is_(True))
        )
        or 0
    )


def _keep_an_administrator(session: Session, user: UserAccount, field: str) -> None:
    """Refuse to disable or demote the last active administrator."""
    if user.role is Role.admin and user.is_active and _active_administrators(session) <= 1:
        raise Conflict(
            text(
                N_(
                    "%(email)s is the last active administrator: make another account an "
                    "administrator first"
                ),
                email=user.email,
            ),
            problems=[Problem(field, N_("would leave no active administrator"))],
        )


@dataclass(frozen=True)
class Invitation:
    """Where the link to choose a password leads, and how long it works."""

    link_base: str
    minutes: int


@action
def create_account(
    session: Session,
    *,
    viewer: Viewer,
    email: str,
    role: str,
    state_iso3: str | None = None,
    organisation_code: str | None = None,
    display_name: str = "",
    language: str = "en",
    password: str | None = None,
    invite: Invitation | None = None,
) -> UserAccount:
    """An administrator creates an account. Without a password (the portal), it gets a random
    one nobody knows: its owner sets their own with the link `invite` e-mails them (in the same
    transaction: no account is created if the link cannot be sent)."""
    _check(viewer)
    if password is None and invite is not None and not email_configured(session):
        raise Conflict(
            N_(
                "no e-mail server is configured (UN1540_SMTP_HOST) to send the new account its "
                "link: nothing was written; create it with `un1540 users create` instead"
            )
        )
    user = create_user(
        session,
        email=email,
        password=password if password is not None else secrets.token_urlsafe(32),
        role=role,
        actor=viewer.actor,
        state_iso3=state_iso3,
        organisation_code=organisation_code,
        display_name=display_name,
        language=language,
    )
    if invite is not None:
        send_reset_link(
            session,
            viewer=viewer,
            account_id=user.id,
            link_base=invite.link_base,
            minutes=invite.minutes,
            new_account=True,
        )
    return user


@action
def change_role(
    session: Session,
    *,
    viewer: Viewer,
    account_id: int,
    role: str,
    state_iso3: str | None = None,
    organisation_code: str | None = None,
) -> UserAccount:
    """Give the account another role, with the State or organisation that role needs. Its
    sessions end (what it may see changed); its API tokens act with the new role."""
    user = account_by_id(session, viewer, account_id)
    binding, problems = role_binding(
        session, role=role, state_iso3=state_iso3, organisation_code=organisation_code
    )
    if problems:
        raise InvalidData(N_("the role was not changed"), problems=problems)
    if binding.role is not Role.admin:
        _keep_an_administrator(session, user, "role")
    before = account_audit(user)
    user.role = binding.role
    user.state_id = binding.state_id
    user.organisation_id = binding.organisation_id
    session.flush()
    session.refresh(user, ["state", "organisation"])
    after = account_audit(user)
    if after != before:
        end_sessions_of(session, user)
        record_event(
            session,
            actor=viewer.actor,
            action="account.change_role",
            entity_type="user_account",
            entity_id=user.email,
            before=before,
            after=after,
        )
    return user


@action
def set_account_active(
    session: Session, *, viewer: Viewer, email: str, active: bool
) -> UserAccount:
    """Disable an account (it can no longer sign in; its sessions end, its tokens are revoked)
    or enable it again. The last active administrator cannot be disabled."""
    _check(viewer)
    user = session.scalars(
        select(UserAccount).where(UserAccount.email == email.strip().lower())
    ).one_or_none()
    if user is None:
        raise NotFound(text(N_("no account for %(email)s"), email=email))
    if not active:
        _keep_an_administrator(session, user, "active")
    return set_active(session, email=user.email, active=active, actor=viewer.actor)


@action
def update_account(
    session: Session,
    *,
    viewer: Viewer,
    account_id: int,
    role: str | None = None,
    state_iso3: str | None = None,
    organisation_code: str | None = None,
    active: bool | None = None,
) -> UserAccount:
    """The API's PATCH: a new role (with its State or organisation; without a role, the
    account's own with the State or organisation given) and/or active or not, in one
    transaction. The last active administrator can be neither demoted nor disabled (409)."""
    user = account_by_id(session, viewer, account_id)
    if role is not None or state_iso3 is not None or organisation_code is not None:
        change_role(
            session,
            viewer=viewer,
            account_id=user.id,
            role=role if role is not None else user.role.value,
            state_iso3=state_iso3,
            organisation_code=organisation_code,
        )
    if active is not None and active != user.is_active:
        set_account_active(session, viewer=viewer, email=user.email, active=active)
    return user


def sign_out_account(
    session: Session, *, viewer: Viewer, account_id: int
) -> tuple[UserAccount, int]:
    """End every portal session of the account with this number (an administrator)."""
    user = account_by_id(session, viewer, account_id)
    return user, sign_out_everywhere(session, viewer=viewer, email=user.email)


@dataclass(frozen=True)
class Choice:
    code: str
    name: str


@dataclass(frozen=True)
class AccountChoices:
    """What the accounts form offers: the roles, every State and every organisation."""

    roles: list[str]
    states: list[Choice]
    organisations: list[Choice]


def account_choices(session: Session, *, viewer: Viewer) -> AccountChoices:
    _check(viewer)
    states = [
        Choice(iso3, name)
        for iso3, name in session.execute(select(State.iso3, State.short_name).order_by(State.iso3))
    ]
    organisations = [
        Choice(code, name)
        for code, name in session.execute(
            select(Organisation.code, Organisation.name).order_by(Organisation.name)
        )
    ]
    return AccountChoices(
        roles=[role.value for role in Role if role is not Role.public],
        states=states,
        organisations=organisations,
    )
