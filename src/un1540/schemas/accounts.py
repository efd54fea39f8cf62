"""Wire shapes of accounts."""

from __future__ import annotations

from pydantic import BaseModel, Field


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
