"""Warm reads answered before routing: an anonymous GET of a State's matrix JSON, of the State
page or of the State's matrix page, that this process's cache holds for the data's current
versions (issue 14: a cached answer cost several times its bytes' worth of routing and
dependency resolution over ~400 routes; the State page about ten times the in-memory ceiling).

`WarmReads` sits inside every other middleware of ours (security headers, session cookies,
language, HEAD, CORS: they apply to its answers as to any other) and just outside the router.
It answers only when all of these hold, else the request goes on to the application unchanged:

- GET (HEAD arrives as GET), no query string, path `/api/v1/states/{three letters}/matrix`,
  `/states/{three letters}` or `/states/{three letters}/matrix`;
- no credentials: no `Authorization` header and no session cookie (the public viewer, exactly
  as `resolve_viewer` decides it; anything else is resolved by the application);
- the cache holds the value the route would serve, under the route's own key (for a page:
  `page_cache.page_key`, the language the language middleware chose, today, the full address),
  for the versions of the data read now (kernel/cache.py `held`, `held_at`): a write committed
  by any process is seen at once. A miss is computed by the route (a key held for older
  versions costs that one extra read of the versions; a key not held, none).

The versions: on a SQLite file, a `SqliteVersionWatch` (kernel/data_version.py) on the event
loop: `PRAGMA data_version` on a connection kept for it says whether anyone committed since it
last read them (microseconds; no session, no thread). Otherwise (PostgreSQL; tests' sessions
bound to one connection) in a worker thread, in a transaction of its own, as every request does.

The answer is the route's own, built by the same function (`json_bytes` for the matrix JSON;
`page_cache.page_response` for a page: the same body, status, media type and synthetic-data
header); tests/portal/test_warm_reads.py compares both paths byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from typing import Any

import anyio.to_thread
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from un1540.services.kernel.access import PUBLIC
from un1540.services.kernel.cache import CACHE, MISSING, held, held_at
from un1540.services.kernel.data_version import SqliteVersionWatch
from un1540.web.api.states import matrix_json_key, matrix_json_scopes
from un1540.web.auth import has_credentials
from un1540.web.portal.page_cache import CachedPage, page_key, page_response
from un1540.web.portal.states import state_page_key, state_page_scopes
from un1540.web.responses import json_bytes

MATRIX_PATH = re.compile(r"/api/v1/states/([A-Za-z]{3})/matrix")
STATE_PAGE_PATH = re.compile(r"/states/([A-Za-z]{3})(/matrix)?")


class WarmReads:
    """See the module docstring."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        sessions: sessionmaker[Session],
        watch: SqliteVersionWatch | None = None,
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
                value = await self._held(
                    matrix_json_key(iso3, None, PUBLIC), matrix_json_scopes(iso3)
                )
                if value is not MISSING:
                    body, synthetic = value
                    await json_bytes(body, synthetic=synthetic)(scope, receive, send)
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
            if not CACHE.holds(self.watch.database, key):
                return MISSING
            return held_at(self.watch.current(), key, depends_on=scopes)
        return await anyio.to_thread.run_sync(self._held_in_session, key, scopes)

    def _held_in_session(self, key: Hashable, scopes: tuple[str, ...]) -> Any:
        with self.sessions() as session:
            return held(session, key, depends_on=scopes)
