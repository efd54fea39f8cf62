"""Pages rendered once and served to every request of the same reader until the data changes.

A page of a signed-in reader carries parts that belong to that request alone: the session's
CSRF token in every form, the header's count of unread notifications, and the flashed messages
(taken, so shown once). Everything else of the page is a function of the data, of who reads it
and of the address asked. So a page is rendered once with markers in place of those parts,
kept in the process's cache (kernel/cache.py), and each request substitutes its own parts into
the cached body (a few byte replacements and two small fragments), instead of reading and
rendering the page again: the State page after a write cost some 110 ms of CPU per request,
served this way 5-15 ms (docs/performance.md, statepage8).

What keys a cached page (never serve one reader's page to another):

- the page's name and arguments, given by the route;
- everything about the viewer a visibility rule or the page reads: role, State, organisation,
  account, its name and whether it may write (`person_key`); two accounts never share a page;
- the language, the day (pages show dates relative to today) and the full address asked
  (scheme, host, path and query: links, canonical address and share card are built from it);
- and the versions of the data scopes the route names (`depends_on`), read before rendering.

The markers are random per process, so no text of the data can forge one.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable, Iterable

from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from un1540.models.base import today
from un1540.services.kernel.access import Viewer, viewer_identity
from un1540.services.kernel.cache import cached
from un1540.web.auth import csrf_token, take_flashes
from un1540.web.i18n import language
from un1540.web.responses import SYNTHETIC_HEADER, synthetic_headers

_SECRET = secrets.token_hex(16)
CSRF_MARK = f"un1540-csrf-{_SECRET}"
INBOX_MARK = Markup(f"<!--un1540-inbox-{_SECRET}-->")
FLASHES_MARK = Markup(f"<!--un1540-flashes-{_SECRET}-->")
_DEFERRED = "un1540_person_deferred"


def person_key(viewer: Viewer) -> tuple[Hashable, ...]:
    """Everything about a viewer a cached page may show or depend on (not the session)."""
    return (*viewer_identity(viewer), viewer.actor, viewer.can_write)


def deferred(request: Request) -> bool:
    """True while a page is rendered for the cache: the per-request parts are markers."""
    return bool(getattr(request.state, _DEFERRED, False))


def cached_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    key: tuple[Hashable, ...],
    *,
    depends_on: Iterable[str],
    build: Callable[[], Response],
) -> HTMLResponse:
    """The page `build()` renders, computed once per reader, address, language and day for the
    versions of the scopes it `depends_on`; this request's own parts substituted."""

    def compute() -> tuple[bytes, bool, int]:
        setattr(request.state, _DEFERRED, True)
        try:
            response = build()
        finally:
            setattr(request.state, _DEFERRED, False)
        synthetic = response.headers.get(SYNTHETIC_HEADER) == "true"
        return bytes(response.body), synthetic, response.status_code

    body, synthetic, status = cached(
        session,
        ("page", *key, person_key(viewer), language(), today(), str(request.url)),
        depends_on=depends_on,
        compute=compute,
    )
    return HTMLResponse(
        personalise(request, body), status_code=status, headers=synthetic_headers(synthetic)
    )


def personalise(request: Request, body: bytes) -> bytes:
    """A cached body with this request's CSRF token, unread count and flashes in it."""
    # Imported here: templating imports this module (its globals name the markers).
    from un1540.web.portal.templating import person_fragments

    if CSRF_MARK.encode() in body:
        body = body.replace(CSRF_MARK.encode(), csrf_token(request).encode())
    inbox, flashes = INBOX_MARK.encode(), FLASHES_MARK.encode()
    has_inbox = inbox in body
    messages = take_flashes(request) if flashes in body else []
    if has_inbox or messages:
        inbox_html, flashes_html = person_fragments(request, inbox=has_inbox, messages=messages)
        body = body.replace(inbox, inbox_html.encode()).replace(flashes, flashes_html.encode())
    return body.replace(flashes, b"")
