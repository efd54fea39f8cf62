"""Anonymous reads answered before routing: a GET of a State's matrix JSON (warm or computed),
of the State page or of the State's matrix page (warm only). Issue 14: a cached answer cost
several times its bytes' worth of routing and dependency resolution over ~400 routes (the State
page about ten times the in-memory ceiling), and an uncached matrix paid the same on top of
reading and rendering.

`WarmReads` sits inside every other middleware of ours (security headers, session cookies,
language, HEAD, CORS: they apply to its answers as to any other) and just outside the router.
It takes only requests that hold all of these, else the request goes on to the application
unchanged:

- GET (HEAD arrives as GET), no query string, path `/api/v1/states/{three letters}/matrix`
  (or `/matrix.json`, the same named as a file), `/states/{three letters}` or
  `/states/{three letters}/matrix`;
- no credentials: no `Authorization` header and no session cookie (the public viewer, exactly
  as `resolve_viewer` decides it; anything else is resolved by the application);
- the cache holds the value the route would serve, under the route's own key (for a page:
  `page_cache.page_key`, the language the language middleware chose, today, the full address),
  for the versions of the data read now (kernel/cache.py `held`, `held_at`): a write committed
  by any process is seen at once.
- For the matrix JSON only, a miss is computed here as the route computes it (`matrix_json`:
  the same body, media type and synthetic-data header; cached, if the cache is on; with the
  cache off, `UN1540_CACHE_MB=0`, that is every request), in a session that reads without a
  transaction (db/engine.py `reads_without_transaction`: two round trips fewer on PostgreSQL).
  If computing it fails (no such State, no approved edition, the database unavailable), the
  request goes on to the route, which meets the same failure and answers it as for any other
  reader. A page not held is rendered by its route.

The versions, on the event loop when a watch (kernel/data_version.py) can read them: on a SQLite
file a `SqliteVersionWatch`: `PRAGMA data_version` on a connection kept for it says whether
anyone committed since it last read them (microseconds; no session, no thread); on PostgreSQL
a `PostgresVersionWatch`: an async connection kept for it reads them, one read for all the
requests waiting, started after each of them arrived (no session, no thread). Otherwise (the
tests' sessions bound to one connection, or a watch that cannot read now: the connection lost)
in a worker thread, in a transaction of its own, as every request does.

The answer is the route's own, built by the same function (`states.matrix_response` for the
matrix JSON; `page_cache.page_response` for a page: the same body, status, media type,
synthetic-data header, and the same encoding for the same Accept-Encoding: the cached bytes
gzip-compressed as they are kept, or inflated, web/compression.py);
tests/portal/test_warm_reads.py and tests/api/test_matrix_json.py compare both paths byte for
byte.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from typing import Any

import anyio.to_thread
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from un1540.db.engine import reads_without_transaction
from un1540.services.kernel.access import PUBLIC
from un1540.services.kernel.cache import CACHE, MISSING, held, held_at
from un1540.services.kernel.data_version import PostgresVersionWatch, SqliteVersionWatch
from un1540.web.api.states import (
    matrix_file_response,
    matrix_json,
    matrix_json_key,
    matrix_json_scopes,
    matrix_response,
)
from un1540.web.auth import has_credentials
from un1540.web.portal.page_cache import CachedPage, page_key, page_response
from un1540.web.portal.states import state_page_key, state_page_scopes

MATRIX_PATH = re.compile(r"/api/v1/states/([A-Za-z]{3})/matrix(\.json)?")
STATE_PAGE_PATH = re.compile(r"/states/([A-Za-z]{3})(/matrix)?")
UNREAD: Any = object()  # the watch could not read the versions: read them the usual way


class WarmReads:
    """See the module docstring."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        sessions: sessionmaker[Session],
        watch: SqliteVersionWatch | PostgresVersionWatch | None = None,
    ) -> None:
        self.app = app
        self.sessions = sessions
        self.watch = watch

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "GET"
            and not scope.get("query_string")
            and not has_credentials(scope)
        ):
            path = scope["path"]
            if (match := MATRIX_PATH.fullmatch(path)) is not None:
                iso3 = match[1]
                key, scopes = matrix_json_key(iso3, None, PUBLIC), matrix_json_scopes(iso3)
                value = await self._held_watched(key, scopes) if self.watch is not None else MISSING
                if value is MISSING or value is UNREAD:  # (`_public_matrix` reads them then)
                    value = await anyio.to_thread.run_sync(self._public_matrix, iso3, key, scopes)
                if value is not MISSING:
                    if match[2] is None:
                        response = matrix_response(scope, value)
                    else:  # `/matrix.json`: the same, named as a file
                        response = matrix_file_response(scope, value, iso3)
                    await response(scope, receive, send)
                    return
            elif (match := STATE_PAGE_PATH.fullmatch(path)) is not None:
                profile = match[2] is None
                request = Request(scope, receive)
                key = page_key(request, PUBLIC, state_page_key(match[1], None, profile=profile))
                page = await self._held(key, state_page_scopes(match[1], profile=profile))
                # An anonymous page holds no inbox link (never a person's parts but the form
                # token, which `page_response` gives as the route does).
                if isinstance(page, CachedPage) and not page.has_inbox:
                    await page_response(request, page)(scope, receive, send)
                    return
        await self.app(scope, receive, send)

    async def _held(self, key: Hashable, scopes: tuple[str, ...]) -> Any:
        """The cached value of `key` for the current versions of `scopes`, or MISSING."""
        if self.watch is not None:
            value = await self._held_watched(key, scopes)
            if value is not UNREAD:
                return value
        return await anyio.to_thread.run_sync(self._held_in_session, key, scopes)

    async def _held_watched(self, key: Hashable, scopes: tuple[str, ...]) -> Any:
        """`_held` by the watch's versions; UNREAD if the watch cannot read them now."""
        watch = self.watch
        assert watch is not None
        if not CACHE.holds(watch.database, key):
            return MISSING
        versions = (
            watch.current() if isinstance(watch, SqliteVersionWatch) else await watch.current()
        )
        if versions is None:
            return UNREAD
        return held_at(versions, key, depends_on=scopes)

    def _held_in_session(self, key: Hashable, scopes: tuple[str, ...]) -> Any:
        with self.sessions() as session:
            return held(session, key, depends_on=scopes)

    def _public_matrix(self, iso3: str, key: Hashable, scopes: tuple[str, ...]) -> Any:
        """The public matrix JSON: held (unless the watch already looked), else computed."""
        with self.sessions() as session:
            reads_without_transaction(session)
            if self.watch is None:
                value = held(session, key, depends_on=scopes)
                if value is not MISSING:
                    return value
            try:
                return matrix_json(session, PUBLIC, iso3, None)
            except Exception:  # answered by the route (see the module docstring)
                return MISSING
