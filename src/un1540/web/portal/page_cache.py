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

A page is kept as a `CachedPage`: the body without the flashes' marker (and where the flashes
go), gzip-compressed (web/compression.py; as rendered with the cache off), and which markers it
holds. A page that holds none but the flashes' (an anonymous visitor's: no form token, no inbox
link; the public has no flashes) is served as it is, with no scan or copy of its bytes:
compressed to a request that accepts gzip, inflated to any other; web/warm_reads.py serves the
anonymous State page that way before routing, from the same entry (`page_key`,
`page_response`). A page with this request's own parts in it is inflated, personalised and
sent uncompressed (compressing it again would cost about a millisecond per request, more than
it saves on a fast network: docs/performance.md, mem11).
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from un1540.models.base import today
from un1540.services.kernel.access import Viewer, viewer_identity
from un1540.services.kernel.cache import cached
from un1540.web.auth import csrf_token, take_flashes
from un1540.web.compression import VARY, Body, body_response, gunzip, gzip_bytes
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


@dataclass(frozen=True)
class CachedPage:
    """A rendered page as the cache keeps it: its body with the flashes' marker taken out
    (`flashes_at`: where the flashed messages go, offsets in the inflated body), gzip-compressed
    if `gzipped` (`packed`), and whether it holds the other markers, so a page that holds none
    (an anonymous visitor's: no form token, no inbox link, no flashes) is served as it is, with
    no scan of its ~280 KB."""

    body: bytes
    flashes_at: tuple[int, ...]
    has_csrf: bool
    has_inbox: bool
    synthetic: bool
    status: int
    gzipped: bool = False

    def packed(self) -> CachedPage:
        """The page as the cache keeps it: its body gzip-compressed."""
        if self.gzipped:
            return self
        return dataclasses.replace(self, body=gzip_bytes(self.body), gzipped=True)

    @classmethod
    def of(cls, body: bytes, *, synthetic: bool, status: int) -> CachedPage:
        flashes = FLASHES_MARK.encode()
        parts = body.split(flashes)
        offsets, position = [], 0
        for part in parts[:-1]:
            position += len(part)
            offsets.append(position)
        plain = b"".join(parts)
        return cls(
            body=plain,
            flashes_at=tuple(offsets),
            has_csrf=CSRF_MARK.encode() in plain,
            has_inbox=INBOX_MARK.encode() in plain,
            synthetic=synthetic,
            status=status,
        )


def page_key(request: Request, viewer: Viewer, key: tuple[Hashable, ...]) -> tuple[Hashable, ...]:
    """What a page is cached under: the route's `key` (the page's name and arguments), the
    reader, the language, the day and the full address asked. web/warm_reads.py builds the
    anonymous State page's key with this same function."""
    return ("page", *key, person_key(viewer), language(), today(), str(request.url))


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

    def compute() -> CachedPage:
        setattr(request.state, _DEFERRED, True)
        try:
            response = build()
        finally:
            setattr(request.state, _DEFERRED, False)
        synthetic = response.headers.get(SYNTHETIC_HEADER) == "true"
        return CachedPage.of(bytes(response.body), synthetic=synthetic, status=response.status_code)

    page = cached(
        session,
        page_key(request, viewer, key),
        depends_on=depends_on,
        compute=compute,
        pack=CachedPage.packed,
    )
    return page_response(request, page)


def page_response(request: Request, page: CachedPage) -> HTMLResponse:
    """The response for a cached page: the route's and web/warm_reads.py's, one function.
    Nothing of this request's own in it: the cached bytes as they are (web/compression.py
    `body_response`: compressed if the request accepts gzip); else the page personalised,
    uncompressed."""
    headers = synthetic_headers(page.synthetic)
    token = csrf_token(request) if page.has_csrf else None
    messages = take_flashes(request) if page.flashes_at else []
    if token is None and not page.has_inbox and not messages:
        return body_response(
            request.scope,
            Body(page.body, page.gzipped),
            response_class=HTMLResponse,
            status_code=page.status,
            headers=headers,
        )
    return HTMLResponse(
        _personalised(request, page, token, messages),
        status_code=page.status,
        headers={**headers, "Vary": VARY},
    )


def _personalised(
    request: Request, page: CachedPage, token: str | None, messages: list[list[str]]
) -> bytes:
    """A cached page's body (inflated) with this request's CSRF token, unread count and
    flashes in it."""
    # Imported here: templating imports this module (its globals name the markers).
    from un1540.web.portal.templating import person_fragments

    body = gunzip(page.body) if page.gzipped else page.body
    parts, start = [], 0
    for offset in page.flashes_at:
        parts.append(body[start:offset])
        start = offset
    parts.append(body[start:])
    if token is not None:
        mark = CSRF_MARK.encode()
        parts = [part.replace(mark, token.encode()) for part in parts]
    flashes_html = ""
    if page.has_inbox or messages:
        inbox_html, flashes_html = person_fragments(
            request, inbox=page.has_inbox, messages=messages
        )
        mark = INBOX_MARK.encode()
        parts = [part.replace(mark, inbox_html.encode()) for part in parts]
    return flashes_html.encode().join(parts)
