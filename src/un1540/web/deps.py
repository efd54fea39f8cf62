"""Request dependencies as named Annotated aliases, so route signatures read like sentences."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from un1540.db.engine import finish_reads
from un1540.errors import InvalidParameter, Problem
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.paging import PageRequest
from un1540.settings import Settings
from un1540.web.auth import check_api_csrf, resolve_viewer
from un1540.web.params import PageQuery, PageSizeQuery


async def refuse_nul(request: Request) -> None:
    """No address holds a NUL (the text policy, docs/text.md): one in the path or the query is
    refused before any route reads it. PostgreSQL cannot compare text with a NUL, so a filter or
    code holding one would otherwise be a server error."""
    query: bytes = request.scope.get("query_string", b"")
    if "\x00" in request.scope.get("path", "") or b"%00" in query or b"\x00" in query:
        raise InvalidParameter.naming(
            [Problem("address", "contains a NUL character (%00), which no address holds")]
        )


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request, closed (and any open transaction rolled back) afterwards.

    Async although the session is synchronous: making and closing a Session does no I/O (the
    connection is taken at the first query, in the route's worker thread), so this runs on the
    event loop and saves a thread hop per request. A request that only read ends its
    transaction with COMMIT, so that PostgreSQL keeps the statements it prepared (db/engine.py
    `finish_reads`); one that failed, or wrote without committing, is rolled back.
    """
    session = request.app.state.sessions()
    request.state.db_session = session  # for the sign-in helpers of web/auth.py
    try:
        yield session
        finish_reads(session)
    finally:
        session.close()


async def get_viewer(request: Request, session: Annotated[Session, Depends(get_session)]) -> Viewer:
    """Who is asking: a token's or a signed-in account's viewer, or the public."""
    return await resolve_viewer(request, session)


async def get_writer(request: Request, session: Annotated[Session, Depends(get_session)]) -> Viewer:
    """The caller of an API write: as get_viewer, plus the CSRF check for cookie sessions."""
    viewer = await resolve_viewer(request, session)
    check_api_csrf(request)
    return viewer


async def get_settings_from_app(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_paging(
    request: Request, page: PageQuery = 1, page_size: PageSizeQuery = None
) -> PageRequest:
    settings: Settings = request.app.state.settings
    size = page_size if page_size is not None else settings.page_size_default
    if size > settings.page_size_max:
        raise InvalidParameter.naming(
            [Problem("page_size", f"must be at most {settings.page_size_max}")]
        )
    return PageRequest(page=page, page_size=size)


SessionDep = Annotated[Session, Depends(get_session)]
ViewerDep = Annotated[Viewer, Depends(get_viewer)]
WriterDep = Annotated[Viewer, Depends(get_writer)]
PagingDep = Annotated[PageRequest, Depends(get_paging)]
SettingsDep = Annotated[Settings, Depends(get_settings_from_app)]
