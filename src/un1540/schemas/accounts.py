"""Wire shapes of accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from un1540.schemas.common import Envelope, Page
from un1540.schemas.text import DISPLAY_NAME, EMAIL, TOKEN_LABEL, Code
from un1540.schemas.vocabularies import enum


class AccountRead(BaseModel):
    email: str
    display_name: str
    role: str
    state: str | None
    organisation: str | None
    token_scope: str | None = Field(
        description="read or write for a token; null for a portal session."
    )


class SignOutEverywhere(BaseModel):
    email: str = Field(max_length=254, description="The account whose portal sessions end.")


class SessionsEnded(BaseModel):
    email: str
    sessions_ended: int = Field(description="How many portal sessions were open and are ended.")


# Administrators' accounts (GET/POST /api/v1/accounts, GET/PATCH /api/v1/accounts/{id}): the
# same rules as the portal's accounts pages (services/accounts/management.py).
ROLES = ("state_poc", "provider", "expert", "committee", "admin")


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ManagedAccount(BaseModel):
    """An account as its administrators see it: never its password hash nor its tokens."""

    id: int
    email: str
    display_name: str
    role: str
    state: str | None = Field(description="The State a point of contact speaks for (ISO3).")
    organisation: str | None = Field(description="The organisation a provider is (its code).")
    active: bool = Field(description="False: it cannot sign in; its tokens are revoked.")
    language: str = Field(description="The language of its e-mails.")
    created_at: datetime
    last_login_at: datetime | None


class ManagedAccountList(Page[ManagedAccount]):
    pass


class ManagedAccountDetail(Envelope):
    account: ManagedAccount
    sessions: int = Field(description="Its portal sessions open now.")


class AccountCreate(_Input):
    email: Annotated[str, EMAIL] = Field(min_length=1, description="Its e-mail address.")
    display_name: Annotated[str, DISPLAY_NAME] = ""
    role: Code = Field(
        description="state_poc and provider speak for a State or an organisation; expert, "
        "committee and admin for neither.",
        json_schema_extra={"enum": list(ROLES)},
    )
    state: Code | None = Field(
        default=None,
        description="A point of contact's State, or a State provider's (ISO3).",
        json_schema_extra=enum("state"),
    )
    organisation: Code | None = Field(
        default=None,
        description="A provider's organisation (code).",
        json_schema_extra=enum("organisation"),
    )
    language: Code = Field(
        default="en", description="The language of its e-mails.", json_schema_extra=enum("language")
    )


class AccountUpdate(_Input):
    """What may change: the role (with the State or organisation it needs), and whether the
    account is active. Fields left out stay as they are."""

    role: Code | None = Field(
        default=None,
        description="The new role; give `state` or `organisation` as the role needs.",
        json_schema_extra={"enum": list(ROLES)},
    )
    state: Code | None = Field(default=None, json_schema_extra=enum("state"))
    organisation: Code | None = Field(default=None, json_schema_extra=enum("organisation"))
    active: bool | None = Field(
        default=None,
        description="false disables the account (its sessions end, its tokens are revoked).",
    )


class AccountSessionsEnded(BaseModel):
    id: int
    email: str
    sessions_ended: int = Field(description="How many portal sessions were open and are ended.")


# The signed-in account's own API tokens (/api/v1/account/tokens).
class TokenRead(BaseModel):
    """A token as its owner sees it: its first characters, never its secret nor its hash."""

    id: int
    label: str
    prefix: str = Field(description="Its first characters, to recognise it.")
    scope: str = Field(description="read or write.")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None = Field(description="Set once revoked: it no longer works.")


class TokenList(BaseModel):
    items: list[TokenRead]


class TokenCreate(_Input):
    label: Annotated[str, TOKEN_LABEL] = Field(default="", description="What the token is for.")
    scope: Code = Field(
        default="read",
        description="read, or write (what the account may write).",
        json_schema_extra={"enum": ["read", "write"]},
    )


class TokenIssued(BaseModel):
    token: TokenRead
    secret: str = Field(
        description="The token itself: shown this once, never stored (send it as `Authorization: "
        "Bearer ...`)."
    )
