"""Warm reads answered before routing: an anonymous GET of a State's matrix JSON that this
process's cache holds for the data's current versions (issue 14: a cached answer cost about
four times its bytes' worth of routing and dependency resolution over ~400 routes).

`WarmReads` sits inside every other middleware of ours (security headers, session cookies,
language, HEAD, CORS: they apply to its answers as to any other) and just outside the router.
It answers only when all of these hold, else the request goes on to the application unchanged:

- GET (HEAD arrives as GET), path `/api/v1/states/{three letters}/matrix`, no query string;
- no credentials: no `Authorization` header and no session cookie (the public viewer, exactly
  as `resolve_viewer` decides it; anything else is resolved by the application);
- the cache holds the value the route would serve, for the versions of the data read from the
  database now, in a transaction of its own, as every request does (kernel/cache.py `held`):
  a write committed by any process is seen at once. A miss is computed by the route (a key
  held for older versions costs that one extra read of the versions; a key not held, none).

The answer is the route's own (`json_bytes`: the same body, media type and synthetic-data
header), computed nowhere else.
"""

from __future__ import annotations

import re
from typing import Any

import anyio.to_thread
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Receive, Scope, Send

from un1540.services.kernel.access import PUBLIC
from un1540.services.kernel.cache import MISSING, held
from un1540.web.api.states import matrix_json_key, matrix_json_scopes
from un1540.web.auth import has_credentials
from un1540.web.responses import json_bytes

MATRIX_PATH = re.compile(r"/api/v1/states/([A-Za-z]{3})/matrix")


class WarmReads:
    """See the module docstring."""

    def __init__(self, app: ASGIApp, *, sessions: sessionmaker[Session]) -> None:
        self.app = app
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "GET"
            and not scope.get("query_string")
            and (match := MATRIX_PATH.fullmatch(scope["path"])) is not None
            and not has_credentials(scope)
        ):
            value = await anyio.to_thread.run_sync(self._held_matrix, match[1])
            if value is not MISSING:
                body, synthetic = value
                await json_bytes(body, synthetic=synthetic)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _held_matrix(self, iso3: str) -> Any:
        with self.sessions() as session:
            return held(
                session,
                matrix_json_key(iso3, None, PUBLIC),
                depends_on=matrix_json_scopes(iso3),
            )
