"""Accounts -> wire shapes."""

from __future__ import annotations

from un1540.models import UserAccount
from un1540.schemas.accounts import AccountRead


def account_read(user: UserAccount, *, token_scope: str | None) -> AccountRead:
    return AccountRead(
        email=user.email,
        display_name=user.display_name,
        role=user.role.value,
        state=user.state.iso3 if user.state else None,
        organisation=user.organisation.code if user.organisation else None,
        token_scope=token_scope,
    )
