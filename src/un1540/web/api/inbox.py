"""/api/v1/inbox: what awaits the signed-in account (or the token's), by role (docs/inbox.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from un1540.schemas.inbox import InboxRead
from un1540.services.inbox import deadlines  # noqa: F401 (registers the deadlines job)
from un1540.services.inbox.reads import SECTION_KEYS, Window, inbox
from un1540.services.inbox.shapes import inbox_read
from un1540.web.api.common import WRITE_ERRORS
from un1540.web.deps import PagingDep, SessionDep, ViewerDep
from un1540.web.responses import json_model

router = APIRouter(tags=["Accounts"])


@router.get(
    "/inbox",
    summary="What awaits you",
    response_model=InboxRead,
    responses=WRITE_ERRORS,
)
def inbox_get(
    session: SessionDep,
    viewer: ViewerDep,
    paging: PagingDep,
    section: Annotated[
        str | None,
        Query(
            max_length=20,
            description="Only this section (one your role's inbox holds).",
            json_schema_extra={"enum": sorted(set(SECTION_KEYS.values()))},
        ),
    ] = None,
) -> Response:
    """The portal's /inbox as data: by your role, the drafts, proposals, editions, requests,
    projects, milestones, deadlines and pledges that await you, each with the portal page where
    you act on it, and your unread notifications' count. Each section lists `page_size` items
    of page `page` and counts all of them; only your own (your State's or organisation's)
    records, and only those you may see elsewhere. A token with the read scope suffices."""
    window = Window(offset=paging.offset, size=paging.page_size)
    found = inbox(session, viewer=viewer, window=window, only=section)
    return json_model(inbox_read(found, paging=paging))
