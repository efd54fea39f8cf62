"""Wire shape of the inbox: what awaits the signed-in account, by role (docs/inbox.md)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from un1540.schemas.common import Envelope


class InboxItemRead(BaseModel):
    """One thing that awaits you, with the portal page where you act on it."""

    kind: str = Field(description="edition, proposal, request, project, milestone or pledge.")
    name: str = Field(description="The record's name as you may see it (a State, a title).")
    link: str = Field(description="The portal page where you act on it.")
    iso3: str | None = Field(default=None, description="The State it concerns, if any.")
    number: int | None = Field(default=None, description="An edition's number, or a record's id.")
    status: str | None = Field(default=None, description="Its status code (lifecycles).")
    due_on: date | None = None
    detail: str | None = Field(
        default=None, description="A cell key, a plan's title, or an amount with its currency."
    )


class InboxSectionRead(BaseModel):
    key: str = Field(description="drafts, proposals, approval, shared, deadlines, requests, ...")
    title: str = Field(description="The section's heading on the portal page (in English).")
    total: int = Field(description="How many items the section holds (all of them counted).")
    items: list[InboxItemRead] = Field(description="This page of the section's items.")


class InboxRead(Envelope):
    role: str
    unread: int = Field(description="Your unread notifications (GET /api/v1/notifications).")
    awaiting: int = Field(description="How many items await you, over every section.")
    page: int
    page_size: int = Field(description="Items listed per section.")
    sections: list[InboxSectionRead]
