"""Accounts -> wire shapes."""

from __future__ import annotations

from un1540.models import ApiToken, UserAccount
from un1540.schemas.accounts import AccountRead, ManagedAccount, TokenRead


def account_read(user: UserAccount, *, token_scope: str | None) -> AccountRead:
    return AccountRead(
        email=user.email,
        display_name=user.display_name,
        role=user.role.value,
        state=user.state.iso3 if user.state else None,
        organisation=user.organisation.code if user.organisation else None,
        token_scope=token_scope,
    )


def managed_account_read(user: UserAccount) -> ManagedAccount:
    """An account for its administrators: never its password hash, tokens or sessions."""
    return ManagedAccount(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=user.role.value,
        state=user.state.iso3 if user.state else None,
        organisation=user.organisation.code if user.organisation else None,
        active=user.is_active,
        language=user.language,
        created_at=user.created_at,
        last_login_at=user.last_login_at,
    )


def token_read(token: ApiToken) -> TokenRead:
    """A token for its owner: its prefix, never its secret nor its hash."""
    return TokenRead(
        id=token.id,
        label=token.label,
        prefix=token.prefix,
        scope=token.scope.value,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
    )
